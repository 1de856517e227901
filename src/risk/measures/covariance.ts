/**
 * Return statistics for the risk measures: sample mean, covariance and correlation of aligned
 * return series, and a rolling-window estimator that updates in O(n²) per observation.
 *
 * Convention: a series that is constant over the sample has exactly zero variance and covariance
 * (detected exactly, not by a tolerance), its correlation with every other series is reported as 0
 * and its symbol is listed in `zeroVariance`. The diagonal stays 1 so the matrix remains a valid
 * correlation matrix.
 */
import { ValueError } from '../../core/errors.js';
import type { Matrix } from '../../core/linalg.js';
import { alignedSeries, checkCovariance, checkFinite, type ReturnModel, type ReturnSeries } from './inputs.js';

/** A correlation matrix labelled by symbol, with the symbols whose variance is zero. */
export interface Correlation {
  readonly symbols: readonly string[];
  readonly matrix: Matrix;
  readonly zeroVariance: readonly string[];
}

/** Mean of each aligned series. Throws ValueError for empty series. */
export function sampleMean(series: readonly (readonly number[])[]): number[] {
  return series.map((s, i) => {
    if (s.length === 0) throw new ValueError(`series ${i} is empty`);
    let sum = 0;
    for (const r of s) sum += r;
    return sum / s.length;
  });
}

/**
 * Sample covariance (divisor n − 1) of aligned series, two-pass for accuracy. Throws ValueError
 * when the series differ in length or have fewer than 2 observations.
 */
export function sampleCovariance(series: readonly (readonly number[])[]): Matrix {
  const k = series.length;
  const n = series[0]?.length ?? 0;
  series.forEach((s, i) => {
    if (s.length !== n) throw new ValueError(`series ${i} has ${s.length} observations, expected ${n}`);
  });
  if (k > 0 && n < 2) throw new ValueError(`covariance needs at least 2 observations, got ${n}`);
  const mean = sampleMean(series);
  const constant = series.map((s) => s.every((r) => r === s[0]));
  const dev = series.map((s, i) => s.map((r) => (constant[i] ? 0 : r - mean[i]!)));
  const cov: Matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const a = dev[i]!;
      const b = dev[j]!;
      let s = 0;
      for (let t = 0; t < n; t++) s += a[t]! * b[t]!;
      cov[i]![j] = cov[j]![i] = s / (n - 1);
    }
  }
  return cov;
}

/**
 * Correlation from a covariance matrix; a symbol with variance ≤ 0 is flagged in `zeroVariance`
 * and correlates 0 with the others. Entries are clamped to [−1, 1] against rounding. Throws
 * ValueError when the matrix does not fit `symbols` or holds a non-finite entry.
 */
export function correlationFromCovariance(symbols: readonly string[], covariance: Matrix): Correlation {
  checkCovariance(symbols, covariance);
  const sd = symbols.map((_, i) => Math.sqrt(Math.max(0, covariance[i]![i]!)));
  const matrix = symbols.map((_, i) =>
    symbols.map((_, j) => {
      if (i === j) return 1;
      const d = sd[i]! * sd[j]!;
      return d > 0 ? Math.min(1, Math.max(-1, covariance[i]![j]! / d)) : 0;
    }),
  );
  return { symbols, matrix, zeroVariance: symbols.filter((_, i) => sd[i] === 0) };
}

/**
 * Mean and sample covariance of the named series (all of `returns` by default). Throws
 * ValueError for a missing, misaligned or non-finite series or fewer than 2 observations.
 */
export function estimateModel(returns: ReturnSeries, symbols: readonly string[] = Object.keys(returns)): ReturnModel {
  const series = alignedSeries(returns, symbols, 2);
  return { symbols, mean: sampleMean(series), covariance: sampleCovariance(series) };
}

/** Sample correlation of the named series (all of `returns` by default); throws as `estimateModel`. */
export function estimateCorrelation(returns: ReturnSeries, symbols: readonly string[] = Object.keys(returns)): Correlation {
  return correlationFromCovariance(symbols, estimateModel(returns, symbols).covariance);
}

/**
 * Mean, covariance and correlation over the last `window` aligned return vectors. Each `push`
 * costs O(n²): a ring buffer holds the window, and running means and co-moment sums
 * (Σ (xᵢ − x̄ᵢ)(xⱼ − x̄ⱼ)) are updated by Welford's add/remove steps, which stay accurate where
 * raw sums of products would cancel. Nothing is recomputed over the window.
 */
export class RollingCorrelation {
  readonly symbols: readonly string[];
  readonly window: number;
  private readonly ring: Float64Array[];
  private readonly mean: Float64Array;
  private readonly meanBefore: Float64Array;
  private readonly comoment: Float64Array; // n × n, upper triangle used
  /** Per series, how many newest values in a row are equal (capped at the window): flat when ≥ count. */
  private readonly run: Int32Array;
  private head = 0;
  private size = 0;

  /** Throws ValueError for repeated symbols or a window below 2. */
  constructor(symbols: readonly string[], window: number) {
    if (new Set(symbols).size !== symbols.length) throw new ValueError(`symbols ${symbols.join(', ')} are not distinct`);
    if (!(Number.isInteger(window) && window >= 2)) throw new ValueError(`window ${window} must be an integer ≥ 2`);
    const n = symbols.length;
    this.symbols = [...symbols];
    this.window = window;
    this.ring = Array.from({ length: window }, () => new Float64Array(n));
    this.mean = new Float64Array(n);
    this.meanBefore = new Float64Array(n);
    this.comoment = new Float64Array(n * n);
    this.run = new Int32Array(n);
  }

  /** Observations currently in the window. */
  get count(): number {
    return this.size;
  }

  /**
   * Adds one aligned return vector (ordered like `symbols`), evicting the oldest when full. Throws
   * ValueError for a vector of the wrong length or a non-finite return.
   */
  push(returns: readonly number[]): void {
    const n = this.symbols.length;
    if (returns.length !== n) throw new ValueError(`return vector has ${returns.length} entries for ${n} symbols`);
    returns.forEach((r, i) => checkFinite(`return ${this.symbols[i]}`, r));
    const previous = this.ring[(this.head + this.window - 1) % this.window]!;
    for (let i = 0; i < n; i++) {
      this.run[i] = this.size > 0 && returns[i] === previous[i] ? Math.min(this.run[i]! + 1, this.window) : 1;
    }
    const slot = this.ring[this.head]!;
    if (this.size === this.window) this.remove(slot);
    slot.set(returns);
    this.add(slot);
    this.head = (this.head + 1) % this.window;
  }

  /** Sample covariance (divisor n − 1). Throws ValueError with fewer than 2 observations. */
  covariance(): Matrix {
    if (this.size < 2) throw new ValueError(`rolling covariance has ${this.size} observation(s), needs at least 2`);
    const n = this.symbols.length;
    const flat = (i: number): boolean => this.run[i]! >= this.size;
    const cov: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        cov[i]![j] = cov[j]![i] = flat(i) || flat(j) ? 0 : this.comoment[i * n + j]! / (this.size - 1);
      }
    }
    return cov;
  }

  /** Correlation over the window; throws as `covariance`. */
  correlation(): Correlation {
    return correlationFromCovariance(this.symbols, this.covariance());
  }

  /** Mean and covariance over the window, ready for the VaR measures; throws as `covariance`. */
  model(): ReturnModel {
    return { symbols: this.symbols, mean: Array.from(this.mean), covariance: this.covariance() };
  }

  /** Welford add: C += (x − x̄_old)(x − x̄_new)ᵀ. */
  private add(x: Float64Array): void {
    const n = this.symbols.length;
    this.size++;
    const before = this.meanBefore;
    before.set(this.mean);
    for (let i = 0; i < n; i++) this.mean[i]! += (x[i]! - this.mean[i]!) / this.size;
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) this.comoment[i * n + j]! += (x[i]! - before[i]!) * (x[j]! - this.mean[j]!);
    }
  }

  /** The inverse of `add`: C −= (x − x̄_new)(x − x̄_old)ᵀ, where x̄_new excludes x. */
  private remove(x: Float64Array): void {
    const n = this.symbols.length;
    this.size--;
    const before = this.meanBefore;
    before.set(this.mean);
    for (let i = 0; i < n; i++) this.mean[i]! -= (x[i]! - this.mean[i]!) / this.size;
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) this.comoment[i * n + j]! -= (x[i]! - this.mean[i]!) * (x[j]! - before[j]!);
    }
  }
}
