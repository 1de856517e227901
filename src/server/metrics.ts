/**
 * Prometheus metrics of the server and the engine it watches, in a registry of its own (never
 * prom-client's global one): bus events (total and per second), tick-to-order latency, orders,
 * fills, denials and rejections by reason, WebSocket clients and traffic, event-loop delay,
 * equity, market-data age and the standard process metrics. Counting on the engine's path is a
 * plain increment; everything else is computed when /metrics is scraped.
 */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ErrorCounters } from '../infra/retry.js';
import type { Topic } from '../core/topics.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { RiskEngine } from '../risk/risk-engine.js';
import type { LiveState } from './live-state.js';
import { emptyStats, type WsHubStats } from './ws-fanout.js';

export interface MetricsDeps {
  engine: TradingEngine;
  risk: RiskEngine;
  state: LiveState;
  ws: { stats(): Promise<WsHubStats> };
}

/** Window of the events-per-second gauge, in one-second samples. */
const RATE_WINDOW_S = 10;

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly counts = new Map<Topic, number>();
  private readonly reported = new Map<Topic, number>();
  private total = 0;
  /** Bus event totals sampled once a second (newest last), for the events/s gauge. */
  private readonly samples: number[] = [];
  private readonly sampler: NodeJS.Timeout;
  private readonly loopDelay: IntervalHistogram;
  private readonly tickToOrder: Histogram;
  private readonly unsubscribers: (() => void)[] = [];
  /** The newest WebSocket figures (fetched once per scrape: writers answer over IPC). */
  private wsStats: WsHubStats = emptyStats();
  /** Scrapes that asked for WebSocket figures, and the latest of them whose answer was applied. */
  private wsAsked = 0;
  private wsApplied = 0;
  private quoteAt = 0;
  private inDispatch = false;
  private readonly endDispatch = () => {
    this.inDispatch = false;
  };

  constructor(private readonly deps: MetricsDeps) {
    const registers = [this.registry];
    const { engine, risk, state } = deps;
    collectDefaultMetrics({ register: this.registry });
    // Errors by class (retryable / non-retryable / fatal), as counted by infra/retry.
    new Gauge({
      name: 'bourse_errors',
      help: 'Errors seen by class since start (infra/retry classification).',
      labelNames: ['class'],
      registers,
      collect() {
        for (const [cls, n] of Object.entries(ErrorCounters)) this.set({ class: cls }, n);
      },
    });
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
    this.loopDelay.enable();

    const self = this;
    new Counter({
      name: 'bourse_bus_events_total',
      help: 'Messages published on the engine bus, by topic.',
      labelNames: ['topic'],
      registers,
      collect() {
        for (const [topic, n] of self.counts) {
          const delta = n - (self.reported.get(topic) ?? 0);
          if (delta > 0) this.inc({ topic }, delta);
          self.reported.set(topic, n);
        }
      },
    });
    new Gauge({
      name: 'bourse_bus_events_per_second',
      help: `Bus messages per second over the last ${RATE_WINDOW_S} s.`,
      registers,
      collect() {
        const s = self.samples;
        const first = s[0];
        this.set(first === undefined || s.length < 2 ? 0 : (s[s.length - 1]! - first) / (s.length - 1));
      },
    });
    this.tickToOrder = new Histogram({
      name: 'bourse_tick_to_order_seconds',
      help: 'Time from a quote entering the engine to an order it caused being submitted to the venue.',
      buckets: [5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 1e-2, 5e-2],
      registers,
    });
    const orders = new Counter({ name: 'bourse_orders_total', help: 'Orders created, by strategy.', labelNames: ['strategy'], registers });
    const fills = new Counter({ name: 'bourse_fills_total', help: 'Fills, by instrument.', labelNames: ['instrument'], registers });
    const denials = new Counter({ name: 'bourse_order_denials_total', help: 'Orders denied before the venue, by reason.', labelNames: ['reason'], registers });
    const rejections = new Counter({ name: 'bourse_order_rejections_total', help: 'Orders rejected by the venue, by reason.', labelNames: ['reason'], registers });

    new Gauge({ name: 'bourse_ws_clients', help: 'Connected WebSocket clients.', registers, collect() { this.set(self.wsStats.clients); } });
    new Gauge({ name: 'bourse_ws_queued_messages', help: 'Messages waiting in WebSocket client queues.', registers, collect() { this.set(self.wsStats.queued); } });
    /** A counter following one of the hub's running totals, read at each scrape. */
    const followTotal = (name: string, help: string, read: () => number): void => {
      let reported = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const n = read();
          if (n > reported) this.inc(n - reported);
          reported = Math.max(reported, n);
        },
      });
    };
    followTotal('bourse_ws_messages_sent_total', 'Messages written to WebSocket clients.', () => self.wsStats.messagesSent);
    followTotal('bourse_ws_frames_sent_total', 'WebSocket frames written (a frame may batch several messages).', () => self.wsStats.framesSent);
    followTotal('bourse_ws_frames_shared_total', 'WebSocket frames written as the bytes already rendered for another client in the same state.', () => self.wsStats.framesShared);
    const droppedReported = new Map<string, number>();
    new Counter({
      name: 'bourse_ws_dropped_clients_total',
      help: 'WebSocket clients disconnected for being too slow, by reason (overflow, lag).',
      labelNames: ['reason'],
      registers,
      collect() {
        for (const [reason, n] of Object.entries(self.wsStats.dropped)) {
          const delta = n - (droppedReported.get(reason) ?? 0);
          if (delta <= 0) continue;
          this.inc({ reason }, delta);
          droppedReported.set(reason, n);
        }
      },
    });
    new Gauge({
      name: 'bourse_event_loop_delay_seconds',
      help: 'Event-loop delay since the previous scrape (monitorEventLoopDelay), by quantile.',
      labelNames: ['quantile'],
      registers,
      collect() {
        const h = self.loopDelay;
        const s = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
        this.set({ quantile: '0.5' }, s(h.percentile(50)));
        this.set({ quantile: '0.99' }, s(h.percentile(99)));
        this.set({ quantile: '1' }, s(h.max));
        h.reset();
      },
    });
    new Gauge({ name: 'bourse_equity', help: 'Portfolio equity in the account currency.', registers, collect() { this.set(engine.portfolio.snapshot(engine.clock.now()).equity.toNumber()); } });
    new Gauge({
      name: 'bourse_market_data_age_seconds',
      help: 'Clock time since the last market data record (-1 before the first).',
      registers,
      collect() {
        const age = state.dataAgeMs();
        this.set(age === undefined ? -1 : age / 1000);
      },
    });
    new Gauge({
      name: 'bourse_trading_state',
      help: 'Trading state of the risk engine (1 for the current state).',
      labelNames: ['state'],
      registers,
      collect() {
        for (const s of ['ACTIVE', 'REDUCING', 'HALTED'] as const) this.set({ state: s }, risk.tradingState === s ? 1 : 0);
      },
    });
    new Gauge({ name: 'bourse_engine_running', help: '1 while the engine runs.', registers, collect() { this.set(engine.isRunning ? 1 : 0); } });

    const { bus } = engine;
    this.unsubscribers.push(
      bus.tap((topic) => {
        this.counts.set(topic, (this.counts.get(topic) ?? 0) + 1);
        this.total++;
      }),
      bus.subscribe('data.quote', () => {
        this.quoteAt = performance.now();
        if (!this.inDispatch) {
          // Orders a quote causes are submitted synchronously within its dispatch; the flag ends with the task.
          this.inDispatch = true;
          queueMicrotask(this.endDispatch);
        }
      }),
      bus.subscribe('order.created', (c) => orders.inc({ strategy: c.order.strategyId })),
      bus.subscribe('order.event', (e) => {
        if (e.type === 'OrderSubmitted') {
          if (this.inDispatch) this.tickToOrder.observe((performance.now() - this.quoteAt) / 1000);
        } else if (e.type === 'OrderFilled') fills.inc({ instrument: e.instrumentId });
        else if (e.type === 'OrderDenied') denials.inc({ reason: e.reason });
        else if (e.type === 'OrderRejected') rejections.inc({ reason: e.reason });
      }),
    );
    this.sampler = setInterval(() => {
      this.samples.push(this.total);
      if (this.samples.length > RATE_WINDOW_S + 1) this.samples.shift();
    }, 1000);
    this.sampler.unref();
  }

  /** The text exposition of every metric. */
  async render(): Promise<string> {
    // Scrapes may overlap: an answer older than one already applied is not (the counters would go back, then count twice).
    const asked = ++this.wsAsked;
    const stats = await this.deps.ws.stats();
    if (asked > this.wsApplied) {
      this.wsApplied = asked;
      this.wsStats = stats;
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  stop(): void {
    clearInterval(this.sampler);
    this.loopDelay.disable();
    for (const off of this.unsubscribers.splice(0)) off();
  }
}
