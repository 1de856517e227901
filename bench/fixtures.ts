/**
 * Benchmark fixtures: a 10-instrument synthetic market and a dense strategy that trades on
 * every tick. Fixed seeds so every run measures the same work.
 */
import { Instrument } from '../src/model/instrument.js';
import type { SyntheticConfig } from '../src/data/index.js';
import type { QuoteTick } from '../src/model/data.js';
import { Strategy } from '../src/strategy/strategy.js';
import { createStrategy } from '../src/strategy/registry.js';
import type { Quantity } from '../src/core/quantity.js';
import type { RiskLimits } from '../src/risk/limits.js';

export const BENCH_SEED = 7;

export function benchInstruments(n: number): Instrument[] {
  const out: Instrument[] = [];
  for (let i = 0; i < n; i++) {
    out.push(new Instrument({ symbol: `SYM${i}-USD`, assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '0.001', minSize: '0.001', makerFee: '0.0002', takerFee: '0.0005' }));
  }
  return out;
}

export function benchMarket(instruments: Instrument[], seed = BENCH_SEED): SyntheticConfig {
  return {
    instruments: instruments.map((instrument, i) => ({ instrument, initialPrice: 100 + 10 * i, drift: 0, volatility: 0.5, spreadBps: 2, size: 100 })),
    intervalMs: 100,
    startTs: Date.UTC(2026, 0, 1),
    seed,
    tradeProbability: 0,
  };
}

/** Trades on every quote: buys when flat or short, sells when long (one order per tick). */
export class EveryTickStrategy extends Strategy {
  private readonly sizes = new Map<string, Quantity>();

  override onStart(): void {
    for (const inst of this.ctx.instruments.values()) this.sizes.set(inst.id, inst.quantity('0.01'));
  }

  override onQuote(q: QuoteTick): void {
    const size = this.sizes.get(q.instrumentId)!;
    this.market(q.instrumentId, this.positionRaw(q.instrumentId) > 0 ? 'SELL' : 'BUY', size);
  }
}

/** Receives every quote and never trades: the bare data path. */
export class IdleStrategy extends Strategy {}

/** The core benchmark's variants: few orders (MA crossover), an order on every quote, none at all. */
export type BenchVariant = 'sparse' | 'dense' | 'idle';

/** The strategy of a variant, as bench/backtest-throughput.ts runs it (idle: one that never trades). */
export function benchStrategy(variant: BenchVariant): Strategy {
  if (variant === 'dense') return new EveryTickStrategy('every_tick-1');
  if (variant === 'sparse') return createStrategy('ma_cross', 'ma_cross-1', { fast: 20, slow: 80, size: '0.01', mode: 'long-short', source: 'quote' });
  return new IdleStrategy('idle-1');
}

/** Every pre-trade limit of the risk engine enabled, none of them binding on the benchmark market. */
export const BENCH_RISK_LIMITS: RiskLimits = {
  maxOrderQty: '1000',
  maxOrderNotional: '1000000',
  maxPositionQty: '100000',
  maxPositionNotional: '100000000',
  maxOpenPositions: 100,
  maxGrossExposure: '1000000000',
  maxNetExposure: '1000000000',
  maxPortfolioHeat: 1,
  dailyLossLimit: 0.5,
  maxDrawdown: 0.5,
  fatFingerBps: 100_000,
  staleQuoteMs: 60_000,
  maxOrdersPerSecond: 1e9,
  maxOrdersPerSecondPerStrategy: 1e9,
  leverage: 100,
};
