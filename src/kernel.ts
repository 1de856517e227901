/**
 * The composition root: builds a runnable environment from a preset. Backtests are built by
 * engine/backtest.ts (simulated clock, historical data); a paper session wires the wall clock,
 * the synthetic market feed, the simulated exchange, the strategies and the kernel. Nothing else
 * constructs these parts, so there are no hidden singletons.
 */
import { LiveClock } from './core/clock.js';
import type { Money } from './core/money.js';
import { SyntheticFeed, type SyntheticConfig } from './data/index.js';
import type { LiveDataClient } from './data/ports.js';
import { TradingEngine } from './engine/trading-engine.js';
import { fixedLatency } from './execution/models.js';
import { SimulatedExchange } from './execution/simulated-exchange.js';
import { createStrategy } from './strategy/registry.js';

export interface StrategyPreset {
  readonly name: string;
  readonly params?: Record<string, string | number | boolean>;
  readonly instruments?: string[];
}

export interface PaperPreset {
  readonly market: Omit<SyntheticConfig, 'startTs'>;
  readonly strategies: readonly StrategyPreset[];
  readonly capital: Money;
  readonly latencyMs?: number;
  readonly leverage?: number;
  /** Clock interval of P&L snapshots on the bus. */
  readonly pnlIntervalMs?: number;
}

export interface PaperSession {
  readonly engine: TradingEngine;
  readonly clock: LiveClock;
  readonly feed: LiveDataClient;
  readonly venue: SimulatedExchange;
  start(): void;
  stop(): void;
}

export function createPaperSession(preset: PaperPreset): PaperSession {
  const clock = new LiveClock();
  const feed = new SyntheticFeed(preset.market, clock);
  const instruments = feed.instruments;
  const venue = new SimulatedExchange({
    clock,
    instruments,
    startingCash: preset.capital,
    latencyModel: fixedLatency(preset.latencyMs ?? 0),
    leverage: preset.leverage ?? 1,
  });
  const strategies = preset.strategies.map((s, i) => createStrategy(s.name, `${s.name}-${i + 1}`, s.params ?? {}, s.instruments));
  const engine = new TradingEngine({ clock, instruments, initialCapital: preset.capital, venue, strategies, pnlIntervalMs: preset.pnlIntervalMs ?? 1000 });
  return {
    engine,
    clock,
    feed,
    venue,
    start() {
      engine.start();
      feed.start((record) => engine.dispatch(record));
    },
    stop() {
      feed.stop();
      engine.stop();
      clock.cancelAll();
    },
  };
}
