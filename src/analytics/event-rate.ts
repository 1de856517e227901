/**
 * Events per second over a sliding window of clock time, in constant memory. The caller keeps a
 * cumulative event count; this keeps that count as it stood at the start of each recent slot
 * (default 1 s slots), so the hot path is one comparison: call `roll(now, total)` only when
 * `now >= nextRollAt`, before counting the event at `now`. The rate is taken over the completed
 * slots in the window (a partly elapsed current slot never makes it jump); slots before the first
 * event do not count. Memory: one number per slot.
 */
import { ValueError } from '../core/errors.js';

export class EventRate {
  readonly windowMs: number;
  readonly slotMs: number;
  /** Clock time at which the current slot ends; `roll` is due at or after it. */
  nextRollAt = -Infinity;
  /** Cumulative count at the start of each slot, indexed by slot number modulo the ring size. */
  private readonly starts: Float64Array;
  private currentSlot = NaN;
  private firstSlot = NaN;

  /** Throws ValueError unless slotMs > 0 and windowMs is at least two slots. */
  constructor(windowMs = 10_000, slotMs = 1_000) {
    if (!(slotMs > 0) || !Number.isFinite(slotMs)) throw new ValueError(`event rate slot ${slotMs} ms is not positive`);
    if (!(windowMs >= 2 * slotMs) || !Number.isFinite(windowMs)) throw new ValueError(`event rate window ${windowMs} ms is shorter than two slots of ${slotMs} ms`);
    this.windowMs = windowMs;
    this.slotMs = slotMs;
    this.starts = new Float64Array(Math.ceil(windowMs / slotMs));
  }

  /** Moves to the slot of `now`; `total` is the cumulative count before any event at `now`. */
  roll(now: number, total: number): void {
    const slot = Math.floor(now / this.slotMs);
    const n = this.starts.length;
    if (Number.isNaN(this.currentSlot)) {
      this.firstSlot = slot;
      this.starts[slot % n] = total;
    } else {
      if (slot <= this.currentSlot) return;
      // Every slot entered since the last event starts at the same cumulative count.
      const from = Math.max(this.currentSlot + 1, slot - n + 1);
      for (let k = from; k <= slot; k++) this.starts[k % n] = total;
    }
    this.currentSlot = slot;
    this.nextRollAt = (slot + 1) * this.slotMs;
  }

  /** Events per second over the completed slots of the window at `now`; null before one slot has completed. */
  perSecond(now: number, total: number): number | null {
    if (Number.isNaN(this.currentSlot)) return null;
    if (now >= this.nextRollAt) this.roll(now, total);
    const n = this.starts.length;
    const completed = Math.min(n - 1, this.currentSlot - this.firstSlot);
    if (completed <= 0) return null;
    const events = this.starts[this.currentSlot % n]! - this.starts[(this.currentSlot - completed) % n]!;
    return events / ((completed * this.slotMs) / 1000);
  }
}
