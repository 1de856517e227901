/**
 * Fixed-size windows over the last N samples, each updated in O(1) (moments) or O(log N) search
 * plus one block move (order statistics) per sample, with memory bounded by the window size.
 * `RollingWindow` keeps a running mean and sum of squared deviations (the sliding form of
 * Welford's update: stabler than raw sum/sum-of-squares, which cancels catastrophically when
 * the mean is large next to the spread). `SortedWindow` keeps the window sorted for exact medians.
 */
import { ValueError } from '../../core/errors.js';

function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 1) throw new ValueError(`window capacity ${capacity} is not a positive integer`);
}

function checkFinite(x: number): void {
  if (!Number.isFinite(x)) throw new ValueError(`sample ${x} is not a finite number`);
}

/** Mean, sample variance and sum of the last `capacity` samples. */
export class RollingWindow {
  private readonly ring: Float64Array;
  private next = 0;
  private size = 0;
  private mu = 0;
  private m2 = 0;

  /** Throws ValueError when `capacity` is not a positive integer. */
  constructor(readonly capacity: number) {
    checkCapacity(capacity);
    this.ring = new Float64Array(capacity);
  }

  /** Adds `x`, returning the sample it pushed out of a full window. Throws ValueError on NaN/±∞. */
  push(x: number): number | undefined {
    checkFinite(x);
    let evicted: number | undefined;
    if (this.size < this.capacity) {
      this.size++;
      const delta = x - this.mu;
      this.mu += delta / this.size;
      this.m2 += delta * (x - this.mu);
    } else {
      evicted = this.ring[this.next]!;
      const oldMean = this.mu;
      this.mu += (x - evicted) / this.size;
      this.m2 = Math.max(0, this.m2 + (x - evicted) * (x - this.mu + evicted - oldMean));
    }
    this.ring[this.next] = x;
    this.next = (this.next + 1) % this.capacity;
    return evicted;
  }

  get count(): number {
    return this.size;
  }

  /** Mean of the window; null when empty. */
  mean(): number | null {
    return this.size === 0 ? null : this.mu;
  }

  sum(): number {
    return this.mu * this.size;
  }

  /** Sample variance (n-1); null with fewer than 2 samples. */
  variance(): number | null {
    return this.size < 2 ? null : this.m2 / (this.size - 1);
  }

  /** Sample standard deviation (n-1); null with fewer than 2 samples. */
  std(): number | null {
    const v = this.variance();
    return v === null ? null : Math.sqrt(v);
  }
}

/** The last `capacity` samples kept in sorted order: exact median by index. */
export class SortedWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private next = 0;
  private size = 0;

  /** Throws ValueError when `capacity` is not a positive integer. */
  constructor(readonly capacity: number) {
    checkCapacity(capacity);
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  /** Adds `x`, evicting the oldest sample of a full window. Throws ValueError on NaN/±∞. */
  push(x: number): void {
    checkFinite(x);
    if (this.size === this.capacity) {
      // Any copy of an equal value is interchangeable: remove the last one, and insert after the
      // equal ones, so that runs of equal samples (fixed holding times) shift nothing.
      const at = this.upperBound(this.ring[this.next]!) - 1;
      this.sorted.copyWithin(at, at + 1, this.size);
      this.size--;
    }
    const at = this.upperBound(x);
    this.sorted.copyWithin(at + 1, at, this.size);
    this.sorted[at] = x;
    this.size++;
    this.ring[this.next] = x;
    this.next = (this.next + 1) % this.capacity;
  }

  get count(): number {
    return this.size;
  }

  /** Median of the window (mean of the two middle samples when the count is even); null when empty. */
  median(): number | null {
    if (this.size === 0) return null;
    const mid = this.size >> 1;
    return this.size % 2 === 1 ? this.sorted[mid]! : (this.sorted[mid - 1]! + this.sorted[mid]!) / 2;
  }

  /** First index in the sorted prefix whose value is > x. */
  private upperBound(x: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
