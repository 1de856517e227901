/**
 * Paired overhead measurement: runs a baseline and a variant alternately (ABBA order) and
 * reports median throughputs, the median over pairs of 1 − variant/baseline in wall-clock and in
 * CPU time (adjacent runs see similar load) with its 95 % confidence range, and the same ratio
 * between each side's fastest run (the least disturbed on a shared machine, where interference
 * only ever adds time). On Linux the main thread's own CPU time is compared too: it leaves out
 * V8's compiler and collector threads, and the time the main thread waited for a CPU while they
 * ran, so it shows what a change costs the thread that runs the backtest. Each run can be made in
 * a fresh child process (runInChild), so that neither side inherits the other's JIT state (inline
 * caches made polymorphic by the other's classes).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { percentileRange } from './order-statistics.js';

export interface TimedRun {
  /** Records processed. */
  readonly records: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  /** CPU time of the calling (main) thread alone; null where the system does not report it. */
  readonly mainThreadCpuSeconds: number | null;
}

/** The calling thread's CPU time in seconds, from Linux's /proc/thread-self/schedstat (nanoseconds); null elsewhere. */
function threadCpuSeconds(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return null;
  }
}

/** Times one run; `work` returns how many records it processed. */
export function timeRun(work: () => number): TimedRun {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const thread0 = threadCpuSeconds();
  const records = work();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const thread1 = threadCpuSeconds();
  const mainThreadCpuSeconds = thread0 === null || thread1 === null ? null : thread1 - thread0;
  return { records, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, mainThreadCpuSeconds };
}

/** Prints a run's timing for the parent (see runInChild). */
export function reportRun(run: TimedRun): void {
  process.stdout.write(JSON.stringify(run) + '\n');
}

/**
 * Node options for the child runs, from BENCH_NODE_FLAGS (space-separated; default none). For
 * diagnosis: on this project's 2-vCPU VM, `--single-threaded-gc` removes the slow runs that come
 * when the young-generation collector's helper thread lands on a busy vCPU (run times of the same
 * benchmark were bimodal, 0.67 s or 1.06 s; with the flag, 0.64–0.69 s).
 */
const childFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');

/** Runs `script args` in a fresh Node process and returns the JSON of its last output line (a timed run's reportRun by default). */
export function runInChild<T = TimedRun>(script: string, args: readonly string[]): T {
  const out = execFileSync(process.execPath, [...childFlags, script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const pct = (x: number) => Math.round(x * 1000) / 10;

export interface PairedResult {
  readonly repeats: number;
  readonly eventsPerSecondWithout: number;
  readonly eventsPerSecondWith: number;
  readonly overheadPct: number;
  readonly cpuOverheadPct: number;
  /** 1 − variant/baseline per pair in wall-clock time per record, in run order. */
  readonly pairOverheadsPct: string;
  /** The median over pairs of the wall-clock overhead, and its 95 % confidence range (distribution-free). */
  readonly pairedOverheadPct: number;
  readonly pairedOverheadRangePct: [number, number];
  /** The same in CPU time (which also counts V8's background compiler and GC threads). */
  readonly pairedCpuOverheadPct: number;
  readonly pairedCpuOverheadRangePct: [number, number];
  /** The same in the main thread's own CPU time, where every run reported it. */
  readonly pairedMainThreadCpuOverheadPct?: number;
  readonly pairedMainThreadCpuOverheadRangePct?: [number, number];
  /**
   * 1 − variant/baseline between each side's fastest run in CPU time per record: interference
   * from other load only ever adds time, so the fastest runs are the least disturbed pair.
   */
  readonly bestCpuOverheadPct: number;
}

export function comparePaired(baseline: () => TimedRun, variant: () => TimedRun, repeats: number): PairedResult {
  const base: TimedRun[] = [];
  const withV: TimedRun[] = [];
  for (let i = 0; i < repeats; i++) {
    const variantFirst = i % 2 === 1;
    const first = variantFirst ? variant() : baseline();
    const second = variantFirst ? baseline() : variant();
    base.push(variantFirst ? second : first);
    withV.push(variantFirst ? first : second);
  }
  const pairOverheads = (time: (r: TimedRun) => number) => base.map((a, i) => 1 - time(a) / a.records / (time(withV[i]!) / withV[i]!.records));
  const summary = (pairs: readonly number[]) => ({
    median: pct(median(pairs)),
    range: percentileRange([...pairs].sort((a, b) => a - b), 50).map(pct) as [number, number],
  });
  const wallPairs = pairOverheads((r) => r.seconds);
  const wall = summary(wallPairs);
  const cpu = summary(pairOverheads((r) => r.cpuSeconds));
  const mainThreadReported = [...base, ...withV].every((r) => r.mainThreadCpuSeconds !== null);
  const mainThread = mainThreadReported ? summary(pairOverheads((r) => r.mainThreadCpuSeconds!)) : undefined;
  const rate = (runs: TimedRun[], time: (r: TimedRun) => number) => median(runs.map((r) => r.records / time(r)));
  const baseWall = rate(base, (r) => r.seconds);
  const withWall = rate(withV, (r) => r.seconds);
  const baseCpu = rate(base, (r) => r.cpuSeconds);
  const withCpu = rate(withV, (r) => r.cpuSeconds);
  return {
    repeats,
    eventsPerSecondWithout: Math.round(baseWall),
    eventsPerSecondWith: Math.round(withWall),
    overheadPct: pct(1 - withWall / baseWall),
    cpuOverheadPct: pct(1 - withCpu / baseCpu),
    pairOverheadsPct: wallPairs.map(pct).join(' '),
    pairedOverheadPct: wall.median,
    pairedOverheadRangePct: wall.range,
    pairedCpuOverheadPct: cpu.median,
    pairedCpuOverheadRangePct: cpu.range,
    ...(mainThread ? { pairedMainThreadCpuOverheadPct: mainThread.median, pairedMainThreadCpuOverheadRangePct: mainThread.range } : {}),
    bestCpuOverheadPct: pct(1 - Math.min(...base.map((r) => r.cpuSeconds / r.records)) / Math.min(...withV.map((r) => r.cpuSeconds / r.records))),
  };
}
