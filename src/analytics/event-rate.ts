/**
 * Events per second over a sliding window of clock time, in constant memory: a ring of
 * per-slot counters (default 1 s slots). Counting is O(1) amortized (a slot is cleared once when
 * time moves past it). The rate is taken over the completed slots in the window, so a partly
 * elapsed current slot never makes the rate jump; slots before the first event do not count.
 */
import { ValueError } from '../core/errors.js';

export class EventRate {
  readonly windowMs: number;
  readonly slotMs: number;
  private readonly counts: Float64Array;
  private currentSlot = NaN;
  private firstSlot = NaN;

  /** Throws ValueError unless slotMs > 0 and windowMs is at least two slots. */
  constructor(windowMs = 10_000, slotMs = 1_000) {
    if (!(slotMs > 0) || !Number.isFinite(slotMs)) throw new ValueError(`event rate slot ${slotMs} ms is not positive`);
    if (!(windowMs >= 2 * slotMs) || !Number.isFinite(windowMs)) throw new ValueError(`event rate window ${windowMs} ms is shorter than two slots of ${slotMs} ms`);
    this.windowMs = windowMs;
    this.slotMs = slotMs;
    this.counts = new Float64Array(Math.ceil(windowMs / slotMs));
  }

  /** Counts one event at clock time `now` (times never go back in a session; earlier ones count in the current slot). */
  add(now: number): void {
    const slot = Math.floor(now / this.slotMs);
    if (slot !== this.currentSlot) this.moveTo(slot);
    this.counts[this.currentSlot % this.counts.length]!++;
  }

  /** Events per second over the completed slots of the window at `now`; null before one slot has completed. */
  perSecond(now: number): number | null {
    const slot = Math.floor(now / this.slotMs);
    if (Number.isNaN(this.currentSlot)) return null;
    if (slot > this.currentSlot) this.moveTo(slot);
    const n = this.counts.length;
    const completed = Math.min(n - 1, this.currentSlot - this.firstSlot);
    if (completed <= 0) return null;
    let sum = 0;
    for (let k = 1; k <= completed; k++) sum += this.counts[(this.currentSlot - k) % n]!;
    return sum / ((completed * this.slotMs) / 1000);
  }

  private moveTo(slot: number): void {
    const n = this.counts.length;
    if (Number.isNaN(this.currentSlot)) {
      this.currentSlot = slot;
      this.firstSlot = slot;
      return;
    }
    if (slot < this.currentSlot) return;
    const gap = Math.min(n, slot - this.currentSlot);
    for (let k = 1; k <= gap; k++) this.counts[(this.currentSlot + k) % n] = 0;
    this.currentSlot = slot;
  }
}
