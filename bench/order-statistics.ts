/**
 * Order statistics for the benchmarks: a percentile of sorted samples, and its 95 % confidence
 * range whatever the distribution (the noise of a shared VM is neither normal nor symmetric).
 */

/** The p-th percentile of ascending samples (the sample at rank ⌊n·p/100⌋). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * A 95 % confidence range of the p-th percentile of ascending samples: the order statistics at
 * ranks n·q ± 1.96·√(n·q·(1−q)) (normal approximation of the binomial count below the percentile).
 */
export function percentileRange(sorted: ArrayLike<number>, p: number): [number, number] {
  const n = sorted.length;
  const q = p / 100;
  const half = 1.96 * Math.sqrt(n * q * (1 - q));
  const at = (rank: number) => sorted[Math.min(n - 1, Math.max(0, Math.floor(rank)))]!;
  return n === 0 ? [NaN, NaN] : [at(n * q - half), at(n * q + half)];
}
