/**
 * Backtest throughput: 1,000,000 quotes over 10 instruments through a strategy into the
 * simulated exchange, with a fixed seed. Variant "sparse" runs the moving-average crossover
 * (few orders); "dense" sends an order on every tick. Prints events/s and peak memory (RSS).
 *
 * Usage: node dist/bench/backtest-throughput.js [sparse|dense] [quotes=1000000]
 */
import { Money, USD } from '../src/core/money.js';
import { SyntheticMarket } from '../src/data/index.js';
import { runBacktest } from '../src/engine/backtest.js';
import { BENCH_SEED, benchInstruments, benchMarket, benchStrategy } from './fixtures.js';

export interface ThroughputResult {
  variant: string;
  quotes: number;
  instruments: number;
  seconds: number;
  eventsPerSecond: number;
  orders: number;
  fills: number;
  peakRssMb: number;
}

export function measureThroughput(variant: 'sparse' | 'dense', quotes: number): ThroughputResult {
  const instruments = benchInstruments(10);
  const steps = Math.ceil(quotes / instruments.length);
  const source = new SyntheticMarket(benchMarket(instruments), steps);
  const strategy = benchStrategy(variant);
  const t0 = process.hrtime.bigint();
  const result = runBacktest({ source, strategies: [strategy], initialCapital: Money.of('100000000', USD), equitySampleMs: 60_000, keepHistory: false });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    variant,
    quotes: result.summary.records,
    instruments: instruments.length,
    seconds: Math.round(seconds * 1000) / 1000,
    eventsPerSecond: Math.round(result.summary.records / seconds),
    orders: result.summary.orders,
    fills: result.summary.fills,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

if (process.argv[1]?.endsWith('backtest-throughput.js')) {
  const variant = process.argv[2] === 'dense' ? 'dense' : 'sparse';
  const quotes = Number(process.argv[3] ?? 1_000_000);
  const r = measureThroughput(variant, quotes);
  process.stdout.write(JSON.stringify({ bench: 'backtest-throughput', seed: BENCH_SEED, ...r }) + '\n');
}
