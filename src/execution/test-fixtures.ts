/**
 * Shared fixtures for the execution-layer tests: instruments, a harness that drives the real
 * TradingEngine + SimulatedExchange + SimulatedClock with hand-made market data records, and
 * recorders for everything the engine and the venue publish. Test-only; nothing in src imports it.
 */
import { afterEach } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import { Money, USD } from '../core/money.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import type { CommandRejected, OrderTransitionError } from '../core/topics.js';
import { TradingEngine, type MatchingVenue } from '../engine/trading-engine.js';
import type { Bar, MarketData, QuoteTick, TradeTick } from '../model/data.js';
import { Instrument } from '../model/instrument.js';
import type { OrderEvent, OrderEventType, OrderFilled } from '../model/order-events.js';
import type { OrderRequest } from '../model/order.js';
import type { OrderStatus } from '../model/order-state.js';
import type { PreTradeGate } from '../risk/gate.js';
import type { BracketRequest, SubmitResult } from './execution-engine.js';
import type { FeeModel, FillModel, LatencyModel, SlippageModel } from './models.js';
import type { OrderModification, VenueEvent, VenueOrderStatus } from './ports.js';
import { SimulatedExchange } from './simulated-exchange.js';

/** 2024-01-02 10:00:00 UTC: a plain trading morning, 14 hours before the UTC day ends. */
export const T0 = Date.UTC(2024, 0, 2, 10, 0, 0);
/** The end of T0's UTC day (when DAY orders expire). */
export const MIDNIGHT = Date.UTC(2024, 0, 3, 0, 0, 0);
export const MINUTE = 60_000;

/**
 * ACME: an equity in whole shares, cent ticks, 2 bp maker and 10 bp taker fees.
 * XBT: a crypto with a coarse tick (0.5), a 0.005 size step and a 0.01 minimum size.
 */
export const ACME = new Instrument({
  symbol: 'ACME',
  assetClass: 'EQUITY',
  quoteCurrency: 'USD',
  tickSize: '0.01',
  sizeStep: '1',
  makerFee: '0.0002',
  takerFee: '0.001',
});
export const XBT = new Instrument({
  symbol: 'XBT',
  assetClass: 'CRYPTO',
  quoteCurrency: 'USD',
  tickSize: '0.5',
  sizeStep: '0.005',
  minSize: '0.01',
  makerFee: '0.0001',
  takerFee: '0.0005',
});

export const px = (v: string | number, inst: Instrument = ACME): Price => inst.price(v);
export const qty = (v: string | number, inst: Instrument = ACME): Quantity => inst.quantity(v);
export const usd = (v: string | number): Money => Money.of(v, USD);

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['DENIED', 'REJECTED', 'CANCELED', 'EXPIRED', 'FILLED']);

/**
 * A transparent wrapper around the real SimulatedExchange: it forwards every call, records the
 * raw venue events (before the engine applies them) and can deliver each fill twice, as a venue
 * does after a reconnect.
 */
export class RecordingVenue implements MatchingVenue {
  readonly raw: VenueEvent[] = [];
  duplicateFills = false;
  /** Raw venue events that arrived for an order the venue had already finished. */
  readonly afterTerminal: VenueEvent[] = [];
  private readonly finished = new Set<string>();

  constructor(readonly exchange: SimulatedExchange) {}

  get venue(): string {
    return this.exchange.venue;
  }

  connect(report: (event: VenueEvent) => void): void {
    this.exchange.connect((event) => {
      this.raw.push(event);
      // Answers to late commands (cancel/modify rejected) are legitimate after the end; anything
      // else reported for a finished order would be a second terminal state.
      const isAnswer = event.type === 'OrderCancelRejected' || event.type === 'OrderModifyRejected';
      if (this.finished.has(event.clientOrderId) && !isAnswer) this.afterTerminal.push(event);
      const status = this.exchange.queryOrder(event.clientOrderId)?.status;
      if (status !== undefined && TERMINAL.has(status)) this.finished.add(event.clientOrderId);
      report(event);
      if (this.duplicateFills && event.type === 'OrderFilled') report(event);
    });
  }

  submit(order: Parameters<SimulatedExchange['submit']>[0]): void {
    this.exchange.submit(order);
  }

  cancel(clientOrderId: string): void {
    this.exchange.cancel(clientOrderId);
  }

  modify(clientOrderId: string, changes: OrderModification): void {
    this.exchange.modify(clientOrderId, changes);
  }

  queryOrder(clientOrderId: string): VenueOrderStatus | undefined {
    return this.exchange.queryOrder(clientOrderId);
  }

  onMarketData(record: MarketData): void {
    this.exchange.onMarketData(record);
  }

  flush(): void {
    this.exchange.flush();
  }
}

export interface HarnessOptions {
  instruments?: readonly Instrument[];
  startingCash?: string;
  leverage?: number;
  fillModel?: FillModel;
  slippageModel?: SlippageModel;
  feeModel?: FeeModel;
  latencyModel?: LatencyModel;
  gate?: PreTradeGate;
  start?: number;
  /** Finished orders the engine keeps queryable by id (the engine's default when unset). */
  finishedOrdersKept?: number;
}

export interface QuoteSpec {
  bid: string;
  ask: string;
  bidSize?: string | number;
  askSize?: string | number;
  inst?: Instrument;
}

export interface BarSpec {
  open: string;
  high: string;
  low: string;
  close: string;
  volume?: string | number;
  inst?: Instrument;
  intervalMs?: number;
}

export class Harness {
  readonly clock: SimulatedClock;
  readonly exchange: SimulatedExchange;
  readonly venue: RecordingVenue;
  readonly engine: TradingEngine;
  readonly events: OrderEvent[] = [];
  readonly rejected: CommandRejected[] = [];
  readonly errors: OrderTransitionError[] = [];
  /** Bus events published for an order after the engine already had it in a terminal state. */
  readonly afterTerminal: OrderEvent[] = [];
  private readonly terminalSeen = new Set<string>();

  constructor(opts: HarnessOptions = {}) {
    const instruments = opts.instruments ?? [ACME, XBT];
    this.clock = new SimulatedClock(opts.start ?? T0);
    this.exchange = new SimulatedExchange({
      clock: this.clock,
      instruments,
      startingCash: usd(opts.startingCash ?? '1000000'),
      leverage: opts.leverage ?? 1,
      fillModel: opts.fillModel,
      slippageModel: opts.slippageModel,
      feeModel: opts.feeModel,
      latencyModel: opts.latencyModel,
    });
    this.venue = new RecordingVenue(this.exchange);
    this.engine = new TradingEngine({
      clock: this.clock,
      instruments,
      initialCapital: usd(opts.startingCash ?? '1000000'),
      venue: this.venue,
      gate: opts.gate,
      ...(opts.finishedOrdersKept !== undefined ? { retention: { finishedOrders: opts.finishedOrdersKept } } : {}),
    });
    this.engine.bus.subscribe('order.event', (e) => {
      if (this.terminalSeen.has(e.clientOrderId)) this.afterTerminal.push(e);
      this.events.push(e);
      const order = this.engine.execution.status(e.clientOrderId);
      if (order?.isTerminal) this.terminalSeen.add(e.clientOrderId);
    });
    this.engine.bus.subscribe('command.rejected', (r) => this.rejected.push(r));
    this.engine.bus.subscribe('order.error', (r) => this.errors.push(r));
    this.engine.start();
  }

  get execution() {
    return this.engine.execution;
  }

  /** Moves the clock to `ts` (firing due timers) and dispatches a quote stamped `ts`. */
  quote(ts: number, q: QuoteSpec): QuoteTick {
    const inst = q.inst ?? ACME;
    const record: QuoteTick = {
      kind: 'quote',
      instrumentId: inst.id,
      bid: inst.price(q.bid),
      ask: inst.price(q.ask),
      bidSize: inst.quantity(q.bidSize ?? 1_000_000),
      askSize: inst.quantity(q.askSize ?? 1_000_000),
      ts,
    };
    this.clock.advanceTo(ts);
    this.engine.dispatch(record);
    return record;
  }

  /** Moves the clock to `ts` and dispatches a trade of `size` at `price` stamped `ts`. */
  trade(ts: number, price: string, size = 100, inst: Instrument = ACME): TradeTick {
    const record: TradeTick = { kind: 'trade', instrumentId: inst.id, price: inst.price(price), size: inst.quantity(size), aggressor: 'NONE', tradeId: `t${ts}`, ts };
    this.clock.advanceTo(ts);
    this.engine.dispatch(record);
    return record;
  }

  /** Moves the clock to the bar's close time `ts` and dispatches the bar. */
  bar(ts: number, b: BarSpec): Bar {
    const inst = b.inst ?? ACME;
    const record: Bar = {
      kind: 'bar',
      instrumentId: inst.id,
      intervalMs: b.intervalMs ?? MINUTE,
      open: inst.price(b.open),
      high: inst.price(b.high),
      low: inst.price(b.low),
      close: inst.price(b.close),
      volume: inst.quantity(b.volume ?? 0),
      ts,
    };
    this.clock.advanceTo(ts);
    this.engine.dispatch(record);
    return record;
  }

  advanceTo(ts: number): void {
    this.clock.advanceTo(ts);
  }

  submit(request: OrderRequest, strategyId = 'test'): SubmitResult {
    return this.engine.run(() => this.engine.execution.submit(strategyId, request));
  }

  submitBracket(bracket: BracketRequest, strategyId = 'test'): SubmitResult {
    return this.engine.run(() => this.engine.execution.submitBracket(strategyId, bracket));
  }

  cancel(clientOrderId: string): boolean {
    return this.engine.run(() => this.engine.execution.cancel(clientOrderId));
  }

  modify(clientOrderId: string, changes: OrderModification): boolean {
    return this.engine.run(() => this.engine.execution.modify(clientOrderId, changes));
  }

  /** The order's submit result, asserting it was accepted by the gateway. */
  id(result: SubmitResult): string {
    if (!result.ok) throw new Error(`submit failed: ${result.reason} ${result.message}`);
    return result.order.clientOrderId;
  }

  eventsFor(clientOrderId: string): OrderEvent[] {
    return this.events.filter((e) => e.clientOrderId === clientOrderId);
  }

  /** The event types published for one order, in order. */
  typesFor(clientOrderId: string): OrderEventType[] {
    return this.eventsFor(clientOrderId).map((e) => e.type);
  }

  fillsFor(clientOrderId: string): OrderFilled[] {
    return this.eventsFor(clientOrderId).filter((e): e is OrderFilled => e.type === 'OrderFilled');
  }

  /** Fills as [qty, px, liquidity, fee] strings, easy to compare exactly. */
  fillSummary(clientOrderId: string): Array<[string, string, string, string]> {
    return this.fillsFor(clientOrderId).map((f) => [f.lastQty.toString(), f.lastPx.toString(), f.liquidity, f.fee.toDecimal()]);
  }

  status(clientOrderId: string): OrderStatus | undefined {
    return this.engine.execution.status(clientOrderId)?.status;
  }

  filled(clientOrderId: string): string | undefined {
    return this.engine.execution.status(clientOrderId)?.filledQty.toString();
  }

  /** Net position in `inst` as a signed decimal string. */
  net(inst: Instrument = ACME): string {
    const raw = this.engine.portfolio.netQtyRaw(inst.id);
    return (raw < 0 ? '-' : '') + Quantity.fromRaw(Math.abs(raw), inst.sizePrecision).toString();
  }

  /** Invariants every scenario must keep; call at the end of each test. */
  checkInvariants(): void {
    if (this.afterTerminal.length > 0) {
      throw new Error(`events after a terminal state on the bus: ${JSON.stringify(this.afterTerminal.map((e) => [e.clientOrderId, e.type]))}`);
    }
    if (this.venue.afterTerminal.length > 0) {
      throw new Error(`venue events after a terminal state: ${JSON.stringify(this.venue.afterTerminal.map((e) => [e.clientOrderId, e.type]))}`);
    }
    // Each order reaches at most one terminal state, and its filled quantity matches its fills.
    for (const order of this.engine.execution.allOrders()) {
      const terminalEvents = this.eventsFor(order.clientOrderId).filter((e) => {
        if (e.type === 'OrderDenied' || e.type === 'OrderRejected' || e.type === 'OrderCanceled' || e.type === 'OrderExpired') return true;
        return false;
      }).length;
      const filledEvents = this.fillsFor(order.clientOrderId);
      const fillSum = filledEvents.reduce((s, f) => s + f.lastQty.raw, 0);
      if (fillSum !== order.filledQty.raw) throw new Error(`order ${order.clientOrderId}: fills sum ${fillSum} but filledQty ${order.filledQty.raw}`);
      const endedFilled = order.status === 'FILLED' ? 1 : 0;
      if (terminalEvents + endedFilled > 1) throw new Error(`order ${order.clientOrderId} reached ${terminalEvents + endedFilled} terminal states`);
    }
  }
}

/** A harness factory for one test file: every harness it makes has its invariants checked after each test. */
export function useHarnesses(): (opts?: HarnessOptions) => Harness {
  let harnesses: Harness[] = [];
  afterEach(() => {
    for (const h of harnesses) h.checkInvariants();
    harnesses = [];
  });
  return (opts = {}) => {
    const h = new Harness(opts);
    harnesses.push(h);
    return h;
  };
}
