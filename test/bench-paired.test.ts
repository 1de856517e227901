import { describe, expect, it } from 'vitest';
import { type TimedRun, comparePaired, timeRun } from '../bench/paired.js';

/** Runs of 1,000 records, taken in turn from `seconds` (wall, CPU and main-thread CPU alike). */
function runs(seconds: readonly number[], mainThread = true): () => TimedRun {
  let i = 0;
  return () => {
    const s = seconds[i++ % seconds.length]!;
    return { records: 1000, seconds: s, cpuSeconds: s, mainThreadCpuSeconds: mainThread ? s : null };
  };
}

describe('comparePaired', () => {
  it('reports the median overhead over pairs in wall-clock, CPU and main-thread CPU time', () => {
    // Pairs (1.0, 1.25), (1.0, 1.25), (2.0, 2.5): 1 − base/variant = 20 % each.
    const r = comparePaired(runs([1, 1, 2]), runs([1.25, 1.25, 2.5]), 3);
    expect(r.pairedOverheadPct).toBe(20);
    expect(r.pairedCpuOverheadPct).toBe(20);
    expect(r.pairedMainThreadCpuOverheadPct).toBe(20);
    expect(r.pairedMainThreadCpuOverheadRangePct).toEqual([20, 20]);
  });

  it('leaves the main-thread figures out when a run could not measure them', () => {
    const r = comparePaired(runs([1]), runs([1.25], false), 3);
    expect(r.pairedOverheadPct).toBe(20);
    expect(r).not.toHaveProperty('pairedMainThreadCpuOverheadPct');
  });

  it('measures the main thread\'s CPU time on Linux', () => {
    const run = timeRun(() => {
      let x = 0;
      for (let i = 0; i < 2_000_000; i++) x += Math.sqrt(i);
      return x > 0 ? 1 : 0;
    });
    if (process.platform !== 'linux') {
      expect(run.mainThreadCpuSeconds).toBeNull();
      return;
    }
    expect(run.mainThreadCpuSeconds).toBeGreaterThan(0);
    expect(run.mainThreadCpuSeconds).toBeLessThanOrEqual(run.cpuSeconds + 0.01);
  });
});
