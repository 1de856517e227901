/**
 * The page's model of the desk: what each channel's snapshot said, with its updates applied.
 * A snapshot replaces a channel's state wholesale (that is how the page resynchronizes after a
 * reconnect or a gap); an update changes it. Views are told which part changed (`changed`), and
 * the charts also get the incremental events they draw from (`events`).
 */
import type {
  AlertEventJson,
  AlertJson,
  Channel,
  ChannelMessage,
  FillJson,
  OrderJson,
  PortfolioJson,
  PositionJson,
  PriceTickJson,
  RiskEventJson,
  RiskSummaryJson,
  SignalJson,
} from '../src/server/protocol';

/** Orders in these states may still trade (as the engine's WORKING_STATUSES). */
export const WORKING_STATUSES: ReadonlySet<string> = new Set(['SUBMITTED', 'ACCEPTED', 'TRIGGERED', 'PENDING_CANCEL', 'PENDING_UPDATE', 'PARTIALLY_FILLED']);

export const LIMITS = { trades: 500, signals: 200, alertEvents: 200, riskEvents: 100, pnlPoints: 5000 } as const;

export interface StrategyState {
  id: string;
  paused: boolean;
}

/** Incremental changes for the charts. */
export type ChartEvent =
  | { kind: 'pnl-reset'; history: readonly PortfolioJson[] }
  | { kind: 'pnl-point'; point: PortfolioJson }
  | { kind: 'fills-reset'; fills: readonly FillJson[] }
  | { kind: 'fill'; fill: FillJson }
  | { kind: 'ticks'; ticks: readonly PriceTickJson[] };

export type Section = Channel | 'strategies' | 'connection';

export class DashboardState {
  portfolio: PortfolioJson | undefined;
  readonly positions = new Map<string, PositionJson>();
  pnlHistory: PortfolioJson[] = [];
  /** Newest first. */
  signals: SignalJson[] = [];
  readonly activeAlerts = new Map<string, AlertJson>();
  /** Newest first. */
  alertEvents: AlertEventJson[] = [];
  /** Newest first. */
  trades: FillJson[] = [];
  /** Working orders by client order id, in arrival order. */
  readonly orders = new Map<string, OrderJson>();
  risk: RiskSummaryJson | undefined;
  /** Newest first. */
  riskEvents: RiskEventJson[] = [];
  performance: unknown = null;
  readonly prices = new Map<string, PriceTickJson>();
  strategies: StrategyState[] = [];
  /** Instruments seen anywhere (prices, positions, fills), in first-seen order. */
  readonly instruments: string[] = [];

  private readonly sectionListeners = new Set<(section: Section) => void>();
  private readonly chartListeners = new Set<(event: ChartEvent) => void>();

  onChange(listener: (section: Section) => void): void {
    this.sectionListeners.add(listener);
  }

  onChartEvent(listener: (event: ChartEvent) => void): void {
    this.chartListeners.add(listener);
  }

  changed(section: Section): void {
    for (const l of this.sectionListeners) l(section);
  }

  private emit(event: ChartEvent): void {
    for (const l of this.chartListeners) l(event);
  }

  private seeInstrument(id: string): void {
    if (!this.instruments.includes(id)) this.instruments.push(id);
  }

  setStrategies(strategies: readonly StrategyState[]): void {
    this.strategies = strategies.map((s) => ({ ...s }));
    this.changed('strategies');
  }

  /**
   * Merges a REST answer into the positions (fresher marks than the last fill). A position the
   * channel delivered after the REST snapshot was taken (a later `ts`) is kept.
   */
  setPositions(positions: readonly PositionJson[]): void {
    for (const p of positions) {
      const known = this.positions.get(p.instrumentId);
      if (known && known.ts > p.ts) continue;
      this.positions.set(p.instrumentId, p);
      this.seeInstrument(p.instrumentId);
    }
    this.changed('portfolio');
  }

  apply(m: ChannelMessage): void {
    switch (m.channel) {
      case 'portfolio':
        return this.applyPortfolio(m as ChannelMessage<'portfolio'>);
      case 'pnl':
        return this.applyPnl(m as ChannelMessage<'pnl'>);
      case 'signals':
        return this.applySignals(m as ChannelMessage<'signals'>);
      case 'alerts':
        return this.applyAlerts(m as ChannelMessage<'alerts'>);
      case 'trades':
        return this.applyTrades(m as ChannelMessage<'trades'>);
      case 'orders':
        return this.applyOrders(m as ChannelMessage<'orders'>);
      case 'risk':
        return this.applyRisk(m as ChannelMessage<'risk'>);
      case 'performance':
        this.performance = (m as ChannelMessage<'performance'>).data.snapshot;
        return this.changed('performance');
      case 'prices':
        return this.applyPrices(m as ChannelMessage<'prices'>);
    }
  }

  private applyPortfolio(m: ChannelMessage<'portfolio'>): void {
    if (m.type === 'snapshot') {
      this.portfolio = m.data.portfolio;
      this.positions.clear();
    }
    for (const p of m.data.positions) {
      this.positions.set(p.instrumentId, p);
      this.seeInstrument(p.instrumentId);
    }
    this.changed('portfolio');
    if (m.type === 'snapshot') this.changed('pnl');
  }

  private applyPnl(m: ChannelMessage<'pnl'>): void {
    if (m.type === 'snapshot') {
      const history = m.data.history.slice(-LIMITS.pnlPoints);
      const last = history[history.length - 1];
      if (!last || last.ts < m.data.current.ts) history.push(m.data.current);
      this.pnlHistory = history;
      this.portfolio = m.data.current;
      this.emit({ kind: 'pnl-reset', history });
    } else {
      this.portfolio = m.data;
      this.pnlHistory.push(m.data);
      if (this.pnlHistory.length > LIMITS.pnlPoints * 1.2) this.pnlHistory = this.pnlHistory.slice(-LIMITS.pnlPoints);
      this.emit({ kind: 'pnl-point', point: m.data });
    }
    this.changed('pnl');
  }

  private applySignals(m: ChannelMessage<'signals'>): void {
    if (m.type === 'snapshot') this.signals = [...m.data.signals].reverse().slice(0, LIMITS.signals);
    else {
      this.signals.unshift(m.data);
      if (this.signals.length > LIMITS.signals) this.signals.length = LIMITS.signals;
    }
    this.changed('signals');
  }

  private applyAlerts(m: ChannelMessage<'alerts'>): void {
    if (m.type === 'snapshot') {
      this.activeAlerts.clear();
      for (const a of m.data.active) this.activeAlerts.set(a.id, a);
      this.alertEvents = [...m.data.recent].reverse().slice(0, LIMITS.alertEvents);
    } else {
      const e = m.data;
      if (e.status === 'RESOLVED') this.activeAlerts.delete(e.alert.id);
      else this.activeAlerts.set(e.alert.id, e.alert);
      this.alertEvents.unshift(e);
      if (this.alertEvents.length > LIMITS.alertEvents) this.alertEvents.length = LIMITS.alertEvents;
    }
    this.changed('alerts');
  }

  private applyTrades(m: ChannelMessage<'trades'>): void {
    if (m.type === 'snapshot') {
      this.trades = [...m.data.trades].reverse().slice(0, LIMITS.trades);
      for (const f of m.data.trades) this.seeInstrument(f.instrumentId);
      this.emit({ kind: 'fills-reset', fills: m.data.trades });
    } else {
      this.trades.unshift(m.data);
      if (this.trades.length > LIMITS.trades) this.trades.length = LIMITS.trades;
      this.seeInstrument(m.data.instrumentId);
      this.emit({ kind: 'fill', fill: m.data });
    }
    this.changed('trades');
  }

  private applyOrders(m: ChannelMessage<'orders'>): void {
    if (m.type === 'snapshot') {
      this.orders.clear();
      for (const o of m.data.working) this.orders.set(o.clientOrderId, o);
    } else {
      // The server may send no order when it no longer knows it; the event still names it.
      const order = m.data.order as OrderJson | null;
      if (order && WORKING_STATUSES.has(order.status)) this.orders.set(order.clientOrderId, order);
      else this.orders.delete(order?.clientOrderId ?? m.data.event.clientOrderId);
    }
    this.changed('orders');
  }

  private applyRisk(m: ChannelMessage<'risk'>): void {
    if (m.type === 'snapshot') {
      this.risk = m.data.summary;
      this.riskEvents = [...m.data.recent].reverse().slice(0, LIMITS.riskEvents);
    } else {
      const u = m.data;
      if (u.kind === 'summary') this.risk = u.summary;
      else {
        this.riskEvents.unshift(u.kind === 'state' ? { kind: 'state', change: u.change } : { kind: 'action', action: u.action });
        if (this.riskEvents.length > LIMITS.riskEvents) this.riskEvents.length = LIMITS.riskEvents;
        if (u.kind === 'state' && this.risk) this.risk = { ...this.risk, state: u.change.state, stateReason: u.change.reason };
      }
    }
    this.changed('risk');
  }

  private applyPrices(m: ChannelMessage<'prices'>): void {
    for (const t of m.data.ticks) {
      this.prices.set(t.instrumentId, t);
      this.seeInstrument(t.instrumentId);
    }
    this.emit({ kind: 'ticks', ticks: m.data.ticks });
    this.changed('prices');
  }
}
