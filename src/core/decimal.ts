/**
 * Exact decimal <-> scaled-integer conversion shared by the value types.
 *
 * Every amount in Bourse is an integer `raw` with a decimal `precision`: the value is
 * raw / 10^precision. This module parses decimal strings and numbers into raw integers without
 * going through binary floating point where it can be avoided, formats raw integers back to
 * decimal strings, and rescales between precisions with one rounding rule
 * (half away from zero).
 */
import { decimalDigits } from './digits.js';
import { roundDiv } from './exact.js';
import { ValueError } from './errors.js';

export const MAX_PRECISION = 12;

const POW10_BIG: bigint[] = [];
const POW10_NUM: number[] = [];
for (let i = 0; i <= 40; i++) {
  POW10_BIG.push(10n ** BigInt(i));
  POW10_NUM.push(10 ** i);
}

/** 10^n as a bigint. */
export function pow10Big(n: number): bigint {
  const v = POW10_BIG[n];
  if (v === undefined) throw new RangeError(`precision ${n} out of range`);
  return v;
}

/** 10^n as a number (exact for n <= 22). */
export function pow10(n: number): number {
  const v = POW10_NUM[n];
  if (v === undefined) throw new RangeError(`precision ${n} out of range`);
  return v;
}

export function checkPrecision(precision: number, what: string): void {
  if (!Number.isInteger(precision) || precision < 0 || precision > MAX_PRECISION) {
    throw new ValueError(`${what} precision ${precision} must be an integer from 0 to ${MAX_PRECISION}`);
  }
}

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d*))?$/;

/**
 * Parses a decimal (string or number) to a raw integer at `precision`.
 * Throws ValueError when the input is not a finite decimal or has more significant decimal
 * places than `precision` allows; `label` names the value in the message.
 */
export function parseDecimal(value: string | number, precision: number, label: string): bigint {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValueError(`${label} ${value} is not a finite number`);
    // Numbers are converted through their shortest round-trip representation.
    text = numberToPlainString(value);
  } else {
    text = value.trim();
  }
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new ValueError(`${label} ${JSON.stringify(value)} is not a decimal number`);
  const sign = m[1] === '-' ? -1n : 1n;
  const intPart = m[2] ?? '0';
  let frac = m[3] ?? '';
  // Trailing zeros beyond the precision are harmless; other digits are not.
  if (frac.length > precision) {
    const extra = frac.slice(precision);
    if (!/^0*$/.test(extra)) {
      throw new ValueError(`${label} ${text} has more than ${precision} decimal places`);
    }
    frac = frac.slice(0, precision);
  }
  frac = frac.padEnd(precision, '0');
  return sign * BigInt(intPart + frac);
}

/**
 * Converts a parsed raw bigint to a number, throwing ValueError when it is not a safe integer.
 * (Fix: Price.of / Quantity.of used to call Number(raw) first, so the error then named the
 * float-rounded raw, e.g. "price raw value 9007199254740992" for the input "90071992547409.93",
 * instead of the value the caller gave.)
 */
export function toSafeRaw(raw: bigint, precision: number, label: string, value: string | number): number {
  if (raw > BigInt(Number.MAX_SAFE_INTEGER) || raw < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ValueError(`${label} ${String(value).trim()} is out of range: raw ${raw} at ${precision} decimals is not a safe integer`);
  }
  return Number(raw);
}

/** Formats a number without exponent notation (e.g. 1e-7 -> "0.0000001"). */
function numberToPlainString(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const [mantissa = '0', expText = '0'] = s.toLowerCase().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '');
  const [intDigits = '0', fracDigits = ''] = digits.split('.');
  const all = intDigits + fracDigits;
  const pointPos = intDigits.length + exp;
  let out: string;
  if (pointPos <= 0) out = '0.' + '0'.repeat(-pointPos) + all;
  else if (pointPos >= all.length) out = all + '0'.repeat(pointPos - all.length);
  else out = all.slice(0, pointPos) + '.' + all.slice(pointPos);
  return (negative ? '-' : '') + out;
}

/** Formats raw / 10^precision as a plain decimal string with exactly `precision` decimals. */
export function formatDecimal(raw: bigint | number, precision: number): string {
  let negative: boolean;
  let s: string;
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) {
    // A safe integer prints its exact digits (never in exponent form) without a bigint, and
    // without V8's number-string cache (see digits.ts): P&L values rarely repeat.
    negative = raw < 0;
    s = decimalDigits(negative ? -raw : raw);
  } else {
    const big = typeof raw === 'bigint' ? raw : BigInt(raw);
    negative = big < 0n;
    s = (negative ? -big : big).toString();
  }
  if (precision === 0) return (negative ? '-' : '') + s;
  const padded = s.padStart(precision + 1, '0');
  const int = padded.slice(0, padded.length - precision);
  const frac = padded.slice(padded.length - precision);
  return (negative ? '-' : '') + int + '.' + frac;
}

/**
 * The number a plain decimal string (an optional '-', digits, an optional '.' and digits, as
 * formatDecimal writes) stands for, equal to Number(text): with at most 15 digits the digits form
 * an exact integer and the power of ten is exact, so their one division rounds correctly, as
 * Number() does; longer text goes to Number(). About half the cost of Number(text).
 */
export function decimalToNumber(text: string): number {
  const negative = text.charCodeAt(0) === 45; // '-'
  let digits = 0;
  let n = 0;
  let decimals = -1;
  for (let i = negative ? 1 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 && decimals < 0) {
      decimals = 0;
      continue;
    }
    if (c < 48 || c > 57 || ++digits > 15) return Number(text);
    n = n * 10 + (c - 48);
    if (decimals >= 0) decimals++;
  }
  if (digits === 0) return Number(text);
  const x = decimals > 0 ? n / pow10(decimals) : n;
  return negative ? -x : x;
}

/** Divides with rounding half away from zero. `divisor` must be positive. */
export function divRound(numerator: bigint, divisor: bigint): bigint {
  const q = numerator / divisor;
  const r = numerator % divisor;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= divisor) return numerator < 0n ? q - 1n : q + 1n;
  return q;
}

/**
 * rescale() for a raw integer held as a number: the same result without bigint arithmetic, or
 * undefined when `raw` is not a safe integer or the result would leave the safe range (the
 * caller then takes the bigint path). Hot paths (notionals, fees) use it first.
 */
export function rescaleSafe(raw: number, from: number, to: number): number | undefined {
  if (!Number.isSafeInteger(raw)) return undefined;
  if (from === to) return raw;
  if (to > from) {
    const up = raw * pow10(to - from);
    return Number.isSafeInteger(up) ? up : undefined;
  }
  return roundDiv(raw, pow10(from - to));
}

/** Rescales a raw integer from one precision to another, rounding half away from zero. */
export function rescale(raw: bigint, from: number, to: number): bigint {
  if (from === to) return raw;
  if (to > from) return raw * pow10Big(to - from);
  return divRound(raw, pow10Big(from - to));
}
