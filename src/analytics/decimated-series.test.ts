/**
 * DecimatedSeries against the plain list of every point pushed: what it keeps is always a
 * subsequence of the list that starts with its first point, ends with its last, holds its lowest
 * and highest values and stays within the capacity (plus the open bucket's three), however many
 * points come and whatever their values (ties included).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../core/errors.js';
import { DecimatedSeries } from './decimated-series.js';

describe('DecimatedSeries', () => {
  it('keeps every point while there is room', () => {
    const s = new DecimatedSeries(4);
    expect(s.toArray()).toEqual([]);
    expect(s.last()).toBeUndefined();
    for (let i = 1; i <= 4; i++) s.push(i * 10, i);
    expect(s.toArray()).toEqual([10, 20, 30, 40].map((ts, i) => ({ ts, value: i + 1 })));
    expect([s.count, s.total]).toEqual([4, 4]);
    expect(s.last()).toEqual({ ts: 40, value: 4 });
  });

  it('thins a full store to its first point and the low and high of each run of four, then keeps buckets of two', () => {
    const s = new DecimatedSeries(8);
    const values = [5, 3, 9, 4, 6, 7, 1, 8, 2];
    values.forEach((v, i) => s.push(i, v));
    // The ninth point finds 8 stored: keep 5 (first), of [3 9 4 6] the low 3 and high 9, of [7 1 8] the low 1 and high 8.
    expect(s.toArray().map((p) => p.value)).toEqual([5, 3, 9, 1, 8, 2]);
    s.push(9, 0); // closes the bucket [2 0]: low 0 and high 2, in push order
    s.push(10, 4); // opens the next bucket
    expect(s.toArray().map((p) => p.value)).toEqual([5, 3, 9, 1, 8, 2, 0, 4]);
    expect([s.count, s.total]).toEqual([8, 11]);
  });

  it('ends with the last point when the bucket it closed kept only its low and high', () => {
    // Found by the property below: capacity 5 thins at the sixth point; the bucket [7 7] stores
    // its first 7 (low and high), and the last point must still be shown.
    const s = new DecimatedSeries(5);
    [0, 0, 0, 0, 0, 0, 7, 7].forEach((v, i) => s.push(i, v));
    expect(s.toArray()).toEqual([
      { ts: 0, value: 0 },
      { ts: 1, value: 0 },
      { ts: 5, value: 0 },
      { ts: 6, value: 7 },
      { ts: 7, value: 7 },
    ]);
    expect(s.count).toBe(5);
  });

  it('rejects a capacity below 4', () => {
    expect(() => new DecimatedSeries(3)).toThrow(ValueError);
    expect(() => new DecimatedSeries(10.5)).toThrow(ValueError);
  });

  it('keeps a subsequence with the first, last, lowest and highest points within capacity + 3', () => {
    // Capacities above 64 (the stores' first size) grow the stores before they thin them.
    const capacities = fc.oneof(fc.integer({ min: 4, max: 40 }), fc.integer({ min: 65, max: 300 }));
    fc.assert(
      fc.property(capacities, fc.array(fc.integer({ min: -4, max: 4 }), { maxLength: 1500, size: 'max' }), (capacity, values) => {
        const s = new DecimatedSeries(capacity);
        // Few distinct values: ties decide which of a bucket's points stay. ts = push index: a kept point names its position.
        values.forEach((v, i) => s.push(i, v));
        const kept = s.toArray();
        expect(s.total).toBe(values.length);
        expect(s.count).toBe(kept.length);
        expect(kept.length).toBeLessThanOrEqual(capacity + 3);
        if (values.length === 0) {
          expect(kept).toEqual([]);
          return;
        }
        // A subsequence of what was pushed, in order.
        for (let k = 0; k < kept.length; k++) {
          expect(kept[k]!.value).toBe(values[kept[k]!.ts]);
          if (k > 0) expect(kept[k]!.ts).toBeGreaterThan(kept[k - 1]!.ts);
        }
        expect(kept[0]!.ts).toBe(0);
        expect(kept.at(-1)!.ts).toBe(values.length - 1);
        expect(s.last()).toEqual({ ts: values.length - 1, value: values.at(-1) });
        const keptValues = kept.map((p) => p.value);
        expect(Math.min(...keptValues)).toBe(Math.min(...values));
        expect(Math.max(...keptValues)).toBe(Math.max(...values));
        // Thinning halves the store at most: never fewer than a quarter of the capacity once full.
        expect(kept.length).toBeGreaterThanOrEqual(Math.min(values.length, Math.floor(capacity / 4)));
      }),
      { numRuns: 400 },
    );
  });

  it('spreads what it keeps over the whole run (a million points in 10,000)', () => {
    const s = new DecimatedSeries(10_000);
    for (let i = 0; i < 1_000_000; i++) s.push(i, Math.sin(i / 1000));
    const kept = s.toArray();
    expect(kept.length).toBeGreaterThan(2_500);
    let widest = 0;
    for (let k = 1; k < kept.length; k++) widest = Math.max(widest, kept[k]!.ts - kept[k - 1]!.ts);
    // No stretch of the run is left out: the widest gap is a few hundred points of a million.
    expect(widest).toBeLessThan(1_000);
  });
});
