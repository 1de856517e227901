/**
 * Exact integers for hot accumulators (cash, cost basis, realized P&L, fees): a number while the
 * value is a safe integer, a bigint beyond. Adding safe numbers allocates nothing and costs one
 * machine add; a result that would leave the safe range is computed in bigint, and a bigint
 * result that comes back inside it is a number again. Every operation is exact either way.
 */
export type Exact = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** The canonical form of an integer: a number when it is safe, else the bigint. */
export function exact(value: bigint): Exact {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

export function toBigInt(value: Exact): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

export function addExact(a: Exact, b: Exact): Exact {
  if (typeof a === 'number' && typeof b === 'number') {
    // Both are safe integers: a sum of magnitude at most 2^53 − 1 is exact, anything larger is
    // not a safe integer once rounded.
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return exact(toBigInt(a) + toBigInt(b));
}

export function subExact(a: Exact, b: Exact): Exact {
  return addExact(a, negExact(b));
}

export function negExact(a: Exact): Exact {
  return typeof a === 'number' ? -a || 0 : -a;
}

/** a × b for safe integers a and b. (`|| 0`: never −0, which would print and compare like 0 but is not canonical.) */
export function mulExact(a: number, b: number): Exact {
  const product = a * b;
  return Number.isSafeInteger(product) ? product || 0 : exact(BigInt(a) * BigInt(b));
}

/**
 * n / d truncated toward zero, exactly, for a safe integer n and a positive safe integer d (never
 * −0), with one float division: V8 compiles % on numbers beyond int32 into a call to the C
 * library's fmod (about 12 ns, against 1 ns for a division), and the hot paths divide amounts of
 * that size (notionals, equity × leverage, heat). Exact because a non-integer 0 < n / d rounds up
 * to the next integer m only from within half an ulp of m, at most m / 2^53: m − n/d < m / 2^53,
 * that is n > m·d·(1 − 2^−53). As m·d − n ≥ 1, that needs m·d > 2^53, and then n ≥ 2^53, which
 * is not a safe integer (negative n likewise).
 */
export function truncDiv(n: number, d: number): number {
  return Math.trunc(n / d) || 0;
}

/** n / d rounded half away from zero (as divRound), exactly, for a safe integer n and a positive safe integer d. */
export function roundDiv(n: number, d: number): number {
  const q = truncDiv(n, d);
  const r = n - q * d;
  return (2 * Math.abs(r) >= d ? (n < 0 ? q - 1 : q + 1) : q) || 0;
}

/** a × mul / div rounded half away from zero (as divRound); mul and div are safe, div positive. */
export function mulDivRound(a: Exact, mul: number, div: number): Exact {
  if (typeof a === 'number') {
    const n = a * mul;
    if (Number.isSafeInteger(n)) return roundDiv(n, div);
  }
  const big = toBigInt(a) * BigInt(mul);
  const d = BigInt(div);
  const q = big / d;
  const r = big % d;
  return exact((r < 0n ? -r : r) * 2n >= d ? (big < 0n ? q - 1n : q + 1n) : q);
}

/**
 * a × mul / div truncated toward zero (as bigint division), for safe integers a and mul and a
 * positive safe div, when the product a × mul itself may not be safe: a = div·q + r, so the
 * result is q·mul plus r·mul/div truncated. Undefined when a part or the result is not safe.
 */
export function mulDivTruncNum(a: number, mul: number, div: number): number | undefined {
  const q = truncDiv(a, div);
  const whole = q * mul;
  const part = (a - q * div) * mul;
  const result = whole + truncDiv(part, div);
  return Number.isSafeInteger(whole) && Number.isSafeInteger(part) && Number.isSafeInteger(result) ? result || 0 : undefined;
}
