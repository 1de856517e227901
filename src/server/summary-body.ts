/**
 * The body of GET /api/live/summary. Its portfolio, risk and alert parts are serialized once per
 * state of the engine: they are kept while nothing has been published on the engine's bus
 * (quotes, fills, order events, alerts and trading-state changes all are) and for at most
 * `maxAgeMs` of clock time (the risk engine re-evaluates on its own timer). The time, strategies
 * and health are written fresh for every request. Under load, the requests between two market
 * data records share one serialization instead of each paying for it.
 */
import type { TradingEngine } from '../engine/trading-engine.js';
import type { RiskEngine } from '../risk/risk-engine.js';
import type { SummaryResponse } from './protocol.js';
import { alertView, portfolioView } from './views.js';

export interface SummaryBodyDeps {
  engine: TradingEngine;
  risk: RiskEngine;
  health(): SummaryResponse['health'];
}

type StateParts = Pick<SummaryResponse, 'portfolio' | 'risk' | 'activeAlerts'>;

export class SummaryBody {
  private version = -1;
  private builtAt = -Infinity;
  /** The state parts as JSON members, without the enclosing braces. */
  private members = '';

  constructor(
    private readonly deps: SummaryBodyDeps,
    private readonly maxAgeMs = 1000,
  ) {}

  /** The summary as a JSON text (a SummaryResponse). */
  render(): string {
    const { engine } = this.deps;
    const now = engine.clock.now();
    const version = engine.bus.publishedCount;
    if (version !== this.version || now - this.builtAt >= this.maxAgeMs || now < this.builtAt) {
      this.members = JSON.stringify(this.stateParts(now)).slice(1, -1);
      this.version = version;
      this.builtAt = now;
    }
    const fresh: Pick<SummaryResponse, 'strategies' | 'health'> = {
      strategies: engine.allStrategies().map((s) => ({ id: s.id, paused: s.paused })),
      health: this.deps.health(),
    };
    return `{"ts":${now},${this.members},${JSON.stringify(fresh).slice(1)}`;
  }

  private stateParts(now: number): StateParts {
    const { engine, risk } = this.deps;
    const r = risk.summary();
    return {
      portfolio: portfolioView(engine.portfolio.snapshot(now)),
      risk: { state: r.state, stateReason: r.stateReason, limits: r.limits.map((l) => ({ ...l })), denials: r.denials, dayStartEquity: r.dayStartEquity, peakEquity: r.peakEquity },
      activeAlerts: r.activeAlerts.map(alertView),
    };
  }
}
