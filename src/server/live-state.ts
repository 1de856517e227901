/**
 * LiveState: the server's read model of the running engine. It follows the bus and keeps what the
 * engine itself does not: recent signals, P&L points, alert and risk events, the order list in
 * creation order, the latest quote per instrument and the time of the last market data. Handlers
 * only store references (no formatting on the engine's path); views are built when asked for.
 */
import type { TopicMap } from '../core/topics.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { QuoteTick } from '../model/data.js';
import type { OrderDenied, OrderFilled, OrderRejected } from '../model/order-events.js';
import type { Order } from '../model/order.js';
import type { Signal } from '../model/signal.js';
import type { PortfolioSnapshot } from '../portfolio/snapshots.js';
import type { AlertEvent } from '../risk/alerts.js';
import type { RiskAction, TradingStateChanged } from '../risk/trading-state.js';
import { RecentLog } from './recent-log.js';

export interface LiveStateOptions {
  /** Fills kept for /trades (default 100,000). */
  fillsKept?: number;
  /** Signals, P&L points, alert events and orders kept (default 10,000; orders 100,000). */
  signalsKept?: number;
  pnlKept?: number;
  alertEventsKept?: number;
  riskEventsKept?: number;
  ordersKept?: number;
}

export type RiskEvent = { kind: 'state'; change: TradingStateChanged } | { kind: 'action'; action: RiskAction };

/** The strategy id of orders submitted through the API. */
export const API_STRATEGY_ID = 'api';

export class LiveState {
  readonly fills: RecentLog<OrderFilled>;
  readonly signals: RecentLog<Signal>;
  readonly pnl: RecentLog<PortfolioSnapshot>;
  readonly alertEvents: RecentLog<AlertEvent>;
  readonly riskEvents: RecentLog<RiskEvent>;
  readonly orders: RecentLog<Order>;
  /** Latest quote per instrument. */
  readonly quotes = new Map<string, QuoteTick>();
  /** Clock time of the last market data record (undefined before the first). */
  lastDataTs: number | undefined;
  /** Denials and rejections of API orders, by client order id, until taken by the request that sent them. */
  private readonly apiOutcomes = new Map<string, OrderDenied | OrderRejected>();
  private readonly unsubscribers: (() => void)[] = [];

  constructor(
    private readonly engine: TradingEngine,
    opts: LiveStateOptions = {},
  ) {
    const byInstrument = { symbol: (x: { instrumentId: string }) => x.instrumentId, ts: (x: { ts: number }) => x.ts };
    this.fills = new RecentLog<OrderFilled>(opts.fillsKept ?? 100_000, byInstrument);
    this.signals = new RecentLog<Signal>(opts.signalsKept ?? 10_000, byInstrument);
    this.pnl = new RecentLog(opts.pnlKept ?? 10_000, { ts: (s) => s.ts, symbol: () => undefined });
    this.alertEvents = new RecentLog(opts.alertEventsKept ?? 10_000, { ts: (e) => e.ts, symbol: (e) => e.alert.symbol });
    this.riskEvents = new RecentLog(opts.riskEventsKept ?? 1_000, {
      ts: (e) => (e.kind === 'state' ? e.change.ts : e.action.ts),
      symbol: (e) => (e.kind === 'action' ? e.action.symbol : undefined),
    });
    this.orders = new RecentLog(opts.ordersKept ?? 100_000, { ts: (o) => o.createdAt, symbol: (o) => o.instrumentId });

    // What happened before the server was attached.
    for (const f of engine.execution.listExecutions()) this.fills.push(f);
    for (const o of engine.execution.allOrders()) this.orders.push(o);

    this.on('data.quote', (q) => {
      this.quotes.set(q.instrumentId, q);
      this.lastDataTs = q.ts;
    });
    this.on('data.trade', (t) => (this.lastDataTs = t.ts));
    this.on('data.bar', (b) => (this.lastDataTs = b.ts));
    this.on('signal', (s) => this.signals.push(s));
    this.on('order.created', (c) => this.orders.push(c.order));
    this.on('order.event', (e) => {
      if (e.type === 'OrderFilled') this.fills.push(e);
      else if ((e.type === 'OrderDenied' || e.type === 'OrderRejected') && e.strategyId === API_STRATEGY_ID) {
        // A venue may reject after the request has returned (with latency): nobody takes those, so keep few.
        if (this.apiOutcomes.size >= 1000) this.apiOutcomes.delete(this.apiOutcomes.keys().next().value!);
        this.apiOutcomes.set(e.clientOrderId, e);
      }
    });
    this.on('portfolio.pnl', (s) => this.pnl.push(s));
    this.on('risk.alert', (e) => this.alertEvents.push(e));
    this.on('risk.state', (change) => this.riskEvents.push({ kind: 'state', change }));
    this.on('risk.action', (action) => this.riskEvents.push({ kind: 'action', action }));
  }

  /** Takes (and forgets) the denial or rejection an API order received, if any. */
  takeApiOutcome(clientOrderId: string): OrderDenied | OrderRejected | undefined {
    const outcome = this.apiOutcomes.get(clientOrderId);
    this.apiOutcomes.delete(clientOrderId);
    return outcome;
  }

  /** Clock ms since the last market data record, or undefined before the first. */
  dataAgeMs(): number | undefined {
    return this.lastDataTs === undefined ? undefined : Math.max(0, this.engine.clock.now() - this.lastDataTs);
  }

  /** The P&L figures now (a fresh portfolio snapshot at clock time). */
  currentPnl(): PortfolioSnapshot {
    return this.engine.portfolio.snapshot(this.engine.clock.now());
  }

  dispose(): void {
    for (const off of this.unsubscribers.splice(0)) off();
  }

  private on<T extends keyof TopicMap>(topic: T, handler: (msg: TopicMap[T]) => void): void {
    this.unsubscribers.push(this.engine.bus.subscribe(topic, handler));
  }
}
