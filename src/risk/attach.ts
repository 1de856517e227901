/**
 * Installs a RiskEngine on a TradingEngine: it becomes the engine's pre-trade gate, follows its
 * bus, and evaluates equity limits on the engine clock while the engine runs.
 */
import type { TradingEngine } from '../engine/trading-engine.js';
import type { RiskLimits } from './limits.js';
import { RiskEngine, type RiskEngineOptions } from './risk-engine.js';

export function attachRiskEngine(engine: TradingEngine, limits: RiskLimits, options: Pick<RiskEngineOptions, 'evaluateEveryMs' | 'fallbackStopFraction' | 'correlation'> = {}): RiskEngine {
  const risk = new RiskEngine({
    ...options,
    bus: engine.bus,
    clock: engine.clock,
    portfolio: engine.portfolio,
    execution: engine.execution,
    instruments: [...engine.instruments.values()],
    limits,
  });
  engine.setGate(risk);
  engine.bus.subscribe('engine.status', (s) => {
    if (s.state === 'RUNNING') risk.start();
    else if (s.state === 'STOPPED') risk.stop();
  });
  return risk;
}
