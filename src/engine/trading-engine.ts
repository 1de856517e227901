/**
 * TradingEngine: the kernel. It wires market data → venue matching → portfolio marks →
 * strategies → order gateway (through the pre-trade gate) → venue → fills → positions and P&L,
 * and publishes every step on the bus. It is the same object in backtest, paper and live modes;
 * only the clock, the data source and the venue differ (see kernel.ts).
 */
import { MessageBus } from '../core/bus.js';
import { type Clock, repeatEvery } from '../core/clock.js';
import type { Money } from '../core/money.js';
import type { MarketData } from '../model/data.js';
import type { Instrument } from '../model/instrument.js';
import type { OrderEvent } from '../model/order-events.js';
import type { Signal } from '../model/signal.js';
import { ExecutionEngine } from '../execution/execution-engine.js';
import type { ExecutionClient } from '../execution/ports.js';
import { Portfolio } from '../portfolio/portfolio.js';
import type { Position } from '../portfolio/position.js';
import { MarketCache, type MarketState } from './market-cache.js';
import { type PreTradeGate, allowAll } from '../risk/gate.js';
import type { Strategy, StrategyContext } from '../strategy/strategy.js';
import { decimalDigits } from '../core/digits.js';

/** A venue the kernel also feeds market data to and flushes (the simulated exchange). */
export interface MatchingVenue extends ExecutionClient {
  onMarketData(record: MarketData): void;
  flush(): void;
}

export interface TradingEngineOptions {
  clock: Clock;
  instruments: readonly Instrument[];
  initialCapital: Money;
  venue: ExecutionClient | MatchingVenue;
  strategies?: readonly Strategy[];
  gate?: PreTradeGate;
  /** Clock interval between periodic P&L snapshots on the bus (0 = only on fills). */
  pnlIntervalMs?: number;
  /**
   * How much recent history the engine keeps for queries (default 10,000 of each): finished
   * orders by id, recent fills, closed positions. Whatever is kept outlives the young generation
   * and costs the garbage collector; a backtest, whose runner collects its own results, keeps less.
   */
  retention?: { finishedOrders?: number; fills?: number; closedPositions?: number };
}

function isMatchingVenue(v: ExecutionClient | MatchingVenue): v is MatchingVenue {
  return typeof (v as MatchingVenue).onMarketData === 'function';
}

export class TradingEngine {
  readonly bus = new MessageBus();
  readonly clock: Clock;
  readonly portfolio: Portfolio;
  readonly execution: ExecutionEngine;
  readonly instruments: ReadonlyMap<string, Instrument>;
  private readonly venue: ExecutionClient | MatchingVenue;
  private readonly matching: MatchingVenue | undefined;
  private readonly strategies: Strategy[] = [];
  private readonly strategiesById = new Map<string, Strategy>();
  /** Per instrument: the strategies it is routed to and its market state (one lookup per record). */
  private readonly routes = new Map<string, { strategies: Strategy[]; market: MarketState; position: Position }>();
  /** Latest market state per instrument, updated before anyone hears of a record. */
  readonly market: MarketCache;
  private readonly pnlIntervalMs: number;
  private signalSeq = 1;
  private running = false;
  private pnlTimer: { cancel(): void } | undefined;

  constructor(opts: TradingEngineOptions) {
    this.clock = opts.clock;
    this.venue = opts.venue;
    this.matching = isMatchingVenue(opts.venue) ? opts.venue : undefined;
    this.instruments = new Map(opts.instruments.map((i) => [i.id, i]));
    this.pnlIntervalMs = opts.pnlIntervalMs ?? 0;
    this.portfolio = new Portfolio(opts.initialCapital, opts.instruments, opts.retention?.closedPositions);
    this.execution = new ExecutionEngine({
      finishedOrdersKept: opts.retention?.finishedOrders,
      executionsKept: opts.retention?.fills,
      bus: this.bus,
      clock: this.clock,
      client: opts.venue,
      instruments: opts.instruments,
      gate: opts.gate ?? allowAll,
      netQtyRaw: (id) => this.portfolio.netQtyRaw(id),
    });
    this.market = new MarketCache(opts.instruments.map((i) => i.id));
    for (const inst of opts.instruments) this.routes.set(inst.id, { strategies: [], market: this.market.get(inst.id)!, position: this.portfolio.position(inst.id)! });
    // The portfolio hears of fills before anyone else, so every later reader sees updated positions.
    this.bus.subscribe('order.event', (e) => this.applyToPortfolio(e));
    for (const s of opts.strategies ?? []) this.addStrategy(s);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Installs the pre-trade gate (the risk engine). */
  setGate(gate: PreTradeGate): void {
    this.execution.setGate(gate);
  }

  addStrategy(strategy: Strategy): void {
    if (this.strategiesById.has(strategy.id)) throw new Error(`strategy id ${strategy.id} is already registered`);
    this.strategies.push(strategy);
    this.strategiesById.set(strategy.id, strategy);
    const ids = strategy.instrumentIds.length > 0 ? strategy.instrumentIds : [...this.instruments.keys()];
    for (const id of ids) {
      const route = this.routes.get(id);
      if (!route) throw new Error(`strategy ${strategy.id} trades unknown instrument ${id}`);
      route.strategies.push(strategy);
    }
    strategy.attach(this.contextFor(strategy));
  }

  strategy(id: string): Strategy | undefined {
    return this.strategiesById.get(id);
  }

  allStrategies(): readonly Strategy[] {
    return this.strategies;
  }

  /**
   * Starts the engine. Strategy routing subscribes last, so every other component attached
   * before start (risk, analytics, journal, server) sees an order event before strategies react.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.bus.publish('engine.status', { state: 'STARTING', ts: this.clock.now() });
    this.bus.subscribe('order.event', (e) => this.routeToStrategy(e));
    for (const s of this.strategies) s.onStart();
    if (this.pnlIntervalMs > 0) this.schedulePnl();
    this.bus.publish('engine.status', { state: 'RUNNING', ts: this.clock.now() });
    this.flush();
  }

  stop(): void {
    if (!this.running) return;
    this.bus.publish('engine.status', { state: 'STOPPING', ts: this.clock.now() });
    for (const s of this.strategies) s.onStop();
    this.flush();
    this.pnlTimer?.cancel();
    this.running = false;
    this.publishPnl();
    this.bus.publish('engine.status', { state: 'STOPPED', ts: this.clock.now() });
  }

  /** The hot path: one market data record through venue, portfolio, bus and strategies. */
  dispatch(record: MarketData): void {
    const matching = this.matching;
    if (matching) matching.onMarketData(record);
    const route = this.routes.get(record.instrumentId);
    if (route) {
      MarketCache.record(route.market, record);
      // The position is marked at the last price on the tick grid (a mid between two ticks rounds).
      route.position.markRaw = Math.round(route.market.lastRaw);
    }
    const list = route?.strategies;
    if (record.kind === 'quote') {
      this.bus.publish('data.quote', record);
      if (list) for (let i = 0; i < list.length; i++) list[i]!.onQuote(record);
    } else if (record.kind === 'bar') {
      this.bus.publish('data.bar', record);
      if (list) for (let i = 0; i < list.length; i++) list[i]!.onBar(record);
    } else {
      this.bus.publish('data.trade', record);
      if (list) for (let i = 0; i < list.length; i++) list[i]!.onTrade(record);
    }
    if (matching) matching.flush();
  }

  /** Runs an action from outside the data path (API, operator, timer) and lets the venue act on it. */
  run<T>(action: () => T): T {
    const result = action();
    this.flush();
    return result;
  }

  /** Publishes the current portfolio snapshot on the bus. */
  publishPnl(): void {
    this.bus.publish('portfolio.pnl', this.portfolio.snapshot(this.clock.now()));
  }

  private flush(): void {
    this.matching?.flush();
  }

  private schedulePnl(): void {
    this.pnlTimer = repeatEvery(this.clock, this.pnlIntervalMs, () => {
      if (this.running) this.publishPnl();
    });
  }

  private applyToPortfolio(e: OrderEvent): void {
    if (e.type !== 'OrderFilled') return;
    const outcome = this.portfolio.applyUniqueFill(e);
    // Snapshots cost allocations and bigint work: build them only when someone listens.
    const bus = this.bus;
    if (bus.hasSubscribers('position.changed')) bus.publish('position.changed', outcome.position.snapshot(e.ts));
    if (outcome.closed) bus.publish('position.closed', outcome.closed);
    if (bus.hasSubscribers('portfolio.pnl')) this.publishPnl();
  }

  private routeToStrategy(e: OrderEvent): void {
    const s = this.strategiesById.get(e.strategyId);
    if (!s) return;
    s.onOrderEvent(e);
    if (e.type === 'OrderFilled') s.onFill(e);
  }

  private contextFor(strategy: Strategy): StrategyContext {
    return {
      clock: this.clock,
      instruments: this.instruments,
      portfolio: this.portfolio,
      orders: this.execution,
      publishSignal: (input) => {
        const signal: Signal = {
          id: `SIG-${decimalDigits(this.signalSeq++)}`,
          strategyId: strategy.id,
          instrumentId: input.instrumentId,
          signalType: input.signalType,
          direction: input.direction,
          strength: input.strength,
          confidence: input.confidence,
          entry: input.entry,
          stopLoss: input.stopLoss,
          takeProfit: input.takeProfit,
          reason: input.reason,
          ts: this.clock.now(),
        };
        this.bus.publish('signal', signal);
        return signal;
      },
      setTimer: (name, at) => {
        this.clock.setTimer(at, () => this.run(() => strategy.onTimer(name)));
      },
    };
  }
}
