import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divRound } from './decimal.js';
import { type Exact, addExact, exact, mulDivRound, mulDivTruncNum, mulExact, negExact, subExact, toBigInt } from './exact.js';

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
