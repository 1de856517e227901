/**
 * RollingSma: the simple moving average over the last `period` prices in O(1) per price, with
 * trading-signals' MovingAverage calling shape (`add` returns the average once `period` prices
 * have been seen, else null; `isStable`).
 *
 * trading-signals' SMA sums its whole window on every price (O(period)): with a slow average of
 * 80 quotes that was the largest cost of the MA-crossover backtest after the engine itself. Here a
 * running sum is updated per price with compensation (Neumaier's summation: a price far larger
 * than the ones after it leaves no cancellation error behind when it leaves the window), and is
 * recomputed from the window once every `period` prices, so rounding cannot drift either.
 */
export class RollingSma {
  private readonly window: Float64Array;
  private next = 0;
  private count = 0;
  private sum = 0;
  /** The low-order part the running sum lost to rounding. */
  private compensation = 0;
  private sinceResum = 0;

  /** Throws RangeError unless period is a positive integer. */
  constructor(readonly period: number) {
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`period ${period} must be a positive integer`);
    this.window = new Float64Array(period);
  }

  get isStable(): boolean {
    return this.count === this.period;
  }

  add(price: number): number | null {
    const window = this.window;
    const evicted = this.count === this.period ? window[this.next]! : 0;
    window[this.next] = price;
    this.next = this.next + 1 === this.period ? 0 : this.next + 1;
    if (this.count < this.period) this.count++;
    if (++this.sinceResum >= this.period) {
      this.sinceResum = 0;
      this.sum = 0;
      this.compensation = 0;
      for (let i = 0; i < this.count; i++) this.accumulate(window[i]!);
    } else {
      this.accumulate(price);
      this.accumulate(-evicted);
    }
    return this.count === this.period ? (this.sum + this.compensation) / this.period : null;
  }

  /** Adds x to the running sum, keeping what rounding loses in the compensation. */
  private accumulate(x: number): void {
    const sum = this.sum;
    const t = sum + x;
    this.compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    this.sum = t;
  }
}
