/**
 * A bounded time series: the last `capacity` (ts, value) points in two preallocated Float64Arrays,
 * so pushing a point never allocates. The monitor keeps its equity curve, drawdown curve and
 * sampled prices in these; memory is fixed by the capacity whatever the length of the run.
 */
import { ValueError } from '../core/errors.js';

export interface SeriesPoint {
  /** Epoch milliseconds (clock time). */
  readonly ts: number;
  readonly value: number;
}

export class SeriesRing {
  readonly capacity: number;
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private next = 0;
  private size = 0;
  private pushed = 0;

  /** Throws ValueError when `capacity` is not a positive integer. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new ValueError(`series capacity ${capacity} is not a positive integer`);
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  push(ts: number, value: number): void {
    this.times[this.next] = ts;
    this.values[this.next] = value;
    this.next = this.next === this.capacity - 1 ? 0 : this.next + 1;
    if (this.size < this.capacity) this.size++;
    this.pushed++;
  }

  /** Points retained (at most the capacity). */
  get count(): number {
    return this.size;
  }

  /** Points ever pushed, including those dropped from the front. */
  get total(): number {
    return this.pushed;
  }

  /** The most recent point, or undefined when empty. */
  last(): SeriesPoint | undefined {
    if (this.size === 0) return undefined;
    const i = this.next === 0 ? this.capacity - 1 : this.next - 1;
    return { ts: this.times[i]!, value: this.values[i]! };
  }

  /** The retained points, oldest first (allocates; for snapshots and reports). */
  toArray(): SeriesPoint[] {
    const out: SeriesPoint[] = new Array<SeriesPoint>(this.size);
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let k = 0; k < this.size; k++) {
      const i = (start + k) % this.capacity;
      out[k] = { ts: this.times[i]!, value: this.values[i]! };
    }
    return out;
  }
}
