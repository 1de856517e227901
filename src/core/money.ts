/**
 * Money and Currency: exact amounts in a currency's minor units (bigint raw at the currency's
 * precision). Money refuses to mix currencies. Notional and fee arithmetic lives here so that
 * every fill is rounded once, the same way, everywhere (half away from zero).
 */
import { checkPrecision, divRound, formatDecimal, parseDecimal, pow10, pow10Big } from './decimal.js';
import { CurrencyMismatchError, ValueError } from './errors.js';

export interface Currency {
  readonly code: string;
  readonly precision: number;
}

const CURRENCIES = new Map<string, Currency>();

/** Declares (or returns the already-declared) currency. Throws when redeclared differently. */
export function currency(code: string, precision = 2): Currency {
  const existing = CURRENCIES.get(code);
  if (existing) {
    if (existing.precision !== precision) {
      throw new ValueError(`currency ${code} already declared with precision ${existing.precision}, not ${precision}`);
    }
    return existing;
  }
  if (!/^[A-Z][A-Z0-9]{1,9}$/.test(code)) throw new ValueError(`currency code ${JSON.stringify(code)} is not valid`);
  checkPrecision(precision, `currency ${code}`);
  const c: Currency = Object.freeze({ code, precision });
  CURRENCIES.set(code, c);
  return c;
}

/** Looks up a declared currency. Throws ValueError for an unknown code. */
export function currencyOf(code: string): Currency {
  const c = CURRENCIES.get(code);
  if (!c) throw new ValueError(`currency ${JSON.stringify(code)} is unknown`);
  return c;
}

export const USD = currency('USD', 2);
export const EUR = currency('EUR', 2);
export const USDT = currency('USDT', 8);
export const BTC = currency('BTC', 8);

export class Money {
  private constructor(
    readonly raw: bigint,
    readonly currency: Currency,
  ) {}

  /** Parses a decimal amount. Throws ValueError for NaN, infinities or too many decimals. */
  static of(value: string | number, ccy: Currency): Money {
    return new Money(parseDecimal(value, ccy.precision, `amount in ${ccy.code}`), ccy);
  }

  static fromRaw(raw: bigint, ccy: Currency): Money {
    return new Money(raw, ccy);
  }

  static zero(ccy: Currency): Money {
    return new Money(0n, ccy);
  }

  add(other: Money): Money {
    this.same(other);
    return new Money(this.raw + other.raw, this.currency);
  }

  sub(other: Money): Money {
    this.same(other);
    return new Money(this.raw - other.raw, this.currency);
  }

  neg(): Money {
    return new Money(-this.raw, this.currency);
  }

  compare(other: Money): number {
    this.same(other);
    return this.raw < other.raw ? -1 : this.raw > other.raw ? 1 : 0;
  }

  eq(other: Money): boolean {
    return this.currency === other.currency && this.raw === other.raw;
  }

  get isZero(): boolean {
    return this.raw === 0n;
  }

  /** Floating-point value, for statistics and display only; never for accounting. */
  toNumber(): number {
    return Number(this.raw) / pow10(this.currency.precision);
  }

  toString(): string {
    return `${formatDecimal(this.raw, this.currency.precision)} ${this.currency.code}`;
  }

  /** The amount as a plain decimal string without the currency code. */
  toDecimal(): string {
    return formatDecimal(this.raw, this.currency.precision);
  }

  toJSON(): string {
    return this.toDecimal();
  }

  private same(other: Money): void {
    if (other.currency !== this.currency) {
      throw new CurrencyMismatchError(`cannot combine ${this.currency.code} with ${other.currency.code}`);
    }
  }
}

/**
 * Exact product of a price, a quantity and a multiplier, rounded once to the currency's
 * minor unit. All arguments are raw integers with their precisions.
 */
export function notionalRaw(
  priceRaw: number,
  pricePrecision: number,
  qtyRaw: number,
  qtyPrecision: number,
  multiplierRaw: bigint,
  multiplierPrecision: number,
  ccy: Currency,
): bigint {
  const product = BigInt(priceRaw) * BigInt(qtyRaw) * multiplierRaw;
  const scale = pricePrecision + qtyPrecision + multiplierPrecision;
  return scaleTo(product, scale, ccy.precision);
}

/** Rounds an exact product at `scale` decimals to `target` decimals. */
export function scaleTo(product: bigint, scale: number, target: number): bigint {
  if (scale === target) return product;
  if (scale < target) return product * pow10Big(target - scale);
  return divRound(product, pow10Big(scale - target));
}

