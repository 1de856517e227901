import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalDigits, numberText } from './digits.js';

describe('decimalDigits', () => {
  it('equals String(n) at the group boundaries and the ends of the safe range', () => {
    for (const n of [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1010, 100_000, 999_999, 1_000_000, 1_000_001, 10 ** 15, Number.MAX_SAFE_INTEGER]) {
      expect(decimalDigits(n)).toBe(String(n));
    }
  });

  it('equals String(n) for every non-negative safe integer', () => {
    fc.assert(fc.property(fc.oneof(fc.nat({ max: 10_000_000 }), fc.maxSafeNat()), (n) => decimalDigits(n) === String(n)));
  });

  it('refuses negative, fractional, unsafe and non-finite values, naming them', () => {
    for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN, Infinity]) expect(() => decimalDigits(bad)).toThrow(new RegExp(`got ${bad}`));
  });

  it('numberText is String(n) for any number, from the table where it can', () => {
    fc.assert(fc.property(fc.oneof(fc.maxSafeNat(), fc.double()), (n) => numberText(n) === String(n)));
    for (const n of [0, -0, -1, 1.5, 1e21, NaN, Infinity]) expect(numberText(n)).toBe(String(n));
  });
});
