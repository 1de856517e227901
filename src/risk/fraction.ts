/**
 * Exact fractions for the risk limits given as fractions of equity (heat, daily loss, drawdown):
 * an integer at FRACTION_PRECISION decimals, parsed once per value, and the bigint helpers the
 * risk modules share.
 */
import { parseDecimal } from '../core/decimal.js';

export const FRACTION_PRECISION = 9;
export const FRACTION_UNITS = 10 ** FRACTION_PRECISION;
export const FRACTION_SCALE = BigInt(FRACTION_UNITS);
export const DAY_MS = 86_400_000;

const FRACTIONS = new Map<number, bigint>();

/** A fraction as an exact integer at FRACTION_PRECISION (memoized: limits are few and fixed). */
export function fractionRaw(f: number): bigint {
  let raw = FRACTIONS.get(f);
  if (raw === undefined) {
    raw = parseDecimal(f.toFixed(FRACTION_PRECISION), FRACTION_PRECISION, 'fraction');
    if (FRACTIONS.size < 10_000) FRACTIONS.set(f, raw);
  }
  return raw;
}

export function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}
