/**
 * The composition root: builds a runnable environment from a preset. Backtests are built by
 * engine/backtest.ts (simulated clock, historical data); a paper session wires the wall clock,
 * the synthetic market feed, the simulated exchange, the strategies and the kernel. Nothing else
 * constructs these parts, so there are no hidden singletons.
 */
import { LiveClock } from './core/clock.js';
import { Money, currency } from './core/money.js';
import { SyntheticFeed, type SyntheticConfig } from './data/index.js';
import type { BourseConfig } from './infra/config.js';
import type { AssetClass } from './model/enums.js';
import { Instrument } from './model/instrument.js';
import { attachRiskStack, type RiskStack } from './risk/attach.js';
import type { RiskSettings } from './risk/limits.js';
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
  readonly risk: RiskSettings;
}

export interface PaperSession {
  readonly engine: TradingEngine;
  readonly clock: LiveClock;
  readonly feed: LiveDataClient;
  readonly venue: SimulatedExchange;
  readonly risk: RiskStack;
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
  const risk = attachRiskStack(engine, { leverage: preset.leverage, ...preset.risk });
  return {
    engine,
    clock,
    feed,
    venue,
    risk,
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

/** The instruments of the configured synthetic market. Throws ValueError naming a bad field. */
export function instrumentsFromConfig(market: BourseConfig['market']): Instrument[] {
  return market.instruments.map(
    (i) =>
      new Instrument({
        symbol: i.symbol,
        assetClass: i.assetClass.toUpperCase() as AssetClass,
        quoteCurrency: i.quoteCurrency,
        tickSize: i.tickSize,
        sizeStep: i.sizeStep,
        minSize: i.minSize,
        multiplier: i.multiplier,
        makerFee: i.makerFee,
        takerFee: i.takerFee,
      }),
  );
}

/** A paper-trading preset from the effective configuration. */
export function paperPresetFromConfig(cfg: BourseConfig): PaperPreset {
  const instruments = instrumentsFromConfig(cfg.market);
  const market: Omit<SyntheticConfig, 'startTs'> = {
    instruments: cfg.market.instruments.map((i, k) => ({
      instrument: instruments[k]!,
      initialPrice: Number(i.initialPrice),
      drift: i.drift,
      volatility: i.volatility,
      spreadBps: cfg.market.spreadBps,
    })),
    ...(cfg.market.correlation ? { correlation: cfg.market.correlation } : {}),
    intervalMs: cfg.market.quoteIntervalMs,
    seed: cfg.engine.seed,
  };
  return {
    market,
    strategies: cfg.strategies.map((s) => ({ name: s.name, params: s.params, ...(s.instruments ? { instruments: s.instruments } : {}) })),
    capital: Money.of(cfg.engine.initialCapital, currency(cfg.engine.baseCurrency)),
    latencyMs: cfg.engine.latencyMs,
    risk: cfg.risk,
  };
}
