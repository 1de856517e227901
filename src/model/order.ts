/**
 * Order: what was asked for (immutable request fields) and what has happened to it (status,
 * filled quantity, average fill price), changed only by applying order events through the
 * transition table. An illegal event is returned as an InvalidTransition and changes nothing.
 */
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import type { OrderSide, OrderType, TimeInForce } from './enums.js';
import type { OrderEvent, OrderEventType } from './order-events.js';
import { type OrderStatus, isTerminalStatus, isWorkingStatus, transitionTarget } from './order-state.js';

/** How an order is linked to others: a bracket's entry triggers its exits (OTO); exits cancel each other (OCO). */
export type Contingency = 'NONE' | 'OTO' | 'OCO';

export interface OrderRequest {
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Quantity;
  readonly price?: Price | undefined;
  readonly triggerPrice?: Price | undefined;
  readonly timeInForce?: TimeInForce | undefined;
  readonly reduceOnly?: boolean | undefined;
  /** Expiry time (epoch ms) for DAY orders; set by the engine from the trading-day end when absent. */
  readonly expireAt?: number | undefined;
  readonly clientOrderId?: string | undefined;
  readonly tags?: readonly string[] | undefined;
}

export interface InvalidTransition {
  readonly clientOrderId: string;
  readonly from: OrderStatus;
  readonly event: OrderEventType;
  readonly message: string;
}

export interface OrderInit {
  clientOrderId: string;
  strategyId: string;
  request: OrderRequest;
  /** Overrides request.expireAt (the engine fills in the end of the day for DAY orders). */
  expireAt?: number | undefined;
  ts: number;
  contingency?: Contingency;
  parentId?: string | undefined;
  linkedIds?: readonly string[];
}

/** What was asked for: an order's immutable terms as plain JSON (decimal strings). */
export interface OrderTerms {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
  readonly expireAt: number | undefined;
  readonly tags: readonly string[];
  readonly createdAt: number;
  readonly contingency: Contingency;
  readonly parentId: string | undefined;
  readonly linkedIds: readonly string[];
  readonly quantity: string;
  readonly price: string | undefined;
  readonly triggerPrice: string | undefined;
}

/** Everything an order holds, as plain JSON (see Order.toState / Order.fromState). */
export interface OrderState extends OrderTerms {
  readonly status: OrderStatus;
  readonly previousStatus: OrderStatus;
  readonly venueOrderId: string | undefined;
  readonly filledQty: string;
  readonly fillValueRaw: string;
  readonly fillPxPrecision: number;
  readonly feesRaw: string;
  readonly lastEventAt: number;
}

/** Decimals in a decimal string written by formatDecimal (it always writes exactly `precision`). */
function decimalsIn(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}
const priceOf = (text: string): Price => Price.of(text, decimalsIn(text));
const quantityOf = (text: string): Quantity => Quantity.of(text, decimalsIn(text));

/** The empty tag and link list every plain order shares. */
const NO_STRINGS: readonly string[] = Object.freeze([]);

export class Order {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
  readonly expireAt: number | undefined;
  readonly tags: readonly string[];
  readonly createdAt: number;
  readonly contingency: Contingency;
  /** The entry order that spawned this exit (brackets). */
  readonly parentId: string | undefined;
  /** Orders linked to this one: a bracket entry's exits, or an exit's OCO sibling. */
  readonly linkedIds: readonly string[];

  quantity: Quantity;
  price: Price | undefined;
  triggerPrice: Price | undefined;
  status: OrderStatus = 'INITIALIZED';
  venueOrderId: string | undefined;
  filledQty: Quantity;
  /**
   * Sum of lastPx.raw × lastQty.raw over fills, for an exact average price: a number while it
   * stays a safe integer (no allocation per fill), a bigint (fillValueBig) from then on.
   */
  private fillValueNum = 0;
  private fillValueBig: bigint | undefined;
  private fillPxPrecision = 0;
  feesRaw = 0n;
  lastEventAt: number;
  private previousStatus: OrderStatus = 'INITIALIZED';
  /**
   * Trade ids of the fills applied, to recognize a fill reported twice: a short array for the
   * usual one or few fills, a set once an order fills in many slices.
   */
  private tradeIds: string[] | Set<string> | undefined;

  constructor(init: OrderInit) {
    const r = init.request;
    this.clientOrderId = init.clientOrderId;
    this.strategyId = init.strategyId;
    this.instrumentId = r.instrumentId;
    this.side = r.side;
    this.type = r.type;
    this.quantity = r.quantity;
    this.price = r.price;
    this.triggerPrice = r.triggerPrice;
    this.timeInForce = r.timeInForce ?? 'GTC';
    this.reduceOnly = r.reduceOnly ?? false;
    this.expireAt = init.expireAt ?? r.expireAt;
    this.tags = r.tags ?? NO_STRINGS;
    this.createdAt = init.ts;
    this.lastEventAt = init.ts;
    this.contingency = init.contingency ?? 'NONE';
    this.parentId = init.parentId;
    this.linkedIds = init.linkedIds ?? NO_STRINGS;
    this.filledQty = Quantity.zero(r.quantity.precision);
  }

  get leavesQty(): Quantity {
    return Quantity.fromRaw(Math.max(0, this.quantity.raw - this.filledQty.raw), this.quantity.precision);
  }

  get isTerminal(): boolean {
    return isTerminalStatus(this.status);
  }

  get isWorking(): boolean {
    return isWorkingStatus(this.status);
  }

  /** Average fill price rounded to the instrument precision, or undefined before the first fill. */
  get avgPx(): Price | undefined {
    if (this.filledQty.raw === 0) return undefined;
    const q = BigInt(this.filledQty.raw);
    return Price.fromRaw(Number((this.fillValue * 2n + q) / (2n * q)), this.fillPxPrecision);
  }

  private get fillValue(): bigint {
    return this.fillValueBig ?? BigInt(this.fillValueNum);
  }

  private addFillValue(pxRaw: number, qtyRaw: number): void {
    const sum = this.fillValueNum + pxRaw * qtyRaw;
    if (this.fillValueBig === undefined && Number.isSafeInteger(pxRaw * qtyRaw) && Number.isSafeInteger(sum)) this.fillValueNum = sum;
    else this.fillValueBig = this.fillValue + BigInt(pxRaw) * BigInt(qtyRaw);
  }

  private noteTrade(tradeId: string): void {
    const ids = this.tradeIds;
    if (ids === undefined) this.tradeIds = [tradeId];
    else if (!Array.isArray(ids)) ids.add(tradeId);
    else if (ids.length < 16) ids.push(tradeId);
    else this.tradeIds = new Set([...ids, tradeId]);
  }

  /** True when a fill with this trade id was applied to the order. */
  hasTrade(tradeId: string): boolean {
    const ids = this.tradeIds;
    return ids !== undefined && (Array.isArray(ids) ? ids.includes(tradeId) : ids.has(tradeId));
  }

  /**
   * Applies an event through the transition table. Returns an InvalidTransition (and changes
   * nothing) when the pair is not allowed or a fill would overfill the order.
   */
  apply(event: OrderEvent): InvalidTransition | undefined {
    const target = transitionTarget(this.status, event.type);
    if (target === undefined) return this.invalid(event, `${event.type} is not allowed in state ${this.status}`);
    let next: OrderStatus;
    if (target === 'FILL') {
      if (event.type !== 'OrderFilled') return this.invalid(event, 'fill target on a non-fill event');
      const filled = this.filledQty.raw + event.lastQty.raw;
      if (filled > this.quantity.raw) {
        return this.invalid(event, `fill of ${event.lastQty} would overfill (filled ${this.filledQty} of ${this.quantity})`);
      }
      this.filledQty = Quantity.fromRaw(filled, this.quantity.precision);
      this.addFillValue(event.lastPx.raw, event.lastQty.raw);
      this.fillPxPrecision = event.lastPx.precision;
      this.feesRaw += event.fee.raw;
      this.noteTrade(event.tradeId);
      next = filled === this.quantity.raw ? 'FILLED' : 'PARTIALLY_FILLED';
    } else if (target === 'PREVIOUS') {
      next = this.previousStatus;
    } else {
      next = target;
    }
    if (event.type === 'OrderAccepted') this.venueOrderId = event.venueOrderId;
    if (event.type === 'OrderUpdated') {
      this.quantity = event.quantity;
      if (event.price) this.price = event.price;
      if (event.triggerPrice) this.triggerPrice = event.triggerPrice;
      if (this.filledQty.raw === this.quantity.raw && this.filledQty.raw > 0) next = 'FILLED';
    }
    if (event.type === 'OrderFilled') this.venueOrderId = event.venueOrderId;
    const pending = this.status === 'PENDING_CANCEL' || this.status === 'PENDING_UPDATE';
    if (!pending && (next === 'PENDING_CANCEL' || next === 'PENDING_UPDATE')) this.previousStatus = this.status;
    // A stop triggering while a request is pending changes where the request returns to.
    if (pending && event.type === 'OrderTriggered') this.previousStatus = 'TRIGGERED';
    if (pending && event.type === 'OrderAccepted') this.previousStatus = 'ACCEPTED';
    this.status = next;
    this.lastEventAt = event.ts;
    return undefined;
  }

  /** A plain JSON view for logs, the journal and the API. */
  toJSON(): Record<string, unknown> {
    return {
      clientOrderId: this.clientOrderId,
      strategyId: this.strategyId,
      instrumentId: this.instrumentId,
      side: this.side,
      type: this.type,
      quantity: this.quantity.toString(),
      price: this.price?.toString(),
      triggerPrice: this.triggerPrice?.toString(),
      timeInForce: this.timeInForce,
      reduceOnly: this.reduceOnly,
      status: this.status,
      filledQty: this.filledQty.toString(),
      avgPx: this.avgPx?.toString(),
      venueOrderId: this.venueOrderId,
      contingency: this.contingency,
      parentId: this.parentId,
      linkedIds: this.linkedIds,
      createdAt: this.createdAt,
      lastEventAt: this.lastEventAt,
    };
  }

  /** The order's terms as plain JSON (the inverse of Order.fromTerms). */
  terms(): OrderTerms {
    return {
      clientOrderId: this.clientOrderId,
      strategyId: this.strategyId,
      instrumentId: this.instrumentId,
      side: this.side,
      type: this.type,
      timeInForce: this.timeInForce,
      reduceOnly: this.reduceOnly,
      expireAt: this.expireAt,
      tags: [...this.tags],
      createdAt: this.createdAt,
      contingency: this.contingency,
      parentId: this.parentId,
      linkedIds: [...this.linkedIds],
      quantity: this.quantity.toString(),
      price: this.price?.toString(),
      triggerPrice: this.triggerPrice?.toString(),
    };
  }

  /**
   * The complete state of the order, private accounting included, as plain JSON (decimal strings
   * for values, bigints as strings): what a journal snapshot stores. `Order.fromState` inverts it.
   */
  toState(): OrderState {
    return {
      ...this.terms(),
      status: this.status,
      previousStatus: this.previousStatus,
      venueOrderId: this.venueOrderId,
      filledQty: this.filledQty.toString(),
      fillValueRaw: this.fillValue.toString(),
      fillPxPrecision: this.fillPxPrecision,
      feesRaw: this.feesRaw.toString(),
      lastEventAt: this.lastEventAt,
    };
  }

  /**
   * Rebuilds an order from `toState()` output (a journal snapshot). Values keep their exact
   * precision: a decimal string written by Price/Quantity has exactly `precision` decimals.
   * Throws ValueError for a malformed value.
   */
  /**
   * A new INITIALIZED order from its terms. Values keep their exact precision: a decimal string
   * written by Price/Quantity has exactly `precision` decimals. Throws ValueError for a malformed value.
   */
  static fromTerms(t: OrderTerms): Order {
    return new Order({
      clientOrderId: t.clientOrderId,
      strategyId: t.strategyId,
      request: {
        instrumentId: t.instrumentId,
        side: t.side,
        type: t.type,
        quantity: quantityOf(t.quantity),
        price: t.price === undefined ? undefined : priceOf(t.price),
        triggerPrice: t.triggerPrice === undefined ? undefined : priceOf(t.triggerPrice),
        timeInForce: t.timeInForce,
        reduceOnly: t.reduceOnly,
        tags: t.tags,
      },
      expireAt: t.expireAt,
      ts: t.createdAt,
      contingency: t.contingency,
      parentId: t.parentId,
      linkedIds: [...t.linkedIds],
    });
  }

  /** Rebuilds an order from `toState()` output (a journal snapshot). Throws ValueError for a malformed value. */
  static fromState(s: OrderState): Order {
    const order = Order.fromTerms(s);
    order.status = s.status;
    order.previousStatus = s.previousStatus;
    order.venueOrderId = s.venueOrderId;
    order.filledQty = quantityOf(s.filledQty);
    order.fillValueBig = BigInt(s.fillValueRaw);
    order.fillPxPrecision = s.fillPxPrecision;
    order.feesRaw = BigInt(s.feesRaw);
    order.lastEventAt = s.lastEventAt;
    return order;
  }

  private invalid(event: OrderEvent, message: string): InvalidTransition {
    return { clientOrderId: this.clientOrderId, from: this.status, event: event.type, message };
  }
}
