/** formatValue writes a signal reason's indicator values as String(Number(v.toPrecision(6))) would. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatValue } from './base.js';

const reference = (v: number) => String(Number(v.toPrecision(6)));

describe('formatValue', () => {
  it('trims toPrecision’s trailing zeros and keeps String’s form for exponents and specials', () => {
    const cases: [number, string][] = [
      [10, '10'],
      [9.333333, '9.33333'],
      [100.12, '100.12'],
      [-0.00123456789, '-0.00123457'],
      [0, '0'],
      [-0, '0'],
      [1234567, '1234570'],
      [1e21, '1e+21'],
      [1.23456789e-7, '1.23457e-7'],
      [NaN, 'NaN'],
      [-Infinity, '-Infinity'],
    ];
    for (const [v, text] of cases) {
      expect(formatValue(v)).toBe(text);
      expect(formatValue(v)).toBe(reference(v));
    }
  });

  it('agrees with String(Number(v.toPrecision(6))) for any double', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.double({ min: -1e7, max: 1e7 }), fc.integer().map((n) => n / 1000)), (v) => {
        expect(formatValue(v)).toBe(reference(v));
      }),
      { numRuns: 20_000 },
    );
  });
});
