/**
 * Drawdown of an equity curve fed one point at a time (O(1) time and memory per point): the
 * high-water mark, the current drawdown and its duration, the longest drawdown duration, and the
 * deepest drawdown both by fraction of the peak and by amount, with peak, trough and recovery
 * times. A drawdown recovers when equity gets back to (or above) its peak. Durations are in the
 * caller's timestamp unit (epoch milliseconds) and run from the peak to the latest point, or to
 * the recovery. Fractions need a positive peak: they are null while the peak is ≤ 0 (an equity
 * curve of cumulative P&L starting at 0 has amounts only).
 */
import { ValueError } from '../../core/errors.js';

export interface DrawdownEpisode {
  /** Peak minus trough, in equity units (≥ 0). */
  readonly amount: number;
  /** amount / peak; null when the peak was ≤ 0. */
  readonly fraction: number | null;
  readonly peakTs: number;
  readonly troughTs: number;
  /** First time equity was back at the peak; null while not yet recovered. */
  readonly recoveryTs: number | null;
  /** recoveryTs - troughTs; null while not yet recovered. */
  readonly timeToRecovery: number | null;
}

type MutableEpisode = { -readonly [K in keyof DrawdownEpisode]: DrawdownEpisode[K] };

export class DrawdownTracker {
  private peak = NaN;
  private peakTs = NaN;
  private lastTs = -Infinity;
  private current = 0;
  private longest = 0;
  private deepestFraction: MutableEpisode | null = null;
  private deepestAmount: MutableEpisode | null = null;

  /**
   * Adds the equity at time `ts`. Throws ValueError when equity or ts is not finite, or when ts
   * is earlier than the previous point.
   */
  update(ts: number, equity: number): void {
    if (!Number.isFinite(ts) || !Number.isFinite(equity) || ts < this.lastTs) throw this.invalidPoint(ts, equity);
    this.lastTs = ts;
    if (Number.isNaN(this.peak) || equity >= this.peak) {
      if (this.current > 0) this.recover(ts);
      this.peak = equity;
      this.peakTs = ts;
      this.current = 0;
      return;
    }
    this.current = this.peak - equity;
    this.longest = Math.max(this.longest, ts - this.peakTs);
    const fraction = this.drawdownFraction;
    if (this.deepestAmount === null || this.current > this.deepestAmount.amount) this.deepestAmount = this.deepen(this.deepestAmount, fraction);
    if (fraction !== null && (this.deepestFraction === null || fraction > this.deepestFraction.fraction!)) {
      this.deepestFraction = this.deepen(this.deepestFraction, fraction);
    }
  }

  /** Highest equity seen; null before the first point. */
  get highWaterMark(): number | null {
    return Number.isNaN(this.peak) ? null : this.peak;
  }

  /** Current drawdown in equity units (0 at the high-water mark). */
  get drawdown(): number {
    return this.current;
  }

  /** Current drawdown as a fraction of the high-water mark; null before the first point or while the peak is ≤ 0. */
  get drawdownFraction(): number | null {
    return this.peak > 0 ? this.current / this.peak : null;
  }

  /** Time since the high-water mark while in a drawdown; 0 at the high-water mark. */
  get drawdownDuration(): number {
    return this.current > 0 ? this.lastTs - this.peakTs : 0;
  }

  /** Longest peak-to-recovery time, counting a drawdown still open up to the latest point. */
  get longestDrawdownDuration(): number {
    return this.longest;
  }

  /** Deepest drawdown by fraction of its peak; null if there has been none with a positive peak. */
  get maxDrawdown(): DrawdownEpisode | null {
    return this.deepestFraction && { ...this.deepestFraction };
  }

  /** Deepest drawdown by amount (may differ from the deepest by fraction); null if there has been none. */
  get maxDrawdownAmount(): DrawdownEpisode | null {
    return this.deepestAmount && { ...this.deepestAmount };
  }

  /** The error for a point update() rejects (made out of line: V8 compiles a shorter update() sooner). */
  private invalidPoint(ts: number, equity: number): ValueError {
    if (!Number.isFinite(ts) || !Number.isFinite(equity)) return new ValueError(`equity point (${ts}, ${equity}) is not finite`);
    return new ValueError(`equity point at ${ts} is earlier than the previous point at ${this.lastTs}`);
  }

  /** Records the current point as the new trough of `episode` (reused when given). */
  private deepen(episode: MutableEpisode | null, fraction: number | null): MutableEpisode {
    const e = episode ?? { amount: 0, fraction: null, peakTs: 0, troughTs: 0, recoveryTs: null, timeToRecovery: null };
    e.amount = this.current;
    e.fraction = fraction;
    e.peakTs = this.peakTs;
    e.troughTs = this.lastTs;
    e.recoveryTs = null;
    e.timeToRecovery = null;
    return e;
  }

  /** Closes the open drawdown; only the deepest records of that drawdown can be unrecovered. */
  private recover(ts: number): void {
    this.longest = Math.max(this.longest, ts - this.peakTs);
    for (const e of [this.deepestAmount, this.deepestFraction]) {
      if (e !== null && e.recoveryTs === null) {
        e.recoveryTs = ts;
        e.timeToRecovery = ts - e.troughTs;
      }
    }
  }
}
