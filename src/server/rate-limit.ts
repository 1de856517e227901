/**
 * Token-bucket rate limiting for control endpoints, keyed by token fingerprint + route: each key
 * holds up to `burst` requests and refills at `perSecond`. Time comes from an injected monotonic
 * clock (performance.now by default) so tests do not depend on the machine's speed.
 */
import { performance } from 'node:perf_hooks';

export interface RateLimitOptions {
  /** Requests allowed at once (default 20). */
  burst?: number;
  /** Sustained requests per second (default 5). */
  perSecond?: number;
  /** Monotonic milliseconds (default performance.now). */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterS: number };

export class RateLimiter {
  readonly burst: number;
  readonly perSecond: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();

  /** Throws RangeError unless burst >= 1 and perSecond > 0. */
  constructor(opts: RateLimitOptions = {}) {
    this.burst = opts.burst ?? 20;
    this.perSecond = opts.perSecond ?? 5;
    this.now = opts.now ?? (() => performance.now());
    if (!(this.burst >= 1) || !(this.perSecond > 0)) throw new RangeError(`rate limit burst ${this.burst} / ${this.perSecond} per second is not valid`);
  }

  /** Takes one request from the key's bucket. */
  take(key: string): RateDecision {
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 10_000) this.prune(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond)) };
  }

  /** Drops buckets that have refilled completely (they behave like new ones). */
  private prune(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
    }
  }
}
