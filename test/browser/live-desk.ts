/**
 * A live paper desk for the browser tests: the real TradingEngine on the wall clock with the
 * synthetic market (fast quotes), the simulated exchange, the risk engine (attachRiskEngine,
 * with the limits the dashboard's gauges show), the performance monitor, a strategy that
 * publishes signals, and the dashboard server serving the built page on 127.0.0.1. Orders are
 * placed the way the issue asks: engine.run(() => engine.execution.submit(...)).
 */
import { PerformanceMonitor } from '../../src/analytics/index.js';
import { LiveClock } from '../../src/core/clock.js';
import { Money, USD } from '../../src/core/money.js';
import { SyntheticFeed, defaultSyntheticConfig } from '../../src/data/index.js';
import { TradingEngine } from '../../src/engine/trading-engine.js';
import { SimulatedExchange } from '../../src/execution/simulated-exchange.js';
import type { QuoteTick } from '../../src/model/data.js';
import type { OrderFilled } from '../../src/model/order-events.js';
import type { Order, OrderRequest } from '../../src/model/order.js';
import { attachRiskEngine } from '../../src/risk/attach.js';
import type { RiskEngine } from '../../src/risk/risk-engine.js';
import { buildServer, type BourseServer, type ServerOptions } from '../../src/server/app.js';
import { Strategy } from '../../src/strategy/strategy.js';

export const TOKEN = 'browser-test-token-5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5';
export const DESK_STRATEGY = 'desk';

/** Publishes a signal on every `every`-th quote of each instrument; never trades. */
export class Signaller extends Strategy {
  private readonly seen = new Map<string, number>();

  constructor(
    id: string,
    private readonly every: number,
  ) {
    super(id);
  }

  override onQuote(q: QuoteTick): void {
    const n = (this.seen.get(q.instrumentId) ?? 0) + 1;
    this.seen.set(q.instrumentId, n);
    if (n % this.every !== 0 || this.paused) return;
    const up = n % (2 * this.every) === 0;
    this.signal({ instrumentId: q.instrumentId, signalType: 'momentum', direction: up ? 'LONG' : 'SHORT', strength: 0.6, confidence: 0.55, reason: `quote #${n}` });
  }
}

export class LiveDesk {
  readonly clock = new LiveClock();
  readonly feed: SyntheticFeed;
  readonly engine: TradingEngine;
  readonly risk: RiskEngine;
  readonly monitor: PerformanceMonitor;
  readonly signaller = new Signaller('signals-1', 15);
  readonly fills: OrderFilled[] = [];
  server: BourseServer | undefined;
  private feeding = false;

  constructor(private readonly webRoot: string) {
    const { startTs: _unused, ...market } = defaultSyntheticConfig(0, 42);
    this.feed = new SyntheticFeed({ ...market, intervalMs: 100 }, this.clock);
    const instruments = this.feed.instruments;
    const capital = Money.of('1000000', USD);
    const venue = new SimulatedExchange({ clock: this.clock, instruments, startingCash: capital });
    this.engine = new TradingEngine({ clock: this.clock, instruments, initialCapital: capital, venue, strategies: [this.signaller], pnlIntervalMs: 250 });
    this.risk = attachRiskEngine(this.engine, { dailyLossLimit: 0.05, maxDrawdown: 0.1, maxPortfolioHeat: 0.25, maxOpenPositions: 5, maxGrossExposure: '900000', maxOrdersPerSecond: 100 });
    this.monitor = PerformanceMonitor.attach(this.engine, { equitySampleMs: 1000, publishIntervalMs: 0 });
    this.engine.bus.subscribe('order.event', (e) => {
      if (e.type === 'OrderFilled') this.fills.push(e);
    });
  }

  start(): void {
    this.engine.start();
    this.resumeFeed();
  }

  /** Stops the quotes (marks freeze); timers (P&L, risk) keep running. */
  pauseFeed(): void {
    if (!this.feeding) return;
    this.feed.stop();
    this.feeding = false;
  }

  resumeFeed(): void {
    if (this.feeding) return;
    this.feed.start((record) => this.engine.dispatch(record));
    this.feeding = true;
  }

  /** Builds and starts a dashboard server (port 0 = any free port). */
  async startServer(port = 0): Promise<BourseServer> {
    const options: ServerOptions = {
      engine: this.engine,
      risk: this.risk,
      monitor: this.monitor,
      token: TOKEN,
      page: { root: this.webRoot },
      ws: { summaryIntervalMs: 250 },
      rateLimit: false,
    };
    const server = buildServer(options);
    await server.start({ host: '127.0.0.1', port });
    this.server = server;
    return server;
  }

  base(): string {
    const url = this.server?.url();
    if (!url) throw new Error('the dashboard server is not listening');
    return url;
  }

  /** Submits an order as the desk (not a strategy), the way an operator or adapter would. */
  submit(request: OrderRequest): Order {
    const result = this.engine.run(() => this.engine.execution.submit(DESK_STRATEGY, request));
    if (!result.ok) throw new Error(`submit failed: ${result.message}`);
    return result.order;
  }

  /** A market order; returns its fill (throws when it did not fill at once). */
  marketFill(instrumentId: string, side: 'BUY' | 'SELL', quantity: string): OrderFilled {
    const inst = this.instrument(instrumentId);
    const before = this.fills.length;
    const order = this.submit({ instrumentId, side, type: 'MARKET', quantity: inst.quantity(quantity), timeInForce: 'GTC' });
    const fill = this.fills.slice(before).find((f) => f.clientOrderId === order.clientOrderId);
    if (!fill) throw new Error(`market order ${order.clientOrderId} did not fill (status ${order.status})`);
    return fill;
  }

  /** A buy limit `fraction` below the current bid: it rests at the venue. */
  restingBuy(instrumentId: string, quantity: string, fraction = 0.02): Order {
    const inst = this.instrument(instrumentId);
    const mid = this.mid(instrumentId);
    const price = inst.nearestPrice(mid * (1 - fraction));
    const order = this.submit({ instrumentId, side: 'BUY', type: 'LIMIT', quantity: inst.quantity(quantity), price, timeInForce: 'GTC' });
    if (!order.isWorking) throw new Error(`limit order ${order.clientOrderId} is not working (status ${order.status})`);
    return order;
  }

  mid(instrumentId: string): number {
    const q = this.server?.live.quotes.get(instrumentId);
    if (!q) throw new Error(`no quote for ${instrumentId} yet`);
    return (Number(q.bid.toString()) + Number(q.ask.toString())) / 2;
  }

  instrument(instrumentId: string) {
    const inst = this.engine.instruments.get(instrumentId);
    if (!inst) throw new Error(`unknown instrument ${instrumentId}`);
    return inst;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.feed.stop();
    this.engine.stop();
    this.monitor.detach();
    this.clock.cancelAll();
  }
}
