/**
 * SimulatedExchange: the default venue, behind the same ExecutionClient port as a real one.
 *
 * It keeps its own book of working orders per instrument (price-time priority), its own account
 * (cash and net positions, for reduce-only and for buying power, which also covers what resting
 * orders would add if they filled), and matches orders against the market data the kernel feeds
 * it before strategies see that data:
 * - quotes: market orders and marketable limits take the touch (with slippage, taker fee);
 *   resting limits fill at their price (maker fee) when the touch crosses them; stops trigger
 *   when the touch reaches them. Displayed sizes bound fills through the fill model.
 * - bars: an order decided on a bar's close fills on the next bar: at its open, or at the order's
 *   price when the bar's range reaches it (no look-ahead). Stops are matched before limits, so a
 *   bracket whose exits are both inside one bar takes the stop (the conservative choice).
 * Commands reach the venue after the latency model's delay in clock time; with zero latency they
 * are processed at the next flush(), which the kernel calls after each dispatched event.
 * OCO siblings are handled natively: a fill reduces or cancels the sibling at once.
 *
 * For reconciliation after a restart it answers queries a real venue answers (an order's status
 * and terms, its fills, the account), and for paper sessions that survive restarts it can export
 * and import its whole state (book, working and recently finished orders with their fills,
 * account, id counters, commands in flight) and report what changed since the last export.
 */
import { ChurnMap } from '../core/churn-map.js';
import { decimalDigits } from '../core/digits.js';
import { removeItem } from '../core/remove-item.js';
import type { Clock } from '../core/clock.js';
import { ValueError } from '../core/errors.js';
import { truncDiv } from '../core/exact.js';
import { Money } from '../core/money.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import type { Bar, MarketData, QuoteTick, TradeTick } from '../model/data.js';
import type { LiquiditySide, OrderSide, OrderType, TimeInForce } from '../model/enums.js';
import type { Instrument } from '../model/instrument.js';
import type { Order } from '../model/order.js';
import type { OrderFilled } from '../model/order-events.js';
import type { OrderStatus } from '../model/order-state.js';
import type { RejectReason } from '../model/reasons.js';
import {
  type FeeModel,
  type FillModel,
  type LatencyModel,
  type SlippageModel,
  fixedLatency,
  fullFillModel,
  instrumentFeeModel,
  noSlippage,
} from './models.js';
import type { ExecutionClient, OrderModification, VenueAccount, VenueEvent, VenueOrderStatus, VenueOrderTerms } from './ports.js';

export interface SimulatedExchangeOptions {
  venue?: string;
  clock: Clock;
  instruments: readonly Instrument[];
  /** Starting cash of the venue account, in the instruments' quote currency. */
  startingCash: Money;
  /** Gross exposure allowed as a multiple of equity (1 = cash account). */
  leverage?: number;
  fillModel?: FillModel;
  slippageModel?: SlippageModel;
  feeModel?: FeeModel;
  latencyModel?: LatencyModel;
  /** How many finished orders stay queryable (default 10,000). */
  finishedOrdersKept?: number;
}

interface SimOrder {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly strategyId: string;
  readonly instrumentId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
  readonly ocoIds: readonly string[];
  qtyRaw: number;
  filledRaw: number;
  priceRaw: number | undefined;
  triggerRaw: number | undefined;
  triggered: boolean;
  /** False until the order has had its first matching pass (IOC/FOK decide there). */
  rested: boolean;
  seq: number;
  status: OrderStatus;
  expiryTimer: { id: number } | undefined;
  /** Expiry time (DAY orders), kept so an imported order can re-arm its timer. */
  readonly expireAt: number | undefined;
  /** Slot in the finished-order ring once finished (state export/import). */
  ringSlot: number | undefined;
  /**
   * Cut by an OCO sibling's partial fill before it arrived (absent in states exported before it
   * was kept): its OrderAccepted is followed by an OrderUpdated with the cut quantity.
   */
  cutBeforeArrival?: boolean;
  /** Fills made for this order, oldest first (created on the first fill). */
  fills: OrderFilled[] | undefined;
}

/** One order as exported by SimulatedExchange.exportState (plain JSON; fills as decimal strings). */
export type SimOrderState = Readonly<Omit<SimOrder, 'expiryTimer' | 'fills'>> & {
  readonly fills: readonly { tradeId: string; side: OrderSide; lastQty: string; lastPx: string; fee: string; liquidity: LiquiditySide; ts: number }[];
};

/** Everything but the orders: account, books, id counters and commands in flight. */
export interface SimMetaState {
  readonly venue: string;
  readonly currency: string;
  readonly cashRaw: string;
  readonly nextOrderNo: number;
  readonly nextTradeNo: number;
  readonly nextSeq: number;
  readonly finishedNext: number;
  readonly books: readonly {
    readonly instrumentId: string;
    readonly bid: string | undefined;
    readonly ask: string | undefined;
    readonly bidSizeRaw: number | undefined;
    readonly askSizeRaw: number | undefined;
    /** Whether the book has had a quote (absent in states exported before it was kept: false). */
    readonly quoted?: boolean;
    readonly mark: string | undefined;
    readonly netRaw: number;
    readonly lastBar: { open: string; high: string; low: string; close: string; volume: string; intervalMs: number; ts: number } | undefined;
  }[];
  readonly queue: readonly {
    readonly kind: 'submit' | 'cancel' | 'modify';
    readonly clientOrderId: string;
    readonly arrivesAt: number;
    readonly changes?: { quantity?: string | undefined; price?: string | undefined; triggerPrice?: string | undefined } | undefined;
  }[];
}

export interface SimExchangeState {
  readonly meta: SimMetaState;
  readonly orders: readonly SimOrderState[];
}

/** What changed since the previous takeChanges(): the meta state and the changed or forgotten orders. */
export interface SimStateChanges {
  readonly meta: SimMetaState;
  readonly orders: readonly SimOrderState[];
  readonly removed: readonly string[];
}

/** Decimals of a decimal string written by Price/Quantity (always exactly their precision). */
function decimalsIn(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}
const priceOf = (text: string): Price => Price.of(text, decimalsIn(text));
const quantityOf = (text: string): Quantity => Quantity.of(text, decimalsIn(text));

interface Book {
  readonly instrument: Instrument;
  bid: Price | undefined;
  ask: Price | undefined;
  bidSizeRaw: number | undefined;
  askSizeRaw: number | undefined;
  lastBar: Bar | undefined;
  /** Whether a quote has set the touch: until then each trade stands in for both sides of the book. */
  quoted: boolean;
  working: SimOrder[];
  netRaw: number;
  /** Latest mark price, raw at the instrument's price precision (no allocation per quote). */
  markRaw: number | undefined;
  /** What this venue's orders have filled against the current quote's ask and bid (reset by each quote). */
  takenAskRaw: number;
  takenBidRaw: number;
}

type Command =
  | { kind: 'submit'; order: SimOrder; priceRaw: number | undefined; arrivesAt: number }
  | { kind: 'cancel'; clientOrderId: string; arrivesAt: number }
  | { kind: 'modify'; clientOrderId: string; changes: OrderModification; arrivesAt: number };

/** Open quantity of resting orders by side (raw). */
interface RestingQty {
  buys: number;
  sells: number;
}

/**
 * Exposure (absolute quantity, raw) of a net position if resting buys and sells filled on
 * whichever side makes it larger: what buying power must cover.
 */
function exposureOf(netRaw: number, buysRaw: number, sellsRaw: number): number {
  return Math.max(Math.abs(netRaw + buysRaw), Math.abs(netRaw - sellsRaw));
}

/** Order of matching inside one bar or quote: stops first, then market, then limits. */
function matchRank(o: SimOrder): number {
  if (!o.triggered && (o.type === 'STOP_MARKET' || o.type === 'STOP_LIMIT')) return 0;
  if (o.type === 'MARKET' || o.type === 'STOP_MARKET') return 1;
  return 2;
}

export class SimulatedExchange implements ExecutionClient {
  readonly venue: string;
  private readonly clock: Clock;
  private readonly books = new Map<string, Book>();
  private readonly orders = new ChurnMap<string, SimOrder>();
  /** Finished orders stay queryable until this many more have finished (a ring of their ids). */
  private readonly finishedRing: (string | undefined)[];
  private finishedNext = 0;
  private readonly queue: Command[] = [];
  private readonly fillModel: FillModel;
  private readonly resting: RestingQty = { buys: 0, sells: 0 };
  private readonly slippage: SlippageModel;
  private readonly fees: FeeModel;
  private readonly latency: LatencyModel;
  private readonly leverage: number;
  /** Leverage in thousandths, as buying power is computed. */
  private readonly leverageMilli: number;
  private report: (event: VenueEvent) => void = () => undefined;
  private cashRaw: bigint;
  private readonly currency: Money['currency'];
  private nextOrderNo = 1;
  private nextTradeNo = 1;
  private nextSeq = 1;
  /** Change tracking for incremental persistence; off (undefined) unless trackChanges() was called. */
  private changed: Set<SimOrder> | undefined;
  private removed: Set<string> | undefined;
  private metaDirty = false;

  constructor(opts: SimulatedExchangeOptions) {
    this.venue = opts.venue ?? 'SIM';
    this.clock = opts.clock;
    this.fillModel = opts.fillModel ?? fullFillModel;
    this.slippage = opts.slippageModel ?? noSlippage;
    this.fees = opts.feeModel ?? instrumentFeeModel;
    this.latency = opts.latencyModel ?? fixedLatency(0);
    this.leverage = opts.leverage ?? 1;
    this.leverageMilli = Math.round(this.leverage * 1000);
    if (!Number.isFinite(this.leverage) || this.leverageMilli < 1) throw new ValueError(`leverage ${opts.leverage} is not a finite number of at least 0.001`);
    this.cashRaw = opts.startingCash.raw;
    this.finishedRing = new Array<string | undefined>(opts.finishedOrdersKept ?? 10_000);
    this.currency = opts.startingCash.currency;
    for (const instrument of opts.instruments) {
      this.books.set(instrument.id, {
        instrument,
        bid: undefined,
        ask: undefined,
        bidSizeRaw: undefined,
        askSizeRaw: undefined,
        lastBar: undefined,
        quoted: false,
        working: [],
        netRaw: 0,
        markRaw: undefined,
        takenAskRaw: 0,
        takenBidRaw: 0,
      });
    }
  }

  connect(report: (event: VenueEvent) => void): void {
    this.report = report;
  }

  submit(order: Readonly<Order>): void {
    const sim: SimOrder = {
      clientOrderId: order.clientOrderId,
      venueOrderId: `${this.venue}-${decimalDigits(this.nextOrderNo++)}`,
      strategyId: order.strategyId,
      instrumentId: order.instrumentId,
      side: order.side,
      type: order.type,
      tif: order.timeInForce,
      reduceOnly: order.reduceOnly,
      ocoIds: order.contingency === 'OCO' ? [...order.linkedIds] : [],
      qtyRaw: order.quantity.raw,
      filledRaw: 0,
      priceRaw: order.price?.raw,
      triggerRaw: order.triggerPrice?.raw,
      triggered: false,
      rested: false,
      seq: 0,
      status: 'SUBMITTED',
      expiryTimer: undefined,
      expireAt: order.expireAt,
      ringSlot: undefined,
      cutBeforeArrival: false,
      fills: undefined,
    };
    this.enqueue({ kind: 'submit', order: sim, priceRaw: order.price?.raw, arrivesAt: 0 }, order.instrumentId, order, order.expireAt);
  }

  cancel(clientOrderId: string): void {
    this.enqueue({ kind: 'cancel', clientOrderId, arrivesAt: 0 }, this.orders.get(clientOrderId)?.instrumentId ?? '');
  }

  modify(clientOrderId: string, changes: OrderModification): void {
    this.enqueue({ kind: 'modify', clientOrderId, changes, arrivesAt: 0 }, this.orders.get(clientOrderId)?.instrumentId ?? '');
  }

  queryOrder(clientOrderId: string): VenueOrderStatus | undefined {
    const o = this.orders.get(clientOrderId);
    if (!o) return undefined;
    const book = this.books.get(o.instrumentId);
    const precision = book?.instrument.sizePrecision ?? 0;
    return { clientOrderId, venueOrderId: o.venueOrderId, status: o.status, filledQty: Quantity.fromRaw(o.filledRaw, precision) };
  }

  /** An order's current quantity and prices at the venue (after amends and OCO reductions). */
  queryOrderTerms(clientOrderId: string): VenueOrderTerms | undefined {
    const o = this.orders.get(clientOrderId);
    const inst = o && this.books.get(o.instrumentId)?.instrument;
    if (!o || !inst) return undefined;
    const pp = inst.pricePrecision;
    return {
      quantity: Quantity.fromRaw(o.qtyRaw, inst.sizePrecision),
      price: o.priceRaw === undefined ? undefined : Price.fromRaw(o.priceRaw, pp),
      triggerPrice: o.triggerRaw === undefined ? undefined : Price.fromRaw(o.triggerRaw, pp),
    };
  }

  /** Every fill made for an order, oldest first; undefined for an order the venue does not know. */
  queryFills(clientOrderId: string): readonly OrderFilled[] | undefined {
    const o = this.orders.get(clientOrderId);
    if (!o) return undefined;
    return o.fills ? o.fills.slice() : [];
  }

  /** Cash and signed net positions of the venue account. */
  queryAccount(): VenueAccount {
    const netQtyRaw = new Map<string, number>();
    for (const book of this.books.values()) if (book.netRaw !== 0) netQtyRaw.set(book.instrument.id, book.netRaw);
    return { cash: Money.fromRaw(this.cashRaw, this.currency), netQtyRaw };
  }

  /** The venue's latest mark price per instrument (raw at the instrument's price precision). */
  marks(): Map<string, number> {
    const out = new Map<string, number>();
    for (const book of this.books.values()) if (book.markRaw !== undefined) out.set(book.instrument.id, book.markRaw);
    return out;
  }

  // --- state export / import (paper sessions that survive restarts) ----------------------

  /** Starts recording what changes, for takeChanges(). */
  trackChanges(): void {
    this.changed ??= new Set();
    this.removed ??= new Set();
  }

  /**
   * What changed since the previous call (orders changed or forgotten, with the meta state), or
   * undefined when nothing did. Requires trackChanges().
   */
  takeChanges(): SimStateChanges | undefined {
    const changed = this.changed;
    const removed = this.removed;
    if (!changed || !removed) return undefined;
    if (changed.size === 0 && removed.size === 0 && !this.metaDirty) return undefined;
    const orders: SimOrderState[] = [];
    for (const o of changed) if (this.orders.get(o.clientOrderId) === o) orders.push(this.orderState(o));
    const gone: string[] = [];
    for (const id of removed) if (!this.orders.has(id)) gone.push(id);
    changed.clear();
    removed.clear();
    this.metaDirty = false;
    return { meta: this.metaState(), orders, removed: gone };
  }

  /** The whole state: account, books, counters, commands in flight, working and retained finished orders. */
  exportState(): SimExchangeState {
    const orders: SimOrderState[] = [];
    for (const o of this.orders.values()) orders.push(this.orderState(o));
    return { meta: this.metaState(), orders };
  }

  /**
   * Replaces the whole state with an exported one (a paper session resuming). Expiry and latency
   * timers are set again on the clock. Throws ValueError for another venue or currency, or an
   * instrument this exchange does not trade.
   */
  importState(state: SimExchangeState): void {
    const { meta } = state;
    if (meta.venue !== this.venue) throw new ValueError(`venue state is of ${meta.venue}, this exchange is ${this.venue}`);
    if (meta.currency !== this.currency.code) throw new ValueError(`venue state is in ${meta.currency}, this exchange is in ${this.currency.code}`);
    for (const o of this.orders.values()) if (o.expiryTimer) this.clock.cancelTimer(o.expiryTimer);
    this.orders.clear();
    this.queue.length = 0;
    this.finishedRing.fill(undefined);
    this.finishedNext = meta.finishedNext % this.finishedRing.length;
    this.cashRaw = BigInt(meta.cashRaw);
    this.nextOrderNo = meta.nextOrderNo;
    this.nextTradeNo = meta.nextTradeNo;
    this.nextSeq = meta.nextSeq;
    for (const book of this.books.values()) {
      book.working = [];
      book.netRaw = 0;
      book.takenAskRaw = 0;
      book.takenBidRaw = 0;
    }
    for (const b of meta.books) {
      const book = this.bookOf(b.instrumentId);
      book.bid = b.bid === undefined ? undefined : priceOf(b.bid);
      book.ask = b.ask === undefined ? undefined : priceOf(b.ask);
      book.bidSizeRaw = b.bidSizeRaw;
      book.askSizeRaw = b.askSizeRaw;
      book.quoted = b.quoted ?? false;
      book.markRaw = b.mark === undefined ? undefined : priceOf(b.mark).raw;
      book.netRaw = b.netRaw;
      const bar = b.lastBar;
      book.lastBar = bar && {
        kind: 'bar',
        instrumentId: b.instrumentId,
        intervalMs: bar.intervalMs,
        open: priceOf(bar.open),
        high: priceOf(bar.high),
        low: priceOf(bar.low),
        close: priceOf(bar.close),
        volume: quantityOf(bar.volume),
        ts: bar.ts,
      };
    }
    for (const s of state.orders) {
      const book = this.bookOf(s.instrumentId);
      const inst = book.instrument;
      const o: SimOrder = {
        clientOrderId: s.clientOrderId,
        venueOrderId: s.venueOrderId,
        strategyId: s.strategyId,
        instrumentId: s.instrumentId,
        side: s.side,
        type: s.type,
        tif: s.tif,
        reduceOnly: s.reduceOnly,
        ocoIds: [...s.ocoIds],
        qtyRaw: s.qtyRaw,
        filledRaw: s.filledRaw,
        priceRaw: s.priceRaw,
        triggerRaw: s.triggerRaw,
        triggered: s.triggered,
        rested: s.rested,
        seq: s.seq,
        status: s.status,
        expiryTimer: undefined,
        expireAt: s.expireAt,
        ringSlot: s.ringSlot,
        cutBeforeArrival: s.cutBeforeArrival ?? false,
        fills: undefined,
      };
      if (s.fills.length > 0) {
        o.fills = s.fills.map((f) => ({
          type: 'OrderFilled',
          clientOrderId: o.clientOrderId,
          instrumentId: o.instrumentId,
          strategyId: o.strategyId,
          ts: f.ts,
          venueOrderId: o.venueOrderId,
          tradeId: f.tradeId,
          side: f.side,
          lastQty: quantityOf(f.lastQty),
          lastPx: priceOf(f.lastPx),
          fee: Money.of(f.fee, inst.quoteCurrency),
          liquidity: f.liquidity,
        }));
      }
      this.orders.set(o.clientOrderId, o);
      if (this.isWorking(o)) book.working.push(o);
      if (o.ringSlot !== undefined && o.ringSlot < this.finishedRing.length) this.finishedRing[o.ringSlot] = o.clientOrderId;
      if (o.expireAt !== undefined && (this.isWorking(o) || o.status === 'SUBMITTED')) {
        const at = o.expireAt;
        o.expiryTimer = this.clock.setTimer(at, () => this.expire(o));
      }
    }
    for (const book of this.books.values()) book.working.sort((a, b) => a.seq - b.seq);
    for (const q of meta.queue) {
      let cmd: Command;
      if (q.kind === 'submit') {
        const order = this.orders.get(q.clientOrderId);
        if (!order) continue;
        cmd = { kind: 'submit', order, priceRaw: order.priceRaw, arrivesAt: q.arrivesAt };
      } else if (q.kind === 'cancel') {
        cmd = { kind: 'cancel', clientOrderId: q.clientOrderId, arrivesAt: q.arrivesAt };
      } else {
        const c = q.changes ?? {};
        const changes: OrderModification = {
          quantity: c.quantity === undefined ? undefined : quantityOf(c.quantity),
          price: c.price === undefined ? undefined : priceOf(c.price),
          triggerPrice: c.triggerPrice === undefined ? undefined : priceOf(c.triggerPrice),
        };
        cmd = { kind: 'modify', clientOrderId: q.clientOrderId, changes, arrivesAt: q.arrivesAt };
      }
      this.queue.push(cmd);
      if (cmd.arrivesAt > this.clock.now()) this.clock.setTimer(cmd.arrivesAt, () => this.flush());
    }
    this.changed?.clear();
    this.removed?.clear();
    this.metaDirty = false;
  }

  private bookOf(instrumentId: string): Book {
    const book = this.books.get(instrumentId);
    if (!book) throw new ValueError(`venue state holds instrument ${instrumentId}, which ${this.venue} does not trade`);
    return book;
  }

  private orderState(o: SimOrder): SimOrderState {
    return {
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderId,
      strategyId: o.strategyId,
      instrumentId: o.instrumentId,
      side: o.side,
      type: o.type,
      tif: o.tif,
      reduceOnly: o.reduceOnly,
      ocoIds: o.ocoIds,
      qtyRaw: o.qtyRaw,
      filledRaw: o.filledRaw,
      priceRaw: o.priceRaw,
      triggerRaw: o.triggerRaw,
      triggered: o.triggered,
      rested: o.rested,
      seq: o.seq,
      status: o.status,
      expireAt: o.expireAt,
      ringSlot: o.ringSlot,
      cutBeforeArrival: o.cutBeforeArrival,
      fills: (o.fills ?? []).map((f) => ({
        tradeId: f.tradeId,
        side: f.side,
        lastQty: f.lastQty.toString(),
        lastPx: f.lastPx.toString(),
        fee: f.fee.toDecimal(),
        liquidity: f.liquidity,
        ts: f.ts,
      })),
    };
  }

  private metaState(): SimMetaState {
    const books: SimMetaState['books'][number][] = [];
    for (const b of this.books.values()) {
      const bar = b.lastBar;
      books.push({
        instrumentId: b.instrument.id,
        bid: b.bid?.toString(),
        ask: b.ask?.toString(),
        bidSizeRaw: b.bidSizeRaw,
        askSizeRaw: b.askSizeRaw,
        quoted: b.quoted,
        mark: b.markRaw === undefined ? undefined : Price.fromRaw(b.markRaw, b.instrument.pricePrecision).toString(),
        netRaw: b.netRaw,
        lastBar: bar && {
          open: bar.open.toString(),
          high: bar.high.toString(),
          low: bar.low.toString(),
          close: bar.close.toString(),
          volume: bar.volume.toString(),
          intervalMs: bar.intervalMs,
          ts: bar.ts,
        },
      });
    }
    const queue = this.queue.map((c) => {
      if (c.kind === 'submit') return { kind: c.kind, clientOrderId: c.order.clientOrderId, arrivesAt: c.arrivesAt };
      if (c.kind === 'cancel') return { kind: c.kind, clientOrderId: c.clientOrderId, arrivesAt: c.arrivesAt };
      const ch = c.changes;
      return {
        kind: c.kind,
        clientOrderId: c.clientOrderId,
        arrivesAt: c.arrivesAt,
        changes: { quantity: ch.quantity?.toString(), price: ch.price?.toString(), triggerPrice: ch.triggerPrice?.toString() },
      };
    });
    return {
      venue: this.venue,
      currency: this.currency.code,
      cashRaw: this.cashRaw.toString(),
      nextOrderNo: this.nextOrderNo,
      nextTradeNo: this.nextTradeNo,
      nextSeq: this.nextSeq,
      finishedNext: this.finishedNext,
      books,
      queue,
    };
  }

  /** Processes every command that has reached the venue (zero-latency commands). */
  flush(): void {
    const now = this.clock.now();
    while (this.queue.length > 0 && this.queue[0]!.arrivesAt <= now) this.process(this.queue.shift()!);
  }

  /** True when commands are waiting to be processed. */
  get hasPending(): boolean {
    return this.queue.length > 0;
  }

  /** Feeds market data: updates the book and matches working orders against it. */
  onMarketData(d: MarketData): void {
    const book = this.books.get(d.instrumentId);
    if (!book) return;
    if (d.kind === 'quote') this.onQuote(book, d);
    else if (d.kind === 'bar') this.onBar(book, d);
    else this.onTrade(book, d);
  }

  /** Working orders currently at the venue (for reconciliation and tests). */
  workingOrders(): VenueOrderStatus[] {
    const out: VenueOrderStatus[] = [];
    for (const book of this.books.values()) {
      for (const o of book.working) out.push(this.queryOrder(o.clientOrderId)!);
    }
    return out;
  }

  /** Venue account: cash and net positions (raw), for reconciliation. */
  account(): { cash: Money; positions: Record<string, string> } {
    const positions: Record<string, string> = {};
    for (const book of this.books.values()) {
      if (book.netRaw !== 0) positions[book.instrument.id] = Quantity.fromRaw(Math.abs(book.netRaw), book.instrument.sizePrecision).toString();
    }
    return { cash: Money.fromRaw(this.cashRaw, this.currency), positions };
  }

  // --- commands -------------------------------------------------------------------------

  private enqueue(cmd: Command, instrumentId: string, order?: Readonly<Order>, expireAt?: number): void {
    const now = this.clock.now();
    const delay = this.latency.latencyMs({ command: cmd.kind, instrumentId });
    cmd.arrivesAt = now + delay;
    if (cmd.kind === 'submit' && order) {
      this.orders.set(order.clientOrderId, cmd.order);
      this.changed?.add(cmd.order);
    }
    this.metaDirty = this.changed !== undefined;
    if (cmd.kind === 'submit' && expireAt !== undefined) {
      const sim = cmd.order;
      sim.expiryTimer = this.clock.setTimer(expireAt, () => this.expire(sim));
    }
    this.queue.push(cmd);
    if (delay > 0) this.clock.setTimer(cmd.arrivesAt, () => this.flush());
  }

  private process(cmd: Command): void {
    if (cmd.kind === 'submit') this.arrive(cmd.order);
    else if (cmd.kind === 'cancel') this.processCancel(cmd.clientOrderId);
    else this.processModify(cmd.clientOrderId, cmd.changes);
  }

  private arrive(o: SimOrder): void {
    if (o.status !== 'SUBMITTED') return; // expired before it arrived
    const book = this.books.get(o.instrumentId);
    if (!book) return this.reject(o, 'UNKNOWN_INSTRUMENT', `instrument ${o.instrumentId} is not traded on ${this.venue}`);
    const problem = this.validate(book, o);
    if (problem) return this.reject(o, problem[0], problem[1]);
    const bp = this.buyingPowerProblem(book, o);
    if (bp) return this.reject(o, 'INSUFFICIENT_BUYING_POWER', bp);
    o.status = 'ACCEPTED';
    o.seq = this.nextSeq++;
    // The two events of every order are written whole: completing a literal adds properties
    // out of object, an allocation and a new hidden class each time.
    this.changed?.add(o);
    this.report({ type: 'OrderAccepted', clientOrderId: o.clientOrderId, instrumentId: o.instrumentId, strategyId: o.strategyId, ts: this.clock.now(), venueOrderId: o.venueOrderId });
    book.working.push(o);
    if (o.cutBeforeArrival) {
      o.cutBeforeArrival = false;
      this.emitUpdated(o, book.instrument);
    }
    // With bar data the order waits for the next bar; with quotes it meets the current touch.
    if (book.lastBar === undefined && book.ask !== undefined) this.matchQuote(book, [o]);
  }

  private validate(book: Book, o: SimOrder): [RejectReason, string] | undefined {
    const inst = book.instrument;
    const qtyProblem = inst.orderQuantityRawProblem(o.qtyRaw);
    if (qtyProblem) return ['INVALID_QUANTITY', qtyProblem];
    const needsPrice = o.type === 'LIMIT' || o.type === 'STOP_LIMIT';
    const needsTrigger = o.type === 'STOP_MARKET' || o.type === 'STOP_LIMIT';
    if (needsPrice && o.priceRaw === undefined) return ['INVALID_PRICE', `${o.type} order needs a price`];
    if (needsTrigger && o.triggerRaw === undefined) return ['INVALID_PRICE', `${o.type} order needs a trigger price`];
    return offTick(inst, o.priceRaw) ?? offTick(inst, o.triggerRaw);
  }

  /**
   * Buying power covers the exposure the account would have if its resting orders filled too: an
   * order is refused when it grows its book's exposure (exposureRaw) beyond what buying power
   * allows, with the other books at their exposures.
   */
  private buyingPowerProblem(book: Book, o: SimOrder): string | undefined {
    const { buys, sells } = this.restingOf(book);
    const net = book.netRaw;
    const after = o.side === 'BUY' ? exposureOf(net, buys + o.qtyRaw, sells) : exposureOf(net, buys, sells + o.qtyRaw);
    if (after <= exposureOf(net, buys, sells)) return undefined; // adds no exposure
    const pxRaw = o.priceRaw ?? o.triggerRaw ?? (o.side === 'BUY' ? book.ask?.raw : book.bid?.raw) ?? book.markRaw ?? book.lastBar?.close.raw;
    if (pxRaw === undefined) return undefined; // priced at first fill; checked by the engine's risk layer
    const fits = this.fitsBuyingPowerNum(book, pxRaw, after);
    if (fits !== undefined) return fits ? undefined : this.buyingPowerMessage(book, pxRaw, after);
    return this.buyingPowerMessage(book, pxRaw, after);
  }

  /** Open quantity of the book's resting orders that can add exposure (all but reduce-only ones), by side, in `resting` (reused). */
  private restingOf(book: Book): Readonly<RestingQty> {
    const r = this.resting;
    r.buys = 0;
    r.sells = 0;
    const working = book.working;
    for (let i = 0; i < working.length; i++) {
      const w = working[i]!;
      if (w.reduceOnly) continue;
      if (w.side === 'BUY') r.buys += w.qtyRaw - w.filledRaw;
      else r.sells += w.qtyRaw - w.filledRaw;
    }
    return r;
  }

  /** A book's exposure with its resting orders counted as filled (restingOf). */
  private exposureRaw(book: Book): number {
    const { buys, sells } = this.restingOf(book);
    return exposureOf(book.netRaw, buys, sells);
  }

  /**
   * The buying-power test in safe-integer arithmetic (exact, no allocation), or undefined when a
   * figure leaves the safe range and the bigint path must decide.
   */
  private fitsBuyingPowerNum(book: Book, pxRaw: number, afterAbsRaw: number): boolean | undefined {
    let equity = Number(this.cashRaw);
    if (!Number.isSafeInteger(equity)) return undefined;
    let gross = 0;
    for (const b of this.books.values()) {
      const net = b.netRaw;
      if (b.markRaw === undefined || (net === 0 && b.working.length === 0)) continue;
      const mv = net === 0 ? 0 : b.instrument.notionalNum(b.markRaw, net);
      if (mv === undefined) return undefined;
      equity += mv;
      if (b !== book) {
        const exposure = b.working.length === 0 ? Math.abs(net) : this.exposureRaw(b);
        const exposed = exposure === Math.abs(net) ? Math.abs(mv) : b.instrument.notionalNum(b.markRaw, exposure);
        if (exposed === undefined) return undefined;
        gross += exposed;
      }
      if (!Number.isSafeInteger(equity) || !Number.isSafeInteger(gross)) return undefined;
    }
    const own = book.instrument.notionalNum(pxRaw, afterAbsRaw);
    if (own === undefined) return undefined;
    const projected = gross + own;
    const scaledEquity = equity * this.leverageMilli;
    if (!Number.isSafeInteger(projected) || !Number.isSafeInteger(scaledEquity)) return undefined;
    // The bigint path's limit, equity × leverage‰ / 1000 truncated toward zero, exactly.
    const limit = truncDiv(scaledEquity, 1000);
    return projected <= limit;
  }

  /** The exact (bigint) buying-power test: a refusal message, or undefined when the order fits. */
  private buyingPowerMessage(book: Book, pxRaw: number, afterAbsRaw: number): string | undefined {
    let equity = this.cashRaw;
    let gross = 0n;
    for (const b of this.books.values()) {
      if (b.markRaw === undefined) continue;
      if (b.netRaw !== 0) equity += b.instrument.notionalRaw(b.markRaw, b.netRaw);
      if (b !== book) gross += b.instrument.notionalRaw(b.markRaw, this.exposureRaw(b));
    }
    const projected = gross + book.instrument.notionalRaw(pxRaw, afterAbsRaw);
    const limit = (equity * BigInt(this.leverageMilli)) / 1000n;
    if (projected > limit) {
      const ccy = this.currency;
      return `order needs gross exposure ${Money.fromRaw(projected, ccy)} but buying power is ${Money.fromRaw(limit, ccy)} (equity ${Money.fromRaw(equity, ccy)} × leverage ${this.leverage})`;
    }
    return undefined;
  }

  private processCancel(id: string): void {
    const o = this.orders.get(id);
    if (!o || !this.isWorking(o)) {
      const ids = o ?? { clientOrderId: id, strategyId: '', instrumentId: '' };
      this.emitRaw(ids, { type: 'OrderCancelRejected', message: o ? `order ${id} is ${o.status}` : `order ${id} is unknown to ${this.venue}` });
      return;
    }
    this.cancelWorking(o, 'canceled by request');
  }

  private processModify(id: string, changes: OrderModification): void {
    const o = this.orders.get(id);
    if (!o || !this.isWorking(o)) {
      const ids = o ?? { clientOrderId: id, strategyId: '', instrumentId: '' };
      this.emitRaw(ids, { type: 'OrderModifyRejected', message: o ? `order ${id} is ${o.status}` : `order ${id} is unknown to ${this.venue}` });
      return;
    }
    const book = this.books.get(o.instrumentId)!;
    const inst = book.instrument;
    const problem = this.modificationProblem(book, o, changes);
    if (problem) {
      this.emit(o, { type: 'OrderModifyRejected', message: problem });
      return;
    }
    o.qtyRaw = changes.quantity?.raw ?? o.qtyRaw;
    o.priceRaw = changes.price?.raw ?? o.priceRaw;
    o.triggerRaw = changes.triggerPrice?.raw ?? o.triggerRaw;
    o.seq = this.nextSeq++; // an amended order loses its time priority
    this.emitUpdated(o, inst);
    if (o.filledRaw === o.qtyRaw) return this.finish(book, o, 'FILLED');
    // Fix: the amended order kept rested = true, so a limit amended through the touch (buy limit
    // moved from 99.50 to 100.10 with the ask at 100.02) filled as maker at its own 100.10 instead
    // of taking the 100.02 ask. Having lost its priority, it meets the market as a new order.
    o.rested = false;
    if (book.lastBar === undefined && book.ask !== undefined) this.matchQuote(book, [o]);
  }

  /**
   * Why an amendment is refused: a value at another precision than the instrument's, a quantity
   * below the filled one (or 0), the amended order failing the checks of a new one (unless it is
   * cut to exactly its filled quantity, which ends it), or a larger quantity that buying power
   * does not cover.
   */
  private modificationProblem(book: Book, o: SimOrder, changes: OrderModification): string | undefined {
    const inst = book.instrument;
    const { quantity, price, triggerPrice } = changes;
    if (quantity !== undefined && quantity.precision !== inst.sizePrecision) return `quantity ${quantity} has precision ${quantity.precision}, ${inst.id} uses ${inst.sizePrecision}`;
    for (const px of [price, triggerPrice]) {
      if (px !== undefined && px.precision !== inst.pricePrecision) return `price ${px} has precision ${px.precision}, ${inst.id} uses ${inst.pricePrecision}`;
    }
    const qtyRaw = quantity?.raw ?? o.qtyRaw;
    if (qtyRaw < o.filledRaw || qtyRaw === 0) return `quantity ${quantity} is below the filled ${Quantity.fromRaw(o.filledRaw, inst.sizePrecision)}`;
    if (qtyRaw === o.filledRaw) return undefined;
    const trial = { ...o, qtyRaw, priceRaw: price?.raw ?? o.priceRaw, triggerRaw: triggerPrice?.raw ?? o.triggerRaw };
    const invalid = this.validate(book, trial);
    if (invalid) return invalid[1];
    return qtyRaw > o.qtyRaw ? this.buyingPowerProblem(book, { ...trial, qtyRaw: qtyRaw - o.qtyRaw }) : undefined;
  }

  private expire(o: SimOrder): void {
    o.expiryTimer = undefined;
    if (!this.isWorking(o) && o.status !== 'SUBMITTED') return;
    const book = this.books.get(o.instrumentId);
    o.status = 'EXPIRED';
    if (book) this.removeWorking(book, o);
    this.retire(o);
    this.emit(o, { type: 'OrderExpired' });
  }

  // --- market data ----------------------------------------------------------------------

  /** A new touch, marked at its mid: its displayed sizes are whole again for this venue's orders. */
  private setTouch(book: Book, bid: Price, ask: Price, bidSizeRaw: number, askSizeRaw: number): void {
    book.markRaw = Math.round((bid.raw + ask.raw) / 2);
    book.bid = bid;
    book.ask = ask;
    book.bidSizeRaw = bidSizeRaw;
    book.askSizeRaw = askSizeRaw;
    book.takenAskRaw = 0;
    book.takenBidRaw = 0;
  }

  private onQuote(book: Book, q: QuoteTick): void {
    this.setTouch(book, q.bid, q.ask, q.bidSize.raw, q.askSize.raw);
    book.quoted = true;
    book.lastBar = undefined;
    if (book.working.length > 0) this.matchQuote(book, book.working.slice());
  }

  private onTrade(book: Book, t: TradeTick): void {
    book.markRaw = t.price.raw;
    if (!book.quoted) {
      // Trade-only data: each trade stands in for both sides of the book.
      this.setTouch(book, t.price, t.price, t.size.raw, t.size.raw);
      if (book.working.length > 0) this.matchQuote(book, book.working.slice());
    }
  }

  private onBar(book: Book, bar: Bar): void {
    book.lastBar = bar;
    book.markRaw = bar.close.raw;
    if (book.working.length === 0) return;
    const candidates = this.prioritized(book.working.slice());
    // The bar's volume is shared by every order matched against it.
    let takenRaw = 0;
    for (const o of candidates) {
      if (!this.isWorking(o)) continue;
      takenRaw += this.matchBarOrder(book, bar, o, takenRaw);
      this.afterPass(o);
    }
  }

  /** Matches one order against a bar, of whose volume `takenRaw` is already filled; returns the raw quantity filled. */
  private matchBarOrder(book: Book, bar: Bar, o: SimOrder, takenRaw: number): number {
    const buy = o.side === 'BUY';
    const open = bar.open.raw;
    const isStop = o.type === 'STOP_MARKET' || o.type === 'STOP_LIMIT';
    // A stop triggered inside this bar (not at its open) trades from its trigger price.
    let fromTrigger = false;
    if (isStop && !o.triggered) {
      const t = o.triggerRaw!;
      const reached = buy ? bar.high.raw >= t : bar.low.raw <= t;
      if (!reached) return 0;
      fromTrigger = buy ? open < t : open > t;
      this.trigger(o);
    }
    const reference = fromTrigger ? o.triggerRaw! : open;
    let pxRaw = reference;
    let liquidity: LiquiditySide = 'TAKER';
    if (o.type === 'LIMIT' || o.type === 'STOP_LIMIT') {
      const limit = o.priceRaw!;
      const crossedAtReference = buy ? reference <= limit : reference >= limit;
      const touched = buy ? bar.low.raw <= limit : bar.high.raw >= limit;
      if (!crossedAtReference) {
        if (!touched) return 0;
        pxRaw = limit;
        liquidity = 'MAKER';
      }
    }
    return this.fill(book, o, pxRaw, liquidity, bar.volume.raw > 0 ? bar.volume.raw : undefined, takenRaw, o.type === 'MARKET' || o.type === 'STOP_MARKET');
  }

  private matchQuote(book: Book, orders: SimOrder[]): void {
    const candidates = orders.length > 1 ? this.prioritized(orders) : orders;
    for (const o of candidates) {
      if (!this.isWorking(o)) continue;
      const buy = o.side === 'BUY';
      const touch = buy ? book.ask! : book.bid!;
      if ((o.type === 'STOP_MARKET' || o.type === 'STOP_LIMIT') && !o.triggered) {
        if (buy ? touch.raw < o.triggerRaw! : touch.raw > o.triggerRaw!) {
          this.afterPass(o);
          continue;
        }
        this.trigger(o);
      }
      let filled = 0;
      // The displayed size is shared by every order that meets this quote, arrivals included.
      const displayed = buy ? book.askSizeRaw : book.bidSizeRaw;
      const taken = buy ? book.takenAskRaw : book.takenBidRaw;
      if (o.type === 'MARKET' || o.type === 'STOP_MARKET') {
        filled = this.fill(book, o, touch.raw, 'TAKER', displayed, taken, true);
      } else {
        const limit = o.priceRaw!;
        const crosses = buy ? touch.raw <= limit : touch.raw >= limit;
        // A resting order is the maker at its own price; a newly arrived marketable one takes the touch.
        if (crosses) filled = o.rested ? this.fill(book, o, limit, 'MAKER', displayed, taken) : this.fill(book, o, touch.raw, 'TAKER', displayed, taken);
      }
      if (buy) book.takenAskRaw += filled;
      else book.takenBidRaw += filled;
      this.afterPass(o);
    }
  }

  /** Sorts by matching rank, then price priority, then time priority. */
  private prioritized(orders: SimOrder[]): SimOrder[] {
    return orders.sort((a, b) => {
      const rank = matchRank(a) - matchRank(b);
      if (rank !== 0) return rank;
      if (a.side === b.side && a.priceRaw !== undefined && b.priceRaw !== undefined && a.priceRaw !== b.priceRaw) {
        return a.side === 'BUY' ? b.priceRaw - a.priceRaw : a.priceRaw - b.priceRaw;
      }
      return a.seq - b.seq;
    });
  }

  /** After an order's first matching pass: IOC remainders cancel; the order now rests. */
  private afterPass(o: SimOrder): void {
    if (!this.isWorking(o)) return;
    // Fix: FOK was only canceled inside fill(), so a FOK that could not trade at all on its first
    // pass (a limit behind the touch, a triggered stop-limit past its limit) rested like a GTC.
    // A FOK still working after its first pass did not fill in full: cancel it, as IOC.
    if (!o.rested && (o.tif === 'IOC' || o.tif === 'FOK') && (o.triggered || (o.type !== 'STOP_MARKET' && o.type !== 'STOP_LIMIT'))) {
      this.cancelWorking(o, o.tif === 'IOC' ? 'IOC remainder canceled' : 'FOK order could not be filled in full');
      return;
    }
    if (!o.rested) {
      o.rested = true;
      this.changed?.add(o);
    }
  }

  private trigger(o: SimOrder): void {
    o.triggered = true;
    o.status = 'TRIGGERED';
    // Fix: only STOP_LIMIT used to reset `rested`; a STOP_MARKET that had rested untriggered kept
    // rested = true, so once triggered its IOC remainder was never canceled and FOK allowed
    // partial fills. A triggered stop is a new order meeting the market: it gets a first pass.
    o.rested = false;
    this.emit(o, { type: 'OrderTriggered' });
  }

  /**
   * Fills as much of `o` as the fill model (given the size available and how much of it this venue's
   * orders already took), reduce-only and FOK allow at `pxRaw`. Returns the raw quantity filled.
   */
  private fill(book: Book, o: SimOrder, pxRaw: number, liquidity: LiquiditySide, availableRaw: number | undefined, takenRaw: number, slip = false): number {
    const inst = book.instrument;
    let wanted = o.qtyRaw - o.filledRaw;
    if (o.reduceOnly) {
      const reducible = o.side === 'BUY' ? Math.max(0, -book.netRaw) : Math.max(0, book.netRaw);
      if (reducible === 0) {
        this.cancelWorking(o, 'reduce-only order would increase the position');
        return 0;
      }
      wanted = Math.min(wanted, reducible);
    }
    const qty = this.fillModel.fillableRaw({ instrument: inst, side: o.side, wantedRaw: wanted, availableRaw, takenRaw });
    if (o.tif === 'FOK' && !o.rested && qty < o.qtyRaw - o.filledRaw) {
      this.cancelWorking(o, 'FOK order could not be filled in full');
      return 0;
    }
    if (qty <= 0) return 0;
    const touch = Price.fromRaw(pxRaw, inst.pricePrecision);
    const price = slip ? this.slippage.fillPrice({ instrument: inst, side: o.side, price: touch, quantityRaw: qty }) : touch;
    const lastQty = Quantity.fromRaw(qty, inst.sizePrecision);
    const fee = this.fees.fee({ instrument: inst, price, quantity: lastQty, liquidity });
    const s = o.side === 'BUY' ? 1 : -1;
    o.filledRaw += qty;
    book.netRaw += s * qty;
    const notional = inst.notionalRaw(price.raw, qty);
    this.cashRaw = (s > 0 ? this.cashRaw - notional : this.cashRaw + notional) - fee.raw;
    if (book.markRaw === undefined) book.markRaw = price.raw;
    const done = o.filledRaw === o.qtyRaw;
    o.status = done ? 'FILLED' : 'PARTIALLY_FILLED';
    const event: OrderFilled = {
      type: 'OrderFilled',
      clientOrderId: o.clientOrderId,
      instrumentId: o.instrumentId,
      strategyId: o.strategyId,
      ts: this.clock.now(),
      venueOrderId: o.venueOrderId,
      tradeId: `${this.venue}-T${decimalDigits(this.nextTradeNo++)}`,
      side: o.side,
      lastQty,
      lastPx: price,
      fee,
      liquidity,
    };
    (o.fills ??= []).push(event);
    this.changed?.add(o);
    this.report(event);
    if (done) this.finish(book, o, 'FILLED');
    this.applyOco(o, qty, done);
    return qty;
  }

  /** One-cancels-other: a full fill cancels siblings; a partial fill shrinks them by the same amount. */
  private applyOco(o: SimOrder, qty: number, done: boolean): void {
    for (const id of o.ocoIds) {
      const sib = this.orders.get(id);
      if (!sib || !(this.isWorking(sib) || sib.status === 'SUBMITTED')) continue;
      const inst = this.books.get(sib.instrumentId)!.instrument;
      if (done || sib.qtyRaw - qty <= sib.filledRaw) {
        if (sib.status === 'SUBMITTED') {
          sib.status = 'CANCELED';
          this.retire(sib);
          this.emit(sib, { type: 'OrderCanceled', reason: `OCO sibling ${o.clientOrderId} filled` });
        } else this.cancelWorking(sib, `OCO sibling ${o.clientOrderId} filled`);
      } else {
        sib.qtyRaw -= qty;
        // An order not yet arrived cannot be updated: it is told of the cut right after its acceptance.
        if (sib.status === 'SUBMITTED') {
          sib.cutBeforeArrival = true;
          this.changed?.add(sib);
        } else this.emitUpdated(sib, inst);
      }
    }
  }

  private cancelWorking(o: SimOrder, reason: string): void {
    const book = this.books.get(o.instrumentId)!;
    this.finish(book, o, 'CANCELED');
    this.emit(o, { type: 'OrderCanceled', reason });
  }

  private finish(book: Book, o: SimOrder, status: OrderStatus): void {
    o.status = status;
    this.removeWorking(book, o);
    this.retire(o);
    if (o.expiryTimer) {
      this.clock.cancelTimer(o.expiryTimer);
      o.expiryTimer = undefined;
    }
  }

  private removeWorking(book: Book, o: SimOrder): void {
    removeItem(book.working, o);
  }

  /** Records a finished order; the oldest finished order beyond the retention is forgotten. */
  private retire(o: SimOrder): void {
    const ring = this.finishedRing;
    const evicted = ring[this.finishedNext];
    if (evicted !== undefined) {
      this.orders.delete(evicted);
      this.removed?.add(evicted);
    }
    ring[this.finishedNext] = o.clientOrderId;
    o.ringSlot = this.finishedNext;
    this.finishedNext = (this.finishedNext + 1) % ring.length;
  }

  private reject(o: SimOrder, reason: RejectReason, message: string): void {
    o.status = 'REJECTED';
    this.retire(o);
    if (o.expiryTimer) this.clock.cancelTimer(o.expiryTimer);
    this.emit(o, { type: 'OrderRejected', reason, message });
  }

  private isWorking(o: SimOrder): boolean {
    return o.status === 'ACCEPTED' || o.status === 'TRIGGERED' || o.status === 'PARTIALLY_FILLED';
  }

  private emitUpdated(o: SimOrder, inst: Instrument): void {
    this.emit(o, {
      type: 'OrderUpdated',
      quantity: Quantity.fromRaw(o.qtyRaw, inst.sizePrecision),
      price: o.priceRaw === undefined ? undefined : Price.fromRaw(o.priceRaw, inst.pricePrecision),
      triggerPrice: o.triggerRaw === undefined ? undefined : Price.fromRaw(o.triggerRaw, inst.pricePrecision),
    });
  }

  private emit(o: SimOrder, body: DistributiveOmit<VenueEvent, 'clientOrderId' | 'instrumentId' | 'strategyId' | 'ts'>): void {
    // Every change to an order is reported with an event: that is where it is marked changed.
    this.changed?.add(o);
    this.emitRaw(o, body);
  }

  private emitRaw(
    ids: { clientOrderId: string; strategyId: string; instrumentId: string },
    body: DistributiveOmit<VenueEvent, 'clientOrderId' | 'instrumentId' | 'strategyId' | 'ts'>,
  ): void {
    // The body is a fresh literal from the call site: completing it in place avoids a spread copy per event.
    const event = body as Record<string, unknown>;
    event.clientOrderId = ids.clientOrderId;
    event.instrumentId = ids.instrumentId;
    event.strategyId = ids.strategyId;
    event.ts = this.clock.now();
    this.report(event as unknown as VenueEvent);
  }
}

function offTick(inst: Instrument, raw: number | undefined): [RejectReason, string] | undefined {
  if (raw === undefined || (raw > 0 && raw % inst.tickSize.raw === 0)) return undefined;
  return ['INVALID_PRICE', `price ${Price.fromRaw(raw, inst.pricePrecision)} is not a positive multiple of tick ${inst.tickSize} for ${inst.id}`];
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
