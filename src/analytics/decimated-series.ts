/**
 * A bounded time series that covers everything pushed into it: while there is room every point is
 * kept; when the store fills up it is thinned in place (the first point, then of each run of four
 * stored points the lowest and the highest) and from then on each bucket of `stride` new points
 * (doubled at each thinning) adds only its lowest and highest. So a report drawn from it shows the
 * whole run, coarser where it is older, with the first and last points, the overall low and high
 * (an equity curve's deepest trough and its high-water mark) always kept. Memory is two
 * Float64Arrays that double as points are stored, up to the capacity (a short run or a seldom
 * sampled series does not hold the whole capacity); a push costs O(1) amortized (a thinning
 * touches each stored point once, and the points stored between two thinnings grow with the
 * stride). The monitor keeps its equity curve, drawdown curve and sampled prices in these.
 */
import { ValueError } from '../core/errors.js';

/** Points the stores hold at first (they double from there up to the capacity). */
const INITIAL_POINTS = 64;

export interface SeriesPoint {
  /** Epoch milliseconds (clock time). */
  readonly ts: number;
  readonly value: number;
}

export class DecimatedSeries {
  readonly capacity: number;
  private times: Float64Array;
  private values: Float64Array;
  private size = 0;
  private pushed = 0;
  /**
   * New points per bucket: 1 (each point stored) until the first thinning, then doubled at each.
   * Set in the constructor, not here: V8 takes a field written only once as a constant in the
   * code it compiles, and threw that code away when the first thinning changed it.
   */
  private stride = 0;
  // The open bucket: its point count and its lowest and highest points (the first of equals).
  private bucketCount = 0;
  private lowTs = 0;
  private lowValue = 0;
  private lowAt = 0;
  private highTs = 0;
  private highValue = 0;
  private highAt = 0;
  private lastTs = 0;
  private lastValue = 0;
  /** Whether the last point pushed is stored (a closed bucket stores only its low and high). */
  private lastStored = true;

  /** Throws ValueError when `capacity` is not an integer of at least 4. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 4) throw new ValueError(`series capacity ${capacity} is not an integer of at least 4`);
    this.capacity = capacity;
    this.stride = 1;
    this.times = new Float64Array(Math.min(capacity, INITIAL_POINTS));
    this.values = new Float64Array(Math.min(capacity, INITIAL_POINTS));
  }

  /**
   * Adds a point. Before the first thinning each point is a bucket of its own, so the code that
   * runs after it has run (and given V8 its type feedback) from the first point on: the compiled
   * push is not thrown away when the series first thins.
   */
  push(ts: number, value: number): void {
    this.pushed++;
    this.lastTs = ts;
    this.lastValue = value;
    const at = this.bucketCount++;
    const lower = value < this.lowValue;
    const higher = value > this.highValue;
    if (at === 0 || lower) {
      this.lowTs = ts;
      this.lowValue = value;
      this.lowAt = at;
    }
    if (at === 0 || higher) {
      this.highTs = ts;
      this.highValue = value;
      this.highAt = at;
    }
    if (this.bucketCount === this.stride) {
      // Both read (no short circuit): the second read too runs before the first thinning.
      const lastIsLow = this.lowAt === at;
      const lastIsHigh = this.highAt === at;
      this.lastStored = lastIsLow || lastIsHigh;
      this.bucketCount = 0;
      this.storeBucket();
    }
  }

  /**
   * Points toArray returns: those stored (at most the capacity), then up to three of the open
   * bucket, or the last point when the bucket it closed stored only its low and high.
   */
  get count(): number {
    if (this.bucketCount === 0) return this.lastStored ? this.size : this.size + 1;
    const lastAt = this.bucketCount - 1;
    return this.size + 1 + (this.lowAt !== this.highAt ? 1 : 0) + (lastAt !== this.lowAt && lastAt !== this.highAt ? 1 : 0);
  }

  /** Points ever pushed. */
  get total(): number {
    return this.pushed;
  }

  /** The most recent point, or undefined when empty. */
  last(): SeriesPoint | undefined {
    return this.pushed === 0 ? undefined : { ts: this.lastTs, value: this.lastValue };
  }

  /** The kept points, oldest first, ending with the most recent point (allocates; for snapshots and reports). */
  toArray(): SeriesPoint[] {
    const out: SeriesPoint[] = [];
    for (let i = 0; i < this.size; i++) out.push({ ts: this.times[i]!, value: this.values[i]! });
    if (this.bucketCount > 0) {
      // The open bucket's low and high in push order, then its last point unless it is one of them.
      const lowFirst = this.lowAt <= this.highAt;
      const first = lowFirst ? { ts: this.lowTs, value: this.lowValue } : { ts: this.highTs, value: this.highValue };
      out.push(first);
      if (this.lowAt !== this.highAt) out.push(lowFirst ? { ts: this.highTs, value: this.highValue } : { ts: this.lowTs, value: this.lowValue });
      const lastAt = this.bucketCount - 1;
      if (lastAt !== this.lowAt && lastAt !== this.highAt) out.push({ ts: this.lastTs, value: this.lastValue });
    } else if (!this.lastStored) out.push({ ts: this.lastTs, value: this.lastValue });
    return out;
  }

  /**
   * Stores the closed bucket's low and high, in push order (one point when they are the same),
   * through one call site.
   */
  private storeBucket(): void {
    const lowTs = this.lowTs;
    const lowValue = this.lowValue;
    const highTs = this.highTs;
    const highValue = this.highValue;
    const lowFirst = this.lowAt <= this.highAt;
    const points = this.lowAt === this.highAt ? 1 : 2;
    for (let k = 0; k < points; k++) {
      const low = (k === 0) === lowFirst;
      this.store(low ? lowTs : highTs, low ? lowValue : highValue);
    }
  }

  private store(ts: number, value: number): void {
    if (this.size === this.times.length) this.makeRoom();
    this.times[this.size] = ts;
    this.values[this.size] = value;
    this.size++;
  }

  /**
   * Thins a full series, or grows its stores. One call site for both: the growths give it V8's
   * type feedback long before the first thinning, which then does not throw away compiled code.
   */
  private makeRoom(): void {
    if (this.size === this.capacity) this.thin();
    else this.grow();
  }

  /** Doubles the stores, up to the capacity. */
  private grow(): void {
    const length = Math.min(this.capacity, 2 * this.times.length);
    const times = new Float64Array(length);
    const values = new Float64Array(length);
    times.set(this.times);
    values.set(this.values);
    this.times = times;
    this.values = values;
  }

  /**
   * Keeps the first point and, of each run of four after it, the lowest and highest; doubles the
   * stride. The work of a run is a method of its own: a loop over every stored point in one
   * function had V8 compile it twice, on the stack mid-loop and then whole, for a call or two.
   */
  private thin(): void {
    let kept = 1;
    for (let start = 1; start < this.size; start += 4) kept = this.keepLowHigh(start, Math.min(start + 4, this.size), kept);
    this.size = kept;
    this.stride *= 2;
  }

  /** Moves the lowest and highest of the points [start, end) to `kept` on, in time order; returns the next free slot. */
  private keepLowHigh(start: number, end: number, kept: number): number {
    const t = this.times;
    const v = this.values;
    let low = start;
    let high = start;
    for (let i = start + 1; i < end; i++) {
      if (v[i]! < v[low]!) low = i;
      if (v[i]! > v[high]!) high = i;
    }
    const a = Math.min(low, high);
    const b = Math.max(low, high);
    t[kept] = t[a]!;
    v[kept] = v[a]!;
    if (b === a) return kept + 1;
    t[kept + 1] = t[b]!;
    v[kept + 1] = v[b]!;
    return kept + 2;
  }
}
