/**
 * A sliding-window rate limiter on clock time: at most `limit` acquisitions in any `windowMs`.
 * It keeps the times of the acquisitions still inside the window, oldest first, in a ring that
 * grows only as far as they need (a limit of a billion per second costs no memory up front).
 * Each check is amortized O(1).
 */

export class RateWindow {
  private times = new Float64Array(16);
  /** Ring index of the oldest acquisition still in the window. */
  private head = 0;
  private count = 0;
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.limit = Math.max(1, Math.floor(limit));
    // Fix: a limit below 1 (0.5 orders/s) was rounded up to 1 per window, twice the configured
    // rate. One acquisition is allowed per windowMs / limit instead (0.5/s → one per 2 s). Limits
    // of 1 and above keep whole acquisitions per window (2.5/s allows 2 in any second).
    this.windowMs = limit < 1 ? windowMs / limit : windowMs;
  }

  /** Records an acquisition at `now` if the window has room; returns whether it did. */
  tryAcquire(now: number): boolean {
    const times = this.times;
    const mask = times.length - 1;
    while (this.count > 0 && now - times[this.head]! >= this.windowMs) {
      this.head = (this.head + 1) & mask;
      this.count--;
    }
    if (this.count >= this.limit) return false;
    if (this.count === times.length) this.grow();
    this.times[(this.head + this.count) & (this.times.length - 1)] = now;
    this.count++;
    return true;
  }

  /** Doubles the ring (its length stays a power of two, so indices wrap with a mask). */
  private grow(): void {
    const old = this.times;
    const next = new Float64Array(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & (old.length - 1)]!;
    this.times = next;
    this.head = 0;
  }
}
