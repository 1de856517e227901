/**
 * Performance monitor overhead: the core backtest benchmark (bench/backtest-throughput.ts: the
 * 10-instrument synthetic market of bench/fixtures.ts, fixed seed, same strategies and settings)
 * with and without the monitor attached through runBacktest's attach hook. Variants: "sparse" is
 * the moving-average crossover (few orders), "dense" sends an order on every quote (the monitor
 * sees an order, three order events, a fill and half a round trip per tick), "idle" never trades
 * (the bare data path: the worst case for the monitor's relative cost per record). Runs
 * come in with/without pairs after a warm-up (the order alternates between pairs). Reported: the
 * median throughput per second of wall time and of this process's CPU time, and the overhead as
 * the median over pairs of 1 − with/without in CPU time: on a shared, loaded machine adjacent runs
 * see similar load, so the pairwise figure is the steadiest.
 *
 * Usage: node dist/bench/analytics-overhead.js [dense|sparse|idle|all] [quotes] [repeats=5]
 * (quotes default: 1,000,000; 200,000 for dense, whose base engine cost per order dominates)
 */
import { Money, USD } from '../src/core/money.js';
import { SyntheticMarket } from '../src/data/index.js';
import { runBacktest } from '../src/engine/backtest.js';
import { attachPerformanceMonitor } from '../src/analytics/backtest-report.js';
import type { PerformanceMonitor } from '../src/analytics/performance-monitor.js';
import { createStrategy } from '../src/strategy/registry.js';
import { Strategy } from '../src/strategy/strategy.js';
import { BENCH_SEED, EveryTickStrategy, benchInstruments, benchMarket } from './fixtures.js';

type Variant = 'dense' | 'sparse' | 'idle';

/** Receives every quote and never trades. */
class IdleStrategy extends Strategy {}

/** The strategies of bench/backtest-throughput.ts, plus the idle one. */
function strategyFor(variant: Variant): Strategy {
  if (variant === 'dense') return new EveryTickStrategy('every_tick-1');
  if (variant === 'sparse') return createStrategy('ma_cross', 'ma_cross-1', { fast: 20, slow: 80, size: '0.01', mode: 'long-short' });
  return new IdleStrategy('idle-1');
}

interface RunResult {
  eventsPerSecond: number;
  eventsPerCpuSecond: number;
  records: number;
  fills: number;
  trades: number | undefined;
}

function run(variant: Variant, quotes: number, withMonitor: boolean): RunResult {
  const instruments = benchInstruments(10);
  const source = new SyntheticMarket(benchMarket(instruments), Math.ceil(quotes / instruments.length));
  let monitor: PerformanceMonitor | undefined;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const result = runBacktest({
    source,
    strategies: [strategyFor(variant)],
    initialCapital: Money.of('100000000', USD),
    equitySampleMs: 60_000,
    ...(withMonitor ? { attach: (engine) => void (monitor = attachPerformanceMonitor(engine, { equitySampleMs: 60_000 })) } : {}),
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { eventsPerSecond: result.summary.records / seconds, eventsPerCpuSecond: result.summary.records / cpuSeconds, records: result.summary.records, fills: result.summary.fills, trades: monitor?.snapshot().trades.count };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function measureOverhead(variant: Variant, quotes: number, repeats: number): Record<string, number | string> {
  run(variant, Math.min(quotes, 200_000), false); // warm-up
  run(variant, Math.min(quotes, 200_000), true);
  const without: RunResult[] = [];
  const withMon: RunResult[] = [];
  const pairOverheads: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const first = run(variant, quotes, i % 2 === 1);
    const second = run(variant, quotes, i % 2 === 0);
    const [a, b] = i % 2 === 1 ? [second, first] : [first, second];
    without.push(a);
    withMon.push(b);
    pairOverheads.push(1 - b.eventsPerCpuSecond / a.eventsPerCpuSecond);
  }
  const last = withMon[withMon.length - 1];
  const base = median(without.map((r) => r.eventsPerSecond));
  const monitored = median(withMon.map((r) => r.eventsPerSecond));
  const baseCpu = median(without.map((r) => r.eventsPerCpuSecond));
  const monitoredCpu = median(withMon.map((r) => r.eventsPerCpuSecond));

  return {
    bench: 'analytics-overhead',
    seed: BENCH_SEED,
    variant,
    quotes: last!.records,
    fills: last!.fills,
    roundTrips: last!.trades ?? 0,
    repeats,
    eventsPerSecondWithout: Math.round(base),
    eventsPerSecondWith: Math.round(monitored),
    overheadPct: Math.round((1 - monitored / base) * 1000) / 10,
    eventsPerCpuSecondWithout: Math.round(baseCpu),
    eventsPerCpuSecondWith: Math.round(monitoredCpu),
    cpuOverheadPct: Math.round((1 - monitoredCpu / baseCpu) * 1000) / 10,
    pairOverheadsPct: pairOverheads.map((x) => Math.round(x * 1000) / 10).join(' '),
    pairedCpuOverheadPct: Math.round(median(pairOverheads) * 1000) / 10,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

if (process.argv[1]?.endsWith('analytics-overhead.js')) {
  const which = process.argv[2] ?? 'all';
  const repeats = Number(process.argv[4] ?? 9);
  const variants: Variant[] = which === 'all' ? ['sparse', 'dense', 'idle'] : [which as Variant];
  for (const v of variants) {
    const quotes = Number(process.argv[3] ?? (v === 'dense' ? 200_000 : 1_000_000));
    process.stdout.write(JSON.stringify(measureOverhead(v, quotes, repeats)) + '\n');
  }
}
