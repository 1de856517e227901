import { describe, expect, it } from 'vitest';
import { ValueError } from '../core/errors.js';
import { EventRate } from './event-rate.js';

/** Feeds events at the given clock times the way the monitor does: roll when due, then count. */
function feed(r: EventRate, times: readonly number[], total = { n: 0 }): { n: number } {
  for (const t of times) {
    if (t >= r.nextRollAt) r.roll(t, total.n);
    total.n++;
  }
  return total;
}

describe('EventRate', () => {
  it('is null until a slot has completed, then counts completed slots only', () => {
    const r = new EventRate(10_000, 1_000);
    expect(r.perSecond(0, 0)).toBeNull();
    const total = feed(r, Array.from({ length: 10 }, (_, i) => i * 100)); // 10 events in slot 0
    expect(r.perSecond(999, total.n)).toBeNull();
    feed(r, [1500], total); // slot 1 opens; slot 0 is complete
    expect(r.perSecond(1500, total.n)).toBe(10);
  });

  it('slides: old slots leave the window and gaps count as zero', () => {
    const r = new EventRate(5_000, 1_000); // the 4 completed slots before the current one
    const times: number[] = [];
    for (let s = 0; s < 20; s++) for (let k = 0; k < s; k++) times.push(s * 1000 + k);
    const total = feed(r, times);
    // At 19.5 s the completed slots are 15..18 with 15+16+17+18 events.
    expect(r.perSecond(19_500, total.n)).toBe((15 + 16 + 17 + 18) / 4);
    // 3 s later without events: slots 19, 20, 21 complete, holding 19, 0, 0 events, and slot 18 still in the window.
    expect(r.perSecond(22_500, total.n)).toBe((18 + 19) / 4);
    expect(r.perSecond(60_000, total.n)).toBe(0);
    // Events resume after the gap.
    feed(r, Array.from({ length: 30 }, (_, i) => 61_000 + i * 100), total); // 10 in each of slots 61, 62, 63
    expect(r.perSecond(64_000, total.n)).toBe(30 / 4);
  });

  it('rejects a window shorter than two slots', () => {
    expect(() => new EventRate(1_000, 1_000)).toThrow(ValueError);
  });
});
