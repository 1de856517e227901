import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../core/errors.js';
import { LatencyHistogram } from './latency.js';

/*
 * Expected values from python3 (numpy 2.4); 'inverted_cdf' is the ceil(p/100 × n)-th smallest sample:
 *   i = np.arange(5000)
 *   v = np.exp(2 + 12 * ((i * 0.6180339887498949) % 1))   # ~7 µs .. ~1.2 s, log-uniform
 *   np.percentile(v, p, method='inverted_cdf') for p in (0, 50, 90, 99, 99.9, 100):
 *     0: 7.38905609893065, 50: 2977.864102448169, 90: 361726.71145263105, 99: 1063763.0077173193,
 *     99.9: 1187129.378964242, 100: 1200109.2553530317
 *   v.mean() -> 100172.18475017269
 */
const EXPECTED: [number, number][] = [
  [0, 7.38905609893065], [50, 2977.864102448169], [90, 361726.71145263105],
  [99, 1063763.0077173193], [99.9, 1187129.378964242], [100, 1200109.2553530317],
];

const relativeError = (actual: number, expected: number): number => Math.abs(actual - expected) / expected;

describe('LatencyHistogram', () => {
  it('reports percentiles within 1% of numpy, with exact min, max and mean', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 5000; i++) h.record(Math.exp(2 + 12 * ((i * 0.6180339887498949) % 1)));
    expect(h.count).toBe(5000);
    for (const [p, expected] of EXPECTED) expect(relativeError(h.percentile(p)!, expected)).toBeLessThanOrEqual(0.01);
    expect(h.min()).toBeCloseTo(7.38905609893065, 12);
    expect(h.max()).toBeCloseTo(1200109.2553530317, 6);
    expect(relativeError(h.mean()!, 100172.18475017269)).toBeLessThan(1e-12);
  });

  it('is empty at first and after reset', () => {
    const h = new LatencyHistogram();
    expect([h.percentile(50), h.mean(), h.min(), h.max(), h.count]).toEqual([null, null, null, null, 0]);
    h.record(250);
    expect(h.percentile(50)).toBe(250); // clamped to the exact min and max
    h.reset();
    expect([h.percentile(99), h.count]).toEqual([null, 0]);
  });

  it('counts values outside the range as its ends', () => {
    const h = new LatencyHistogram({ lowest: 1, highest: 1000 });
    for (const v of [0, 0, 5000, 7000]) h.record(v);
    expect(h.percentile(0)).toBe(0);
    expect(h.percentile(50)).toBe(1 + 0.5 / 128); // midpoint of the first bucket [1, 1 + 1/128)
    expect(h.percentile(75)).toBe(1002); // 5000 counts as 1000: midpoint of the bucket [1000, 1004)
    expect(h.percentile(100)).toBe(7000);
    expect(h.mean()).toBe(3000);
  });

  it('rejects negative or non-finite values, bad ranges and percentiles', () => {
    expect(() => new LatencyHistogram().record(-1)).toThrow(ValueError);
    expect(() => new LatencyHistogram().record(NaN)).toThrow(ValueError);
    expect(() => new LatencyHistogram({ lowest: 10, highest: 10 })).toThrow(ValueError);
    expect(() => new LatencyHistogram().percentile(101)).toThrow(ValueError);
  });

  it('stays within 1/256 (the documented bound, under the 1% target) of the exact percentile of the sorted samples (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 60_000_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (values, p) => {
          const h = new LatencyHistogram();
          for (const v of values) h.record(v);
          const sorted = [...values].sort((a, b) => a - b);
          const exact = sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
          expect(relativeError(h.percentile(p)!, exact)).toBeLessThanOrEqual(1 / 256 + 1e-12);
        },
      ),
    );
  });

  it('keeps that bound over more than 32 octaves and at the edges of octaves (property)', () => {
    const h = new LatencyHistogram({ lowest: 0.001, highest: 1e12 });
    const value = fc.oneof(
      fc.double({ min: 0.001, max: 1e12, noNaN: true }),
      fc.integer({ min: 0, max: 49 }).chain((k) => fc.constantFrom(0.001 * 2 ** k, 0.001 * 2 ** k * (1 - 2 ** -52), 0.001 * 2 ** k * (1 + 2 ** -52))),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 3, maxLength: 3 }), (values) => {
        h.reset();
        for (const v of values) h.record(v);
        // The middle sample is neither min nor max, so it is reported from its bucket.
        const exact = [...values].sort((a, b) => a - b)[1]!;
        expect(relativeError(h.percentile(50)!, exact)).toBeLessThanOrEqual(1 / 256 + 1e-12);
      }),
    );
  });
});
