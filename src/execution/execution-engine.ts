/**
 * ExecutionEngine: the order gateway between order sources (strategies, the API, operators) and
 * the venue. It owns the order cache and the client order id space, validates each order, puts
 * it to the pre-trade gate (the risk engine), sends it through the ExecutionClient port, applies
 * what the venue reports through each order's transition table, and manages bracket
 * contingencies (the exits are sent once the entry fills and follow its filled quantity).
 * Everything it decides is published on the bus; nothing is thrown for a bad order.
 *
 * A command the client throws on (a venue timeout) is ambiguous: the venue may or may not have
 * it. Such an order is never blindly sent again: resolveAmbiguous() first asks the venue about it
 * by client order id (reconcileOrder) and resends only what the venue never saw. The same
 * reconciliation brings orders rebuilt from a journal (restore) in line with the venue at start-up.
 */
import { ChurnMap } from '../core/churn-map.js';
import { removeItem } from '../core/remove-item.js';
import type { MessageBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import { oppositeSide } from '../model/enums.js';
import type { Instrument } from '../model/instrument.js';
import type { OrderEventBody, OrderEventType, OrderFilled } from '../model/order-events.js';
import { Order, type OrderRequest } from '../model/order.js';
import type { DenialReason } from '../model/reasons.js';
import type { PreTradeGate } from '../risk/gate.js';
import type { ExecutionClient, OrderModification, VenueEvent } from './ports.js';
import { RecentList } from '../core/recent-list.js';
import { ClientOrderIds } from './client-order-ids.js';

export interface BracketRequest {
  readonly entry: OrderRequest;
  readonly stopLoss: Price;
  readonly takeProfit: Price;
}

export type SubmitResult = { ok: true; order: Order } | { ok: false; reason: string; message: string };

/** A command whose fate at the venue is unknown (the client threw while sending it). */
export interface AmbiguousCommand {
  readonly command: 'submit' | 'cancel' | 'modify';
  readonly changes?: OrderModification | undefined;
  readonly error: string;
}

/**
 * What reconciling one order with the venue found and did:
 * - in-sync: the venue agrees with the order; nothing to do
 * - updated: events the order had missed (ack, amend, trigger, fills, end) were applied
 * - resent: a command the venue never saw was sent again (`resent` names it; a submit is
 *   followed by the cancel or amend still pending)
 * - query-failed: the venue could not be asked (try again later)
 * - unknown-at-venue: the venue does not know an order it had acknowledged (a mismatch)
 * - unreconcilable: the venue's fills cannot be listed, or its end state cannot be reached
 * - not-working: the order is unknown here, finished, or not sent yet
 */
export interface ReconcileResult {
  readonly clientOrderId: string;
  readonly outcome: 'in-sync' | 'updated' | 'resent' | 'query-failed' | 'unknown-at-venue' | 'unreconcilable' | 'not-working';
  readonly applied: readonly OrderEventType[];
  readonly resent?: 'submit' | 'cancel' | 'modify' | undefined;
  readonly message?: string | undefined;
}

const VENUE_WORKING: ReadonlySet<string> = new Set(['SUBMITTED', 'ACCEPTED', 'TRIGGERED', 'PARTIALLY_FILLED', 'PENDING_CANCEL', 'PENDING_UPDATE']);
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export interface ExecutionEngineOptions {
  bus: MessageBus;
  clock: Clock;
  client: ExecutionClient;
  instruments: readonly Instrument[];
  gate: PreTradeGate;
  /** Signed raw position per instrument, for reduce-only checks. */
  netQtyRaw: (instrumentId: string) => number;
  /** How many recent fills list-executions keeps (default 10,000). */
  executionsKept?: number;
  /** How many finished orders stay queryable by id (default 10,000); working orders always do. */
  finishedOrdersKept?: number;
}

const DAY_MS = 86_400_000;
const NO_ORDERS: readonly Order[] = [];

/** A price or trigger price the order type requires and lacks, or has and does not take. */
function termsProblem(order: Order): string | undefined {
  const needsPrice = order.type === 'LIMIT' || order.type === 'STOP_LIMIT';
  const needsTrigger = order.type === 'STOP_MARKET' || order.type === 'STOP_LIMIT';
  if (needsPrice && !order.price) return `${order.type} order ${order.clientOrderId} needs a price`;
  if (!needsPrice && order.price) return `${order.type} order ${order.clientOrderId} takes no price`;
  if (needsTrigger && !order.triggerPrice) return `${order.type} order ${order.clientOrderId} needs a trigger price`;
  if (!needsTrigger && order.triggerPrice) return `${order.type} order ${order.clientOrderId} takes no trigger price`;
  return undefined;
}

function offTick(inst: Instrument, what: string, px: Price | undefined): string | undefined {
  if (px === undefined || (inst.isOnTick(px) && px.raw > 0)) return undefined;
  return `${what} ${px} is not a positive multiple of tick ${inst.tickSize} for ${inst.id}`;
}

/**
 * Exits on the wrong sides of a bracket: a long's stop-loss must be below its take-profit (and a
 * limit entry's price between them), a short's the other way round; a stop on the wrong side
 * triggers at once and a target on the wrong side fills at once.
 */
function bracketSidesProblem(entry: OrderRequest, bracket: BracketRequest): { reason: DenialReason; message: string } | undefined {
  const long = entry.side === 'BUY';
  const limit = entry.type === 'LIMIT' ? entry.price : undefined;
  const levels = limit ? [bracket.stopLoss, limit, bracket.takeProfit] : [bracket.stopLoss, bracket.takeProfit];
  if (levels.every((px, i) => i === 0 || (long ? px.raw > levels[i - 1]!.raw : px.raw < levels[i - 1]!.raw))) return undefined;
  const path = limit ? 'stop-loss to entry to take-profit' : 'stop-loss to take-profit';
  const given = `stop-loss ${bracket.stopLoss}${limit ? `, entry ${limit}` : ''}, take-profit ${bracket.takeProfit}`;
  return { reason: 'INVALID_ORDER', message: `prices must ${long ? 'rise' : 'fall'} from ${path} for a ${entry.side} entry: ${given}` };
}

/** What strategies, the API and operators use to trade. */
export type OrderGateway = Pick<ExecutionEngine, 'submit' | 'submitBracket' | 'cancel' | 'modify' | 'status' | 'listExecutions' | 'workingOrders'>;

export class ExecutionEngine {
  private readonly bus: MessageBus;
  private readonly clock: Clock;
  private readonly client: ExecutionClient;
  private readonly instruments = new Map<string, Instrument>();
  private gate: PreTradeGate;
  private readonly netQtyRaw: (instrumentId: string) => number;
  private readonly orders = new ChurnMap<string, Order>();
  /** The run's client order id space: an id is never reused, even after its order is retired. */
  private readonly ids = new ClientOrderIds();
  /**
   * Working orders by instrument, in the order they started working. Arrays, not maps: an order
   * starts and stops working once each, and a map that empties after every fill reallocates its
   * table on the way down and up again (about 7% of the dense backtest).
   */
  private readonly working = new Map<string, Order[]>();
  private readonly fills: RecentList<OrderFilled>;
  /** Trade ids of fills applied before a restart (each live order remembers its own fills' ids). */
  private readonly restoredTradeIds = new Set<string>();
  private readonly finished: string[] = [];
  private finishedHead = 0;
  private readonly finishedOrdersKept: number;
  /** Commands the client threw on, by client order id, until resolveAmbiguous() settles them. */
  private readonly ambiguous = new Map<string, AmbiguousCommand>();

  constructor(opts: ExecutionEngineOptions) {
    this.bus = opts.bus;
    this.clock = opts.clock;
    this.client = opts.client;
    this.gate = opts.gate;
    this.netQtyRaw = opts.netQtyRaw;
    this.fills = new RecentList(opts.executionsKept ?? 10_000);
    this.finishedOrdersKept = opts.finishedOrdersKept ?? 10_000;
    for (const inst of opts.instruments) {
      this.instruments.set(inst.id, inst);
      // One array per instrument for the engine's life: readers may keep workingOrdersOf's view.
      this.working.set(inst.id, []);
    }
    this.client.connect((event) => this.onVenueEvent(event));
  }

  /** Replaces the pre-trade gate (the kernel installs the risk engine here). */
  setGate(gate: PreTradeGate): void {
    this.gate = gate;
  }

  /** Submits one order. Denials and duplicates are reported, never thrown. */
  submit(strategyId: string, request: OrderRequest): SubmitResult {
    const given = request.clientOrderId;
    if (given !== undefined) {
      if (this.ids.isUsed(given)) return this.duplicate(given);
      this.ids.take(given);
    }
    const id = given ?? this.ids.generate(strategyId);
    const order = this.create(id, strategyId, request);
    this.send(order);
    return { ok: true, order };
  }

  /** Submits an entry with a stop-loss and a take-profit exit (the exits are OCO, sent when the entry fills). */
  submitBracket(strategyId: string, bracket: BracketRequest): SubmitResult {
    const given = bracket.entry.clientOrderId;
    if (given !== undefined) {
      for (const id of [given, `${given}-SL`, `${given}-TP`]) if (this.ids.isUsed(id)) return this.duplicate(id);
      for (const id of [given, `${given}-SL`, `${given}-TP`]) this.ids.take(id);
    }
    const entryId = given ?? this.ids.generate(strategyId);
    const slId = `${entryId}-SL`;
    const tpId = `${entryId}-TP`;
    const e = bracket.entry;
    const exitSide = oppositeSide(e.side);
    const entry = this.create(entryId, strategyId, e, { contingency: 'OTO', linkedIds: [slId, tpId] });
    const common = { instrumentId: e.instrumentId, side: exitSide, quantity: e.quantity, reduceOnly: true, timeInForce: 'GTC' as const, tags: e.tags };
    const stopLoss = this.create(slId, strategyId, { ...common, type: 'STOP_MARKET', triggerPrice: bracket.stopLoss }, { contingency: 'OCO', parentId: entryId, linkedIds: [tpId] });
    const takeProfit = this.create(tpId, strategyId, { ...common, type: 'LIMIT', price: bracket.takeProfit }, { contingency: 'OCO', parentId: entryId, linkedIds: [slId] });
    // An exit that would be denied when the entry fills denies the entry now: no unprotected position.
    const exitProblem = this.validate(stopLoss) ?? this.validate(takeProfit) ?? bracketSidesProblem(e, bracket);
    this.send(entry, exitProblem && { reason: exitProblem.reason, message: `bracket exit: ${exitProblem.message}` });
    return { ok: true, order: entry };
  }

  /** Requests a cancel. Unknown or finished orders are reported as a rejected command. */
  cancel(clientOrderId: string): boolean {
    const order = this.orders.get(clientOrderId);
    if (!order) return this.rejectCommand('cancel', clientOrderId, 'UNKNOWN_ORDER', `order ${clientOrderId} is unknown`).ok;
    if (order.status === 'INITIALIZED') {
      // A bracket exit not yet sent is canceled locally.
      this.applyLocal(order, { type: 'OrderCanceled', reason: 'canceled before submission' });
      return true;
    }
    if (!order.isWorking || order.status === 'PENDING_CANCEL') {
      return this.rejectCommand('cancel', clientOrderId, 'NOT_CANCELABLE', `order ${clientOrderId} is ${order.status}`).ok;
    }
    this.applyLocal(order, { type: 'OrderPendingCancel' });
    this.sendCancel(order);
    return true;
  }

  /** Requests an amendment of quantity, price or trigger price. */
  modify(clientOrderId: string, changes: OrderModification): boolean {
    const order = this.orders.get(clientOrderId);
    if (!order) return this.rejectCommand('modify', clientOrderId, 'UNKNOWN_ORDER', `order ${clientOrderId} is unknown`).ok;
    if (!order.isWorking || order.status === 'PENDING_CANCEL' || order.status === 'PENDING_UPDATE') {
      return this.rejectCommand('modify', clientOrderId, 'NOT_MODIFIABLE', `order ${clientOrderId} is ${order.status}`).ok;
    }
    const invalid = this.modificationProblem(order, changes);
    if (invalid) return this.rejectCommand('modify', clientOrderId, 'INVALID_MODIFICATION', invalid).ok;
    const denial = this.addedQuantityDenial(order, changes);
    if (denial) return this.rejectCommand('modify', clientOrderId, denial.reason, denial.message).ok;
    this.applyLocal(order, { type: 'OrderPendingUpdate' });
    this.sendModify(order, changes);
    return true;
  }

  /** Cancels every working order (optionally of one instrument); returns how many were asked. */
  cancelAll(instrumentId?: string): number {
    let n = 0;
    for (const order of this.workingOrders()) {
      if (instrumentId !== undefined && order.instrumentId !== instrumentId) continue;
      if (order.status !== 'PENDING_CANCEL' && this.cancel(order.clientOrderId)) n++;
    }
    for (const order of this.orders.values()) {
      if (order.status === 'INITIALIZED' && (instrumentId === undefined || order.instrumentId === instrumentId)) this.cancel(order.clientOrderId);
    }
    return n;
  }

  status(clientOrderId: string): Order | undefined {
    return this.orders.get(clientOrderId);
  }

  workingOrders(): Order[] {
    const out: Order[] = [];
    for (const orders of this.working.values()) for (const o of orders) out.push(o);
    return out;
  }

  /**
   * The working orders of one instrument: a live view, the same array for the engine's life for
   * a known instrument (do not submit or cancel while iterating).
   */
  workingOrdersOf(instrumentId: string): readonly Order[] {
    return this.working.get(instrumentId) ?? NO_ORDERS;
  }

  allOrders(): IterableIterator<Order> {
    return this.orders.values();
  }

  /** The counter behind generated client order ids (journaled so a restart never reuses an id). */
  get idCounter(): number {
    return this.ids.counter;
  }

  /**
   * Adopts orders rebuilt from a journal (recovery), before any new order is sent: they become
   * queryable, working ones are tracked, their ids are never reused, generated ids continue from
   * `nextId`, and fills already applied (`tradeIds`) are ignored if the venue reports them again.
   * Nothing is published: the journal already holds these orders' history.
   */
  restore(orders: Iterable<Order>, opts: { nextId?: number; tradeIds?: Iterable<string> } = {}): void {
    const restored = [...orders];
    for (const order of restored) {
      this.orders.set(order.clientOrderId, order);
      if (order.isWorking) this.workingOf(order.instrumentId).push(order);
    }
    this.ids.restore(restored, opts.nextId);
    for (const id of opts.tradeIds ?? []) this.restoredTradeIds.add(id);
  }

  /** Records that a command's fate at the venue is unknown (e.g. a timeout after sending). */
  markAmbiguous(clientOrderId: string, command: AmbiguousCommand['command'], error: unknown, changes?: OrderModification): void {
    // A submit stays the thing to resolve even if a cancel or amend of the same order fails later.
    if (this.ambiguous.get(clientOrderId)?.command === 'submit') return;
    this.ambiguous.set(clientOrderId, { command, changes, error: messageOf(error) });
  }

  /** Commands whose fate at the venue is not known yet. */
  ambiguousCommands(): ReadonlyMap<string, AmbiguousCommand> {
    return this.ambiguous;
  }

  /**
   * Settles every ambiguous command by asking the venue about its order before anything is sent
   * again (see reconcileOrder): a submit the venue has is never resent. Commands whose query fails
   * (or whose resend throws again) stay ambiguous for a later call.
   */
  resolveAmbiguous(): ReconcileResult[] {
    const results: ReconcileResult[] = [];
    for (const [id, cmd] of [...this.ambiguous]) {
      this.ambiguous.delete(id);
      const result = this.reconcileOrder(id, { pendingModify: cmd.command === 'modify' ? cmd.changes : undefined });
      if (result.outcome === 'query-failed') this.ambiguous.set(id, cmd);
      results.push(result);
    }
    return results;
  }

  /**
   * Brings one order in line with the venue's view of it, asking the venue first (queryOrder,
   * and queryFills / queryOrderTerms when the client has them):
   * - unknown to the venue and never acknowledged: the submit never arrived, so it is sent again,
   *   followed by the cancel or amend pending on it (an amend only with `pendingModify`);
   * - known: the events the order missed are applied in order — acknowledgement, amended terms,
   *   trigger, fills it lacks (by trade id), and the venue's end state — then a cancel or amend
   *   still pending here but not seen by the venue is sent again (an amend only when
   *   `pendingModify`, the amend that was requested, is given; otherwise it is reported refused);
   * - acknowledged once but unknown to the venue now: reported `unknown-at-venue`, and canceled
   *   locally when `cancelIfUnknown` (the venue's view is adopted).
   * Events are applied and published like venue events. Never throws for a venue failure: a
   * failed query is reported as `query-failed`.
   */
  reconcileOrder(clientOrderId: string, opts: { pendingModify?: OrderModification | undefined; cancelIfUnknown?: boolean } = {}): ReconcileResult {
    const pendingModify = opts.pendingModify;
    const order = this.orders.get(clientOrderId);
    const applied: OrderEventType[] = [];
    const done = (outcome: ReconcileResult['outcome'], extra: Partial<ReconcileResult> = {}): ReconcileResult => ({ clientOrderId, outcome, applied, ...extra });
    if (!order || order.isTerminal || order.status === 'INITIALIZED') return done('not-working');
    const apply = (body: OrderEventBody): void => {
      if (this.applyLocal(order, body)) applied.push(body.type);
    };
    let v;
    try {
      v = this.client.queryOrder(clientOrderId);
    } catch (error) {
      return done('query-failed', { message: messageOf(error) });
    }
    if (v === undefined) {
      if (order.venueOrderId !== undefined) {
        const message = `order ${clientOrderId} was acknowledged by the venue (${order.venueOrderId}) but the venue does not know it`;
        if (opts.cancelIfUnknown) apply({ type: 'OrderCanceled', reason: 'unknown to the venue at reconciliation' });
        return done('unknown-at-venue', { message });
      }
      // The submit never reached the venue: nothing can have happened to the order there. Send
      // it again, then the cancel or amend that followed it (the order keeps its pending state).
      const pending = order.status;
      if (pending === 'PENDING_UPDATE' && !pendingModify) apply({ type: 'OrderModifyRejected', message: 'amend of an order the venue never received, its terms unknown; send it again' });
      this.sendSubmit(order);
      if (pending === 'PENDING_CANCEL') this.sendCancel(order);
      else if (pending === 'PENDING_UPDATE' && pendingModify) this.sendModify(order, pendingModify);
      return done('resent', { resent: 'submit' });
    }
    // 1. The acknowledgement (an order the venue refused gets its rejection at step 5).
    if (order.venueOrderId === undefined && v.status !== 'SUBMITTED' && v.status !== 'REJECTED') apply({ type: 'OrderAccepted', venueOrderId: v.venueOrderId });
    // 2. Terms amended at the venue (an amend we sent, or an OCO sibling's partial fill).
    let terms;
    try {
      terms = this.client.queryOrderTerms?.(clientOrderId);
    } catch (error) {
      return done('query-failed', { message: messageOf(error) });
    }
    if (terms && !order.isTerminal) {
      const differs = terms.quantity.raw !== order.quantity.raw || terms.price?.raw !== order.price?.raw || terms.triggerPrice?.raw !== order.triggerPrice?.raw;
      if (differs) apply({ type: 'OrderUpdated', quantity: terms.quantity, price: terms.price, triggerPrice: terms.triggerPrice });
    }
    // 3. A stop triggered at the venue.
    if (v.status === 'TRIGGERED' && (order.status === 'ACCEPTED' || order.status === 'PENDING_CANCEL' || order.status === 'PENDING_UPDATE')) apply({ type: 'OrderTriggered' });
    // 4. Fills the order lacks, by trade id, in the venue's order.
    let fills;
    try {
      fills = this.client.queryFills?.(clientOrderId);
    } catch (error) {
      return done('query-failed', { message: messageOf(error) });
    }
    if (fills) {
      for (const fill of fills) {
        if (this.isDuplicateFill(order, fill.tradeId) || order.isTerminal) continue;
        const before = order.filledQty.raw;
        this.onVenueEvent(fill);
        if (order.filledQty.raw !== before) applied.push('OrderFilled');
      }
    }
    if (v.filledQty.raw !== order.filledQty.raw) {
      return done('unreconcilable', { message: `venue filled ${v.filledQty} of ${clientOrderId}, the order has ${order.filledQty}${fills ? '' : ' and the venue cannot list its fills'}` });
    }
    // 5. The venue's end state.
    if (!order.isTerminal) {
      if (v.status === 'CANCELED') apply({ type: 'OrderCanceled', reason: 'canceled at the venue (found at reconciliation)' });
      else if (v.status === 'EXPIRED') apply({ type: 'OrderExpired' });
      else if (v.status === 'REJECTED') apply({ type: 'OrderRejected', reason: 'VENUE_ERROR', message: 'rejected at the venue (found at reconciliation)' });
    }
    if (v.status === 'FILLED' || v.status === 'CANCELED' || v.status === 'EXPIRED' || v.status === 'REJECTED') {
      if (order.status !== v.status) return done('unreconcilable', { message: `venue has ${clientOrderId} ${v.status}, the order is ${order.status}` });
      return done(applied.length > 0 ? 'updated' : 'in-sync');
    }
    // 6. Requests still pending here that the venue has not acted on.
    if (VENUE_WORKING.has(v.status)) {
      if (order.status === 'PENDING_CANCEL') {
        this.sendCancel(order);
        return done('resent', { resent: 'cancel' });
      }
      if (order.status === 'PENDING_UPDATE') {
        if (pendingModify) {
          this.sendModify(order, pendingModify);
          return done('resent', { resent: 'modify' });
        }
        apply({ type: 'OrderModifyRejected', message: 'amend not confirmed by the venue (found at reconciliation); send it again' });
      }
    }
    return done(applied.length > 0 ? 'updated' : 'in-sync');
  }

  /** Recent fills, oldest first, optionally of one instrument. */
  listExecutions(instrumentId?: string): readonly OrderFilled[] {
    const all = this.fills.toArray();
    return instrumentId === undefined ? all : all.filter((f) => f.instrumentId === instrumentId);
  }

  // --- internals ------------------------------------------------------------------------

  private create(id: string, strategyId: string, request: OrderRequest, links: Partial<Pick<Order, 'contingency' | 'parentId' | 'linkedIds'>> = {}): Order {
    const ts = this.clock.now();
    const expireAt = request.timeInForce === 'DAY' && request.expireAt === undefined ? (Math.floor(ts / DAY_MS) + 1) * DAY_MS : request.expireAt;
    const order = new Order({
      clientOrderId: id,
      strategyId,
      request,
      expireAt,
      ts,
      contingency: links.contingency ?? 'NONE',
      parentId: links.parentId,
      linkedIds: links.linkedIds,
    });
    this.orders.set(id, order);
    this.bus.publish('order.created', { order, ts });
    return order;
  }

  /** Validates, gates and sends an INITIALIZED order (denied with `linkedProblem`, a bracket exit's, when given). */
  private send(order: Order, linkedProblem?: { reason: DenialReason; message: string }): void {
    const problem = this.validate(order) ?? linkedProblem;
    const denial = problem ?? this.gate.check(order);
    if (denial) {
      this.applyLocal(order, { type: 'OrderDenied', reason: denial.reason, message: denial.message });
      this.cancelChildren(order);
      return;
    }
    this.applyAndPublish(order, { type: 'OrderSubmitted', clientOrderId: order.clientOrderId, instrumentId: order.instrumentId, strategyId: order.strategyId, ts: this.clock.now() });
    this.sendSubmit(order);
  }

  // The client may throw (a timeout after sending): the command is then ambiguous, never retried blindly.
  private sendSubmit(order: Order): void {
    try {
      this.client.submit(order);
    } catch (error) {
      this.markAmbiguous(order.clientOrderId, 'submit', error);
    }
  }

  private sendCancel(order: Order): void {
    try {
      this.client.cancel(order.clientOrderId);
    } catch (error) {
      this.markAmbiguous(order.clientOrderId, 'cancel', error);
    }
  }

  private sendModify(order: Order, changes: OrderModification): void {
    try {
      this.client.modify(order.clientOrderId, changes);
    } catch (error) {
      this.markAmbiguous(order.clientOrderId, 'modify', error, changes);
    }
  }

  private validate(order: Order): { reason: DenialReason; message: string } | undefined {
    const inst = this.instruments.get(order.instrumentId);
    if (!inst) return { reason: 'UNKNOWN_INSTRUMENT', message: `instrument ${order.instrumentId} is unknown` };
    const problem = inst.orderQuantityProblem(order.quantity) ?? termsProblem(order) ?? offTick(inst, 'price', order.price) ?? offTick(inst, 'trigger price', order.triggerPrice);
    if (problem) return { reason: 'INVALID_ORDER', message: problem };
    if (order.reduceOnly && order.parentId === undefined) {
      const net = this.netQtyRaw(order.instrumentId);
      const reduces = order.side === 'BUY' ? net < 0 : net > 0;
      if (!reduces) return { reason: 'REDUCE_ONLY_WOULD_INCREASE', message: `reduce-only ${order.side} ${order.quantity} ${inst.id} would not reduce a ${net === 0 ? 'flat' : net > 0 ? 'long' : 'short'} position` };
    }
    return undefined;
  }

  /**
   * What makes an amendment invalid whatever the venue knows: a quantity or price at another
   * precision than the instrument's (the venue reads raw values at its own), a price or trigger
   * price the order type does not take, or a quantity of 0. Off-tick prices and quantities below
   * what has filled are the venue's to refuse: it knows the fills still on their way.
   */
  private modificationProblem(order: Order, changes: OrderModification): string | undefined {
    const inst = this.instruments.get(order.instrumentId)!;
    const { quantity, price, triggerPrice } = changes;
    if (quantity !== undefined) {
      if (quantity.precision !== inst.sizePrecision) return inst.orderQuantityProblem(quantity);
      if (quantity.raw === 0) return `quantity ${quantity} of order ${order.clientOrderId} is not positive`;
    }
    for (const [what, px] of [['price', price], ['trigger price', triggerPrice]] as const) {
      if (px !== undefined && px.precision !== inst.pricePrecision) return `${what} ${px} has precision ${px.precision}, ${inst.id} uses ${inst.pricePrecision}`;
    }
    if (price !== undefined && order.type !== 'LIMIT' && order.type !== 'STOP_LIMIT') return `${order.type} order ${order.clientOrderId} takes no price`;
    if (triggerPrice !== undefined && order.type !== 'STOP_MARKET' && order.type !== 'STOP_LIMIT') return `${order.type} order ${order.clientOrderId} takes no trigger price`;
    return undefined;
  }

  /**
   * An amendment that raises the quantity puts the added quantity to the pre-trade gate as an
   * order of its own (same side, type and prices as amended): it must pass the checks, and count
   * against the limits, as a new order for that quantity would.
   */
  private addedQuantityDenial(order: Order, changes: OrderModification): { reason: string; message: string } | undefined {
    const quantity = changes.quantity;
    if (quantity === undefined || quantity.raw <= order.quantity.raw) return undefined;
    const added = new Order({
      clientOrderId: order.clientOrderId,
      strategyId: order.strategyId,
      request: {
        instrumentId: order.instrumentId,
        side: order.side,
        type: order.type,
        quantity: Quantity.fromRaw(quantity.raw - order.quantity.raw, quantity.precision),
        price: changes.price ?? order.price,
        triggerPrice: changes.triggerPrice ?? order.triggerPrice,
        timeInForce: order.timeInForce,
        reduceOnly: order.reduceOnly,
        tags: order.tags,
      },
      expireAt: order.expireAt,
      ts: this.clock.now(),
      contingency: order.contingency,
      parentId: order.parentId,
      linkedIds: order.linkedIds,
    });
    return this.gate.check(added);
  }

  private workingOf(instrumentId: string): Order[] {
    let orders = this.working.get(instrumentId);
    if (!orders) this.working.set(instrumentId, (orders = []));
    return orders;
  }

  private duplicate(id: string): SubmitResult {
    return this.rejectCommand('submit', id, 'DUPLICATE_CLIENT_ORDER_ID', `client order id ${id} was already used in this run`);
  }

  private isDuplicateFill(order: Order, tradeId: string): boolean {
    return order.hasTrade(tradeId) || (this.restoredTradeIds.size > 0 && this.restoredTradeIds.has(tradeId));
  }

  private rejectCommand(command: 'submit' | 'cancel' | 'modify', clientOrderId: string, reason: string, message: string): { ok: false; reason: string; message: string } {
    this.bus.publish('command.rejected', { command, clientOrderId, reason, message, ts: this.clock.now() });
    return { ok: false, reason, message };
  }

  /** Applies an engine-originated event and publishes it; false when the order refused it. */
  private applyLocal(order: Order, body: OrderEventBody): boolean {
    // The body is a fresh literal from the call site: completing it in place avoids a spread copy per event.
    const event = body as Record<string, unknown>;
    event.clientOrderId = order.clientOrderId;
    event.instrumentId = order.instrumentId;
    event.strategyId = order.strategyId;
    event.ts = this.clock.now();
    return this.applyAndPublish(order, event as unknown as VenueEvent);
  }

  private onVenueEvent(event: VenueEvent): void {
    const order = this.orders.get(event.clientOrderId);
    if (!order) {
      this.bus.publish('order.error', { clientOrderId: event.clientOrderId, from: 'INITIALIZED', event: event.type, message: `venue reported ${event.type} for unknown order ${event.clientOrderId}`, ts: this.clock.now() });
      return;
    }
    if (event.type === 'OrderFilled') {
      // Fills reported twice (reconnects, replays) are applied once.
      if (this.isDuplicateFill(order, event.tradeId)) return;
    }
    this.applyAndPublish(order, event);
  }

  private applyAndPublish(order: Order, event: VenueEvent | Parameters<Order['apply']>[0]): boolean {
    const wasPendingUpdate = order.status === 'PENDING_UPDATE';
    const wasWorking = order.isWorking;
    const error = order.apply(event);
    if (error) {
      this.bus.publish('order.error', { ...error, ts: event.ts });
      return false;
    }
    const working = order.isWorking;
    if (working && !wasWorking) this.workingOf(order.instrumentId).push(order);
    else if (!working && wasWorking) removeItem(this.workingOf(order.instrumentId), order);
    if (event.type === 'OrderFilled') this.fills.push(event);
    this.bus.publish('order.event', event);
    // Retired after publishing, so subscribers can still look the order up by id while they handle its last event.
    if (order.isTerminal) this.retire(order);
    if (order.contingency === 'OTO') this.followParent(order, event.type);
    // Fix: followParent skips an exit whose resize is still in flight (PENDING_UPDATE), so an entry
    // fill landing meanwhile was never applied to the exits (with latency, entry filled 10, exits
    // left at 6). When the resize completes, size the exits to the entry's filled quantity again.
    // (Only on OrderUpdated: re-sending after a refusal could loop on a venue that keeps refusing.)
    else if (wasPendingUpdate && event.type === 'OrderUpdated' && order.parentId !== undefined) {
      const parent = this.orders.get(order.parentId);
      if (parent && parent.contingency === 'OTO') this.followParent(parent, 'OrderFilled');
    }
    return true;
  }

  /**
   * Queues a finished order for removal from the cache once more than `finishedOrdersKept`
   * orders have finished after it. A bracket member stays while any of its family still works.
   */
  private retire(order: Order): void {
    this.finished.push(order.clientOrderId);
    while (this.finished.length - this.finishedHead > this.finishedOrdersKept) {
      const id = this.finished[this.finishedHead++]!;
      const old = this.orders.get(id);
      if (old && this.familyFinished(old)) this.orders.delete(id);
      else if (old) this.finished.push(id);
    }
    if (this.finishedHead > 4096 && this.finishedHead * 2 > this.finished.length) {
      this.finished.splice(0, this.finishedHead);
      this.finishedHead = 0;
    }
  }

  private familyFinished(order: Order): boolean {
    const done = (id: string | undefined) => id === undefined || (this.orders.get(id)?.isTerminal ?? true);
    return done(order.parentId) && order.linkedIds.every(done);
  }

  /** Sends a bracket's exits on the entry's first fill and keeps them sized to what the bracket holds (see exitQuantity). */
  private followParent(parent: Order, eventType: string): void {
    if (eventType === 'OrderFilled') {
      for (const id of parent.linkedIds) {
        const child = this.orders.get(id);
        if (!child || child.isTerminal) continue;
        const quantity = this.exitQuantity(parent, child);
        if (child.status === 'INITIALIZED') {
          child.quantity = quantity;
          this.send(child);
        } else if (
          child.isWorking &&
          child.quantity.raw !== quantity.raw &&
          // At or below what the exit filled, its siblings have closed the rest: nothing to amend.
          quantity.raw > child.filledQty.raw &&
          child.status !== 'PENDING_CANCEL' &&
          child.status !== 'PENDING_UPDATE'
        ) {
          this.modify(child.clientOrderId, { quantity });
        }
      }
    } else if (parent.isTerminal && parent.filledQty.isZero) {
      this.cancelChildren(parent);
    }
  }

  /**
   * A bracket exit's quantity: the entry's filled quantity less what the exit's OCO siblings have
   * filled. That is the position the bracket still holds plus what this exit filled itself (an
   * order's quantity counts its fills), so a stop resized after a partial take-profit sells only
   * what is left rather than the entry's whole fill.
   */
  private exitQuantity(parent: Order, exit: Order): Quantity {
    let raw = parent.filledQty.raw;
    for (const id of exit.linkedIds) raw -= this.orders.get(id)?.filledQty.raw ?? 0;
    return Quantity.fromRaw(raw, parent.filledQty.precision);
  }

  private cancelChildren(parent: Order): void {
    if (parent.contingency !== 'OTO') return;
    for (const id of parent.linkedIds) {
      const child = this.orders.get(id);
      if (child && child.status === 'INITIALIZED') this.applyLocal(child, { type: 'OrderCanceled', reason: `parent ${parent.clientOrderId} ${parent.status.toLowerCase()}` });
    }
  }
}
