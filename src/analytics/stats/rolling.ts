/**
 * Fixed-size windows over the last N samples, each updated in O(1) per sample, with memory
 * bounded by the window size.
 * `RollingWindow` keeps a running mean and sum of squared deviations (the sliding form of
 * Welford's update: stabler than raw sum/sum-of-squares, which cancels catastrophically when
 * the mean is large next to the spread). `MedianWindow` sorts the window for an exact median when one is read.
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

/**
 * The last `capacity` samples, with their exact median: a push is O(1) (a ring write); the median
 * sorts a copy of the window when asked, O(N log N), and is kept until the next push — medians are
 * read at snapshots, far less often than samples arrive.
 */
export class MedianWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private next = 0;
  private size = 0;
  /** Whether `sorted` holds the window as it is now. */
  private sortedValid = true;

  /** Throws ValueError when `capacity` is not a positive integer. */
  constructor(readonly capacity: number) {
    checkCapacity(capacity);
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  /** Adds `x`, evicting the oldest sample of a full window. Throws ValueError on NaN/±∞. */
  push(x: number): void {
    checkFinite(x);
    this.ring[this.next] = x;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    this.sortedValid = false;
  }

  get count(): number {
    return this.size;
  }

  /** Median of the window (mean of the two middle samples when the count is even); null when empty. */
  median(): number | null {
    if (this.size === 0) return null;
    if (!this.sortedValid) {
      const window = this.sorted.subarray(0, this.size);
      window.set(this.ring.subarray(0, this.size));
      window.sort();
      this.sortedValid = true;
    }
    const mid = this.size >> 1;
    return this.size % 2 === 1 ? this.sorted[mid]! : (this.sorted[mid - 1]! + this.sorted[mid]!) / 2;
  }
}
