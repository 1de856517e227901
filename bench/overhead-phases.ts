/**
 * Where a component's backtest overhead goes: JIT warm-up or steady state. Runs the core
 * benchmark (bench/fixtures.ts: 10 instruments, seed 7, the variant's strategy) in chunks of
 * `chunk` quotes, bare and with each component attached (the performance monitor as backtests
 * attach it, the risk engine with every limit), in fresh processes taking turns round after round
 * so that drift on a shared machine touches each alike. Prints, per component, the medians over
 * rounds of the first chunk (warm-up), of the median chunk after the first two (steady state) and
 * of the whole run, each with its difference to the bare run. A diagnostic, not in `npm run bench`:
 * the overhead targets are measured by analytics-overhead.js and risk-check.js.
 *
 * Usage: node dist/bench/overhead-phases.js [sparse|dense|idle] [quotes=2000000] [chunk=250000] [rounds=5]
 * (Node options for the child runs from BENCH_NODE_FLAGS, as bench/paired.ts)
 */
import { fileURLToPath } from 'node:url';
import { Money, USD } from '../src/core/money.js';
import { SyntheticMarket } from '../src/data/index.js';
import { runBacktest, type BacktestSpec } from '../src/engine/backtest.js';
import { attachPerformanceMonitor } from '../src/analytics/backtest-report.js';
import { attachRiskEngine } from '../src/risk/attach.js';
import { BENCH_RISK_LIMITS, BENCH_SEED, type BenchVariant, benchInstruments, benchMarket, benchStrategy } from './fixtures.js';
import { median, runInChild } from './paired.js';

const COMPONENTS = {
  none: undefined,
  monitor: (engine) => void attachPerformanceMonitor(engine, { equitySampleMs: 60_000 }),
  risk: (engine) => void attachRiskEngine(engine, BENCH_RISK_LIMITS),
} satisfies Record<string, BacktestSpec['attach']>;
type Component = keyof typeof COMPONENTS;

/** Milliseconds of each chunk of one run. */
function chunkTimes(variant: BenchVariant, quotes: number, chunk: number, component: Component): number[] {
  const instruments = benchInstruments(10);
  const source = new SyntheticMarket(benchMarket(instruments), Math.ceil(quotes / instruments.length));
  const attach = COMPONENTS[component];
  const times: number[] = [];
  let last = performance.now();
  runBacktest({
    source,
    strategies: [benchStrategy(variant)],
    initialCapital: Money.of('100000000', USD),
    equitySampleMs: 60_000,
    keepHistory: false,
    progressEvery: chunk,
    onProgress: () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
    },
    ...(attach ? { attach } : {}),
  });
  return times;
}

interface Phases {
  warmupMs: number;
  steadyChunkMs: number;
  totalMs: number;
}

function phases(runs: readonly number[][]): Phases {
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    warmupMs: round(median(runs.map((t) => t[0]!))),
    steadyChunkMs: round(median(runs.map((t) => median(t.slice(2))))),
    totalMs: round(median(runs.map((t) => t.reduce((a, b) => a + b, 0)))),
  };
}

const here = fileURLToPath(import.meta.url);

if (process.argv[2] === '--run') {
  const [variant, quotes, chunk, component] = process.argv.slice(3);
  process.stdout.write(JSON.stringify({ chunksMs: chunkTimes(variant as BenchVariant, Number(quotes), Number(chunk), component as Component) }) + '\n');
} else {
  const variant = (process.argv[2] ?? 'sparse') as BenchVariant;
  const quotes = Number(process.argv[3] ?? 2_000_000);
  const chunk = Number(process.argv[4] ?? 250_000);
  const rounds = Number(process.argv[5] ?? 5);
  if (quotes < 3 * chunk) throw new RangeError(`quotes ${quotes} must be at least three chunks of ${chunk}: the steady state starts at the third`);
  const runs = new Map<Component, number[][]>(Object.keys(COMPONENTS).map((c) => [c as Component, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [component, list] of runs) {
      const out = runInChild<{ chunksMs: number[] }>(here, ['--run', variant, String(quotes), String(chunk), component]);
      list.push(out.chunksMs);
    }
  }
  const bare = phases(runs.get('none')!);
  const pct = (a: number, b: number) => Math.round((a / b - 1) * 1000) / 10;
  for (const [component, list] of runs) {
    const p = phases(list);
    const vsBare = component === 'none' ? {} : { warmupExtraMs: Math.round((p.warmupMs - bare.warmupMs) * 10) / 10, steadyExtraPct: pct(p.steadyChunkMs, bare.steadyChunkMs), totalExtraPct: pct(p.totalMs, bare.totalMs) };
    process.stdout.write(JSON.stringify({ bench: 'overhead-phases', seed: BENCH_SEED, variant, quotes, chunk, rounds, component, ...p, ...vsBare }) + '\n');
  }
}
