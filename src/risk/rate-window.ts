/**
 * A sliding-window rate limiter on clock time: at most `limit` acquisitions in any `windowMs`.
 * A ring of the last `limit` acquisition times makes each check O(1).
 */

export class RateWindow {
  private readonly times: Float64Array;
  private next = 0;
  private count = 0;

  private readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.times = new Float64Array(Math.max(1, Math.floor(limit)));
    // Fix: a limit below 1 (0.5 orders/s) was rounded up to 1 per window, twice the configured
    // rate. One acquisition is allowed per windowMs / limit instead (0.5/s → one per 2 s). Limits
    // of 1 and above keep whole acquisitions per window (2.5/s allows 2 in any second).
    this.windowMs = limit < 1 ? windowMs / limit : windowMs;
  }

  /** Records an acquisition at `now` if the window has room; returns whether it did. */
  tryAcquire(now: number): boolean {
    const cap = this.times.length;
    if (this.count === cap) {
      const oldest = this.times[this.next]!;
      if (now - oldest < this.windowMs) return false;
    } else {
      this.count++;
    }
    this.times[this.next] = now;
    this.next = (this.next + 1) % cap;
    return true;
  }
}
