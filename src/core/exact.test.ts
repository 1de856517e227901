import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divRound } from './decimal.js';
import { type Exact, addExact, exact, mulDivRound, mulDivTruncNum, mulExact, negExact, roundDiv, subExact, toBigInt, truncDiv } from './exact.js';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Integers around the edges of the safe range as well as small ones, in either form. */
const bigints = fc.oneof(
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.bigInt({ min: MAX - 1000n, max: MAX + 1000n }),
  fc.bigInt({ min: -MAX - 1000n, max: -MAX + 1000n }),
  fc.bigInt({ min: -(MAX * MAX), max: MAX * MAX }),
);
const exacts: fc.Arbitrary<Exact> = bigints.map(exact);
const safeInts = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger(), fc.maxSafeNat());

/** A value is in canonical form: a number exactly when it is a safe integer. */
function expectCanonical(value: Exact): void {
  const big = toBigInt(value);
  expect(typeof value).toBe(big >= -MAX && big <= MAX ? 'number' : 'bigint');
  if (typeof value === 'number') expect(Object.is(value, -0)).toBe(false);
}

describe('Exact integers', () => {
  it('exact() gives a number for safe integers and keeps the bigint beyond', () => {
    expect(exact(MAX)).toBe(Number.MAX_SAFE_INTEGER);
    expect(exact(-MAX)).toBe(-Number.MAX_SAFE_INTEGER);
    expect(exact(MAX + 1n)).toBe(MAX + 1n);
    expect(exact(-MAX - 1n)).toBe(-MAX - 1n);
  });

  it('adds, subtracts and negates as bigint does, in canonical form', () => {
    fc.assert(
      fc.property(exacts, exacts, (a, b) => {
        for (const [got, want] of [
          [addExact(a, b), toBigInt(a) + toBigInt(b)],
          [subExact(a, b), toBigInt(a) - toBigInt(b)],
          [negExact(a), -toBigInt(a)],
        ] as const) {
          expect(toBigInt(got)).toBe(want);
          expectCanonical(got);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('multiplies safe integers exactly, across 2^53', () => {
    fc.assert(
      fc.property(safeInts, safeInts, (a, b) => {
        const got = mulExact(a, b);
        expect(toBigInt(got)).toBe(BigInt(a) * BigInt(b));
        expectCanonical(got);
      }),
      { numRuns: 2000 },
    );
  });

  it('divides safe integers exactly with a float division: truncated as bigint division, rounded as divRound', () => {
    // Divisors from 1 to the whole safe range, numerators at the edges of it and next to multiples of the divisor (where the float quotient rounds across an integer).
    const divisors = fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(10, 1000, 10 ** 9, Number.MAX_SAFE_INTEGER), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
    const cases = fc.oneof(
      fc.tuple(safeInts, divisors),
      fc.tuple(divisors, fc.integer({ min: -2, max: 2 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })).map(([d, off, k]) => {
        const n = Math.floor(k / d) * d + off;
        return [Number.isSafeInteger(n) ? n : 0, d] as [number, number];
      }),
    );
    fc.assert(
      fc.property(cases, fc.boolean(), ([n0, d], negate) => {
        const n = negate ? -n0 : n0;
        const q = truncDiv(n, d);
        const r = roundDiv(n, d);
        expect(BigInt(q)).toBe(BigInt(n) / BigInt(d));
        expect(BigInt(r)).toBe(divRound(BigInt(n), BigInt(d)));
        expect(Object.is(q, -0) || Object.is(r, -0)).toBe(false);
      }),
      { numRuns: 5000 },
    );
    expect(truncDiv(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1)).toBe(1);
    expect(truncDiv(Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER)).toBe(0);
    expect(truncDiv(9_007_199_254_740_989, 3)).toBe(3_002_399_751_580_329);
    expect(truncDiv(-1, 1000)).toBe(0);
    expect(Object.is(roundDiv(-4, 10), -0)).toBe(false);
  });

  it('scales by mul/div rounding half away from zero, as divRound', () => {
    fc.assert(
      fc.property(exacts, fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 1_000_000 }), (a, mul, div) => {
        const got = mulDivRound(a, mul, div);
        expect(toBigInt(got)).toBe(divRound(toBigInt(a) * BigInt(mul), BigInt(div)));
        expectCanonical(got);
      }),
      { numRuns: 2000 },
    );
    expect(mulDivRound(5, 1, 2)).toBe(3);
    expect(mulDivRound(-5, 1, 2)).toBe(-3);
    expect(mulDivRound(-4, 1, 3)).toBe(-1);
  });

  it('mulDivTruncNum is a × mul / div truncated as bigint division, or undefined beyond the safe range', () => {
    const divs = fc.oneof(fc.constantFrom(1, 3, 1000, 10 ** 9), fc.integer({ min: 1, max: 1_000_000 }));
    fc.assert(
      fc.property(safeInts, fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), safeInts), divs, (a, mul, div) => {
        const expected = (BigInt(a) * BigInt(mul)) / BigInt(div);
        const got = mulDivTruncNum(a, mul, div);
        if (got !== undefined) {
          expect(BigInt(got)).toBe(expected);
          expect(Object.is(got, -0)).toBe(false);
        } else {
          // Refused only when the answer or the partial product of a's remainder is not safe.
          const r = BigInt(a) % BigInt(div);
          expect(expected > MAX || expected < -MAX || r * BigInt(mul) > MAX || r * BigInt(mul) < -MAX || (BigInt(a) / BigInt(div)) * BigInt(mul) > MAX || (BigInt(a) / BigInt(div)) * BigInt(mul) < -MAX).toBe(true);
        }
      }),
    );
    expect(mulDivTruncNum(100_000_000_000, 100_000, 1000)).toBe(10_000_000_000_000);
    expect(mulDivTruncNum(-1999, 1, 1000)).toBe(-1);
  });
});
