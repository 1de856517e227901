/**
 * Performance monitor overhead: the core backtest benchmark (bench/backtest-throughput.ts: the
 * 10-instrument synthetic market of bench/fixtures.ts, fixed seed, same strategies and settings)
 * with and without the monitor attached through runBacktest's attach hook. Variants: "sparse" is
 * the moving-average crossover (few orders), "dense" sends an order on every quote (the monitor
 * sees an order, three order events, a fill and half a round trip per tick), "idle" never trades
 * (the bare data path: what the monitor costs when nothing trades; it follows no data record). Runs come in
 * with/without pairs, each run in a fresh process (bench/paired.ts): the median throughputs and
 * the median over pairs of 1 − with/without in CPU time.
 *
 * Usage: node dist/bench/analytics-overhead.js [dense|sparse|idle|all] [quotes] [repeats=7] [monitors=1]
 * (quotes default: 1,000,000, the core benchmark's size for both variants; a shorter dense run
 * weighs the monitor's JIT warm-up, not its steady cost per order). `monitors` > 1 attaches that
 * many monitors to the same engine, a diagnostic: what each one after the first adds is the work
 * of a monitor instance, while the first also pays what they share (JIT warm-up, the portfolio
 * re-valuation behind the equity samples, colder caches).
 */
import { fileURLToPath } from 'node:url';
import { Money, USD } from '../src/core/money.js';
import { SyntheticMarket } from '../src/data/index.js';
import { runBacktest } from '../src/engine/backtest.js';
import { attachPerformanceMonitor } from '../src/analytics/backtest-report.js';
import type { PerformanceMonitor } from '../src/analytics/performance-monitor.js';
import { BENCH_SEED, type BenchVariant, benchInstruments, benchMarket, benchStrategy } from './fixtures.js';
import { type TimedRun, comparePaired, reportRun, runInChild, timeRun } from './paired.js';

function run(variant: BenchVariant, quotes: number, monitors: number): TimedRun & { fills: number; trades: number | undefined } {
  const instruments = benchInstruments(10);
  const source = new SyntheticMarket(benchMarket(instruments), Math.ceil(quotes / instruments.length));
  let monitor: PerformanceMonitor | undefined;
  let fills = 0;
  const timed = timeRun(() => {
    const result = runBacktest({
      source,
      strategies: [benchStrategy(variant)],
      initialCapital: Money.of('100000000', USD),
      equitySampleMs: 60_000,
      // As bench/backtest-throughput.ts: results are not kept, so the baseline is the core benchmark.
      keepHistory: false,
      ...(monitors > 0
        ? {
            attach: (engine) => {
              for (let i = 0; i < monitors; i++) monitor = attachPerformanceMonitor(engine, { equitySampleMs: 60_000 });
            },
          }
        : {}),
    });
    fills = result.summary.fills;
    return result.summary.records;
  });
  return { ...timed, fills, trades: monitor?.snapshot().trades.count };
}

const here = fileURLToPath(import.meta.url);

export function measureOverhead(variant: BenchVariant, quotes: number, repeats: number, monitors = 1): Record<string, unknown> {
  let last: ReturnType<typeof run> | undefined;
  const inChild = (n: number) => () => {
    const r = runInChild(here, ['--run', variant, String(quotes), String(n)]) as ReturnType<typeof run>;
    if (n > 0) last = r;
    return r;
  };
  const paired = comparePaired(inChild(0), inChild(monitors), repeats);
  return {
    bench: 'analytics-overhead',
    seed: BENCH_SEED,
    variant,
    quotes,
    ...(monitors !== 1 ? { monitors } : {}),
    fills: last?.fills ?? 0,
    roundTrips: last?.trades ?? 0,
    ...paired,
  };
}

if (process.argv[2] === '--run') {
  reportRun(run(process.argv[3] as BenchVariant, Number(process.argv[4]), Number(process.argv[5])));
} else if (process.argv[1]?.endsWith('analytics-overhead.js')) {
  const which = process.argv[2] ?? 'all';
  const repeats = Number(process.argv[4] ?? 7);
  const monitors = Number(process.argv[5] ?? 1);
  if (!Number.isInteger(monitors) || monitors < 1) throw new Error(`monitors ${process.argv[5]} is not a positive integer`);
  const variants: BenchVariant[] = which === 'all' ? ['sparse', 'dense', 'idle'] : [which as BenchVariant];
  for (const v of variants) {
    const quotes = Number(process.argv[3] ?? 1_000_000);
    process.stdout.write(JSON.stringify(measureOverhead(v, quotes, repeats, monitors)) + '\n');
  }
}
