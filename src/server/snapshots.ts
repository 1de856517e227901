/**
 * The snapshot of each channel: what a client receives first after subscribing, built from the
 * engine, the risk engine, the performance monitor and the server's LiveState at that instant.
 */
import type { TradingEngine } from '../engine/trading-engine.js';
import type { RiskEngine } from '../risk/risk-engine.js';
import type { LiveState, RiskEvent } from './live-state.js';
import type { Channel, ChannelSnapshot, RiskEventJson } from './protocol.js';
import {
  alertEventView,
  alertView,
  fillView,
  orderView,
  portfolioView,
  positionView,
  priceTickView,
  riskActionView,
  riskSummaryView,
  signalView,
  stateChangeView,
} from './views.js';

/** The performance monitor, as far as the server needs it (the analytics module's PerformanceMonitor fits). */
export interface PerformanceSource {
  snapshot(): unknown;
}

export interface SnapshotOptions {
  /** Signals, fills, alert and risk events in a snapshot (default 100). */
  items?: number;
  /** P&L points in the pnl snapshot's history (default 500). */
  pnlHistory?: number;
}

export function riskEventView(e: RiskEvent): RiskEventJson {
  return e.kind === 'state' ? { kind: 'state', change: stateChangeView(e.change) } : { kind: 'action', action: riskActionView(e.action) };
}

export class SnapshotBuilder {
  private readonly items: number;
  private readonly pnlHistory: number;

  constructor(
    private readonly engine: TradingEngine,
    private readonly risk: RiskEngine,
    private readonly state: LiveState,
    private readonly monitor: PerformanceSource | undefined,
    opts: SnapshotOptions = {},
  ) {
    this.items = opts.items ?? 100;
    this.pnlHistory = opts.pnlHistory ?? 500;
  }

  build<C extends Channel>(channel: C): ChannelSnapshot<C>;
  build(channel: Channel): ChannelSnapshot<Channel> {
    const now = this.engine.clock.now();
    switch (channel) {
      case 'portfolio':
        return { portfolio: portfolioView(this.engine.portfolio.snapshot(now)), positions: this.positions(now) };
      case 'pnl':
        return { current: portfolioView(this.engine.portfolio.snapshot(now)), history: this.state.pnl.latest(this.pnlHistory).map(portfolioView) };
      case 'signals':
        return { signals: this.state.signals.latest(this.items).map(signalView) };
      case 'alerts':
        return { active: this.risk.alerts.activeAlerts().map(alertView), recent: this.state.alertEvents.latest(this.items).map(alertEventView) };
      case 'trades':
        return { trades: this.state.fills.latest(this.items).map(fillView) };
      case 'orders':
        return { working: this.engine.execution.workingOrders().map(orderView) };
      case 'risk':
        return { summary: riskSummaryView(this.risk.summary()), recent: this.state.riskEvents.latest(this.items).map(riskEventView) };
      case 'performance':
        return { snapshot: this.performance() };
      case 'prices':
        return { ticks: [...this.state.quotes.values()].map(priceTickView) };
    }
  }

  /** Every instrument's position, sorted by instrument id. */
  positions(now: number): ReturnType<typeof positionView>[] {
    return [...this.engine.portfolio.allPositions()].map((p) => positionView(p.snapshot(now))).sort((a, b) => (a.instrumentId < b.instrumentId ? -1 : a.instrumentId > b.instrumentId ? 1 : 0));
  }

  /** The monitor's snapshot, or null without a monitor. Throws what the monitor throws. */
  performance(): unknown {
    return this.monitor ? this.monitor.snapshot() : null;
  }
}
