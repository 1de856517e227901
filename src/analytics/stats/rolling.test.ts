import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../core/errors.js';
import { RollingWindow, MedianWindow } from './rolling.js';

const SERIES = [3.0, 1.5, -2.0, 4.25, 10.0, 0.5, 7.0];

describe('RollingWindow', () => {
  it('keeps the moments of the last N samples', () => {
    // python3: x = np.array([3.0, 1.5, -2.0, 4.25, 10.0, 0.5, 7.0]); w = x[-4:]
    //   w.mean() = 5.4375, w.var(ddof=1) = 16.348958333333332, w.std(ddof=1) = 4.04338451465271, w.sum() = 21.75
    const w = new RollingWindow(4);
    const evicted = SERIES.map((x) => w.push(x));
    expect(evicted).toEqual([undefined, undefined, undefined, undefined, 3.0, 1.5, -2.0]);
    expect(w.count).toBe(4);
    expect(w.mean()).toBeCloseTo(5.4375, 12);
    expect(w.variance()).toBeCloseTo(16.348958333333332, 12);
    expect(w.std()).toBeCloseTo(4.04338451465271, 12);
    expect(w.sum()).toBeCloseTo(21.75, 12);
  });

  it('has no mean when empty and no variance with one sample', () => {
    const w = new RollingWindow(3);
    expect(w.mean()).toBeNull();
    w.push(3);
    expect(w.mean()).toBe(3);
    expect(w.variance()).toBeNull();
    expect(w.std()).toBeNull();
  });

  it('reports exactly zero variance for a constant window', () => {
    const w = new RollingWindow(3);
    for (let i = 0; i < 10; i++) w.push(0.1);
    expect(w.variance()).toBe(0);
  });

  it('rejects a bad capacity and non-finite samples', () => {
    expect(() => new RollingWindow(0)).toThrow(ValueError);
    expect(() => new RollingWindow(2.5)).toThrow(ValueError);
    expect(() => new RollingWindow(2).push(NaN)).toThrow(ValueError);
  });

  it('matches a two-pass computation over the last N samples (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 200 }), (capacity, xs) => {
        const w = new RollingWindow(capacity);
        for (const x of xs) w.push(x);
        const tail = xs.slice(-capacity);
        const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
        // Float error is bounded relative to the data's scale, not to a variance that may be ~0.
        const scale = Math.max(1, ...tail.map((x) => x * x));
        expect(Math.abs(w.mean()! - mean)).toBeLessThanOrEqual(1e-9 * Math.sqrt(scale));
        if (tail.length >= 2) {
          const variance = tail.reduce((a, x) => a + (x - mean) ** 2, 0) / (tail.length - 1);
          expect(Math.abs(w.variance()! - variance)).toBeLessThanOrEqual(1e-9 * scale);
        }
      }),
    );
  });
});

describe('MedianWindow', () => {
  it('gives the exact median of the last N samples', () => {
    // python3: np.median(x[-4:]) = 5.625; np.median(x[-3:]) = 7.0
    const four = new MedianWindow(4);
    const three = new MedianWindow(3);
    for (const x of SERIES) {
      four.push(x);
      three.push(x);
    }
    expect(four.median()).toBe(5.625);
    expect(three.median()).toBe(7.0);
    expect(four.count).toBe(4);
  });

  it('has no median when empty', () => {
    expect(new MedianWindow(5).median()).toBeNull();
  });

  it('equals sorting the last N samples, duplicates included (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 100 }), (capacity, xs) => {
        const w = new MedianWindow(capacity);
        xs.forEach((x, i) => {
          w.push(x);
          const tail = xs.slice(Math.max(0, i + 1 - capacity), i + 1).sort((a, b) => a - b);
          const mid = tail.length >> 1;
          expect(w.median()).toBe(tail.length % 2 === 1 ? tail[mid]! : (tail[mid - 1]! + tail[mid]!) / 2);
        });
      }),
    );
  });
});
