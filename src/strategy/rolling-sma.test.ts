import fc from 'fast-check';
import { SMA } from 'trading-signals';
import { describe, expect, it } from 'vitest';
import { RollingSma } from './rolling-sma.js';

describe('RollingSma', () => {
  it("matches trading-signals' SMA (within 1e-12 relative) on every price of any series, and is null until the window is full", () => {
    const prices = fc.array(fc.double({ min: 0.01, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 600 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 90 }), prices, (period, series) => {
        const ours = new RollingSma(period);
        const reference = new SMA(period);
        for (const p of series) {
          const a = ours.add(p);
          const b = reference.add(p);
          if (b === null) {
            expect(a).toBeNull();
            expect(ours.isStable).toBe(false);
          } else {
            expect(a).not.toBeNull();
            expect(Math.abs(a! - b) / Math.abs(b)).toBeLessThanOrEqual(1e-12);
            expect(ours.isStable).toBe(true);
          }
        }
      }),
    );
  });

  it('leaves no cancellation error when a far larger price leaves the window', () => {
    const sma = new RollingSma(2);
    sma.add(2047.9992778973342);
    sma.add(0.01);
    expect(sma.add(0.01)).toBe(0.01);
  });

  it('gives the exact mean of equal prices and refuses a bad period', () => {
    const sma = new RollingSma(3);
    expect([sma.add(2.5), sma.add(2.5), sma.add(2.5), sma.add(2.5)]).toEqual([null, null, 2.5, 2.5]);
    expect(() => new RollingSma(0)).toThrow(/period 0 must be a positive integer/);
    expect(() => new RollingSma(1.5)).toThrow(RangeError);
  });
});
