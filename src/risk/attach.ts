/**
 * Installs the risk manager on a TradingEngine: the RiskEngine becomes the engine's pre-trade
 * gate and evaluates equity limits on the engine clock while it runs; the RiskMonitor recomputes
 * VaR, correlation and stress figures on a clock interval and feeds the concentration check; the
 * StopManager (when enabled) places and trails protective stops.
 */
import type { TradingEngine } from '../engine/trading-engine.js';
import type { RiskLimits, RiskSettings } from './limits.js';
import { RiskEngine, type RiskEngineOptions } from './risk-engine.js';
import { RiskMonitor } from './risk-monitor.js';
import { StopManager } from './stops.js';

export function attachRiskEngine(engine: TradingEngine, limits: RiskLimits, options: Pick<RiskEngineOptions, 'evaluateEveryMs' | 'fallbackStopFraction' | 'correlation'> = {}): RiskEngine {
  const risk = new RiskEngine({
    ...options,
    bus: engine.bus,
    clock: engine.clock,
    portfolio: engine.portfolio,
    execution: engine.execution,
    market: engine.market,
    instruments: [...engine.instruments.values()],
    limits,
  });
  engine.setGate(risk);
  engine.bus.subscribe('engine.status', (s) => {
    if (s.state === 'RUNNING') risk.start((action) => engine.run(action));
    else if (s.state === 'STOPPED') risk.stop();
  });
  return risk;
}

export interface RiskStack {
  readonly risk: RiskEngine;
  readonly monitor: RiskMonitor;
  readonly stops: StopManager | undefined;
}

/** The full risk manager from the `risk` config section. */
export function attachRiskStack(engine: TradingEngine, settings: RiskSettings): RiskStack {
  const m = settings.measures;
  const monitor = new RiskMonitor({
    engine,
    ...(m ? { intervalMs: m.intervalMs, window: m.window, confidences: m.confidences, monteCarlo: { paths: m.monteCarloPaths, perPosition: false }, maxVarFraction: m.maxVarFraction } : {}),
    correlationThreshold: settings.correlationThreshold,
    maxCorrelatedShare: settings.maxCorrelatedShare,
  });
  const risk = attachRiskEngine(engine, settings, { correlation: monitor.correlationProvider() });
  monitor.setAlerts(risk.alerts);
  const s = settings.stops;
  const stops = s?.enabled ? new StopManager({ engine, risk, k: s.k, trail: s.trail, intervalMs: s.intervalMs, ...(s.breakEvenR !== undefined ? { breakEvenR: s.breakEvenR } : {}) }) : undefined;
  return { risk, monitor, stops };
}
