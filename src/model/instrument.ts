/**
 * Instrument: what can be traded and the rules its prices and sizes obey (tick size, size step,
 * minimum size, contract multiplier, maker/taker fee rates). It is the one place that turns
 * user-supplied decimals into checked Price and Quantity values and computes notional and fees.
 */
import { MAX_PRECISION, formatDecimal, parseDecimal, pow10, rescaleSafe, toSafeRaw } from '../core/decimal.js';
import { roundDiv } from '../core/exact.js';
import { ValueError } from '../core/errors.js';
import { type Currency, Money, currencyOf, notionalRaw, scaleTo } from '../core/money.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import { ASSET_CLASSES, type AssetClass, type LiquiditySide } from './enums.js';

/** Fee rates are held exactly at this many decimals (1e-8 = 0.000001%). */
export const FEE_PRECISION = 8;

export interface InstrumentSpec {
  symbol: string;
  assetClass: AssetClass;
  quoteCurrency: string;
  tickSize: string;
  sizeStep: string;
  minSize?: string;
  multiplier?: string;
  makerFee?: string;
  takerFee?: string;
}

/** Number of decimals in a decimal string such as "0.010" -> 2 (trailing zeros ignored). */
function decimalsOf(text: string): number {
  const frac = text.split('.')[1] ?? '';
  return frac.replace(/0+$/, '').length;
}

/** A bigint as a number when it is a safe integer, else NaN (which no fast path accepts). */
function safeNumber(raw: bigint): number {
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : NaN;
}

export class Instrument {
  readonly id: string;
  readonly symbol: string;
  readonly assetClass: AssetClass;
  readonly quoteCurrency: Currency;
  readonly pricePrecision: number;
  readonly sizePrecision: number;
  readonly tickSize: Price;
  readonly sizeStep: Quantity;
  readonly minSize: Quantity;
  readonly multiplierRaw: bigint;
  readonly multiplierPrecision: number;
  /** The contract multiplier as a float, for statistics (notional and returns as numbers). */
  readonly multiplier: number;
  readonly makerFeeRaw: bigint;
  readonly takerFeeRaw: bigint;
  readonly spec: Readonly<InstrumentSpec>;
  /** The multiplier as a number (NaN when not a safe integer), and the notional's decimals, for the number fast path. */
  private readonly multiplierNum: number;
  private readonly notionalScale: number;
  /**
   * A raw notional (price × size × multiplier, at notionalScale decimals) is divided by
   * notionalDivisor and multiplied by notionalFactor to reach the quote currency's decimals: one
   * of them is 1, so the number fast path is one rounding division with no branch on the scales.
   */
  private readonly notionalDivisor: number;
  private readonly notionalFactor: number;
  private readonly makerFeeNum: number;
  private readonly takerFeeNum: number;

  /** Throws ValueError naming the field for an invalid spec. */
  constructor(spec: InstrumentSpec) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,31}$/.test(spec.symbol)) {
      throw new ValueError(`instrument symbol ${JSON.stringify(spec.symbol)} is not valid`);
    }
    if (!ASSET_CLASSES.includes(spec.assetClass)) {
      throw new ValueError(`asset class ${JSON.stringify(spec.assetClass)} of ${spec.symbol} is not one of ${ASSET_CLASSES.join(', ')}`);
    }
    this.spec = Object.freeze({ ...spec });
    this.id = spec.symbol;
    this.symbol = spec.symbol;
    this.assetClass = spec.assetClass;
    this.quoteCurrency = currencyOf(spec.quoteCurrency);
    this.pricePrecision = decimalsOf(spec.tickSize);
    this.sizePrecision = decimalsOf(spec.sizeStep);
    this.tickSize = Price.of(spec.tickSize, this.pricePrecision);
    this.sizeStep = Quantity.of(spec.sizeStep, this.sizePrecision);
    if (this.tickSize.raw <= 0) throw new ValueError(`tick size ${spec.tickSize} of ${spec.symbol} must be positive`);
    if (this.sizeStep.raw <= 0) throw new ValueError(`size step ${spec.sizeStep} of ${spec.symbol} must be positive`);
    this.minSize = this.checkedQuantity(spec.minSize ?? spec.sizeStep, 'minimum size');
    const multiplier = spec.multiplier ?? '1';
    this.multiplierPrecision = decimalsOf(multiplier);
    this.multiplierRaw = parseDecimal(multiplier, this.multiplierPrecision, `multiplier of ${spec.symbol}`);
    if (this.multiplierRaw <= 0n) throw new ValueError(`multiplier ${multiplier} of ${spec.symbol} must be positive`);
    this.multiplier = Number(this.multiplierRaw) / 10 ** this.multiplierPrecision;
    this.makerFeeRaw = parseDecimal(spec.makerFee ?? '0', FEE_PRECISION, `maker fee of ${spec.symbol}`);
    this.takerFeeRaw = parseDecimal(spec.takerFee ?? '0', FEE_PRECISION, `taker fee of ${spec.symbol}`);
    this.multiplierNum = safeNumber(this.multiplierRaw);
    this.makerFeeNum = safeNumber(this.makerFeeRaw);
    this.takerFeeNum = safeNumber(this.takerFeeRaw);
    this.notionalScale = this.pricePrecision + this.sizePrecision + this.multiplierPrecision;
    const shift = this.notionalScale - this.quoteCurrency.precision;
    this.notionalDivisor = shift > 0 ? pow10(shift) : 1;
    this.notionalFactor = shift < 0 ? pow10(-shift) : 1;
  }

  /** A checked price. Throws ValueError when not finite or not a multiple of the tick size. */
  price(value: string | number): Price {
    const fine = parseDecimal(value, MAX_PRECISION, `price for ${this.symbol}`);
    const tickFine = BigInt(this.tickSize.raw) * 10n ** BigInt(MAX_PRECISION - this.pricePrecision);
    if (fine % tickFine !== 0n) {
      throw new ValueError(`price ${String(value)} is not a multiple of tick ${this.spec.tickSize} for ${this.symbol}`);
    }
    // toSafeRaw (not Number) so an out-of-range price is reported as given, not float-rounded.
    return Price.fromRaw(toSafeRaw(fine / 10n ** BigInt(MAX_PRECISION - this.pricePrecision), this.pricePrecision, 'price', value), this.pricePrecision);
  }

  /** Checks that a raw price at this instrument's precision sits on the tick grid. */
  isOnTick(price: Price): boolean {
    return price.precision === this.pricePrecision && price.raw % this.tickSize.raw === 0;
  }

  /** The nearest on-tick price to a float (used by synthetic data and stop computations). */
  nearestPrice(value: number): Price {
    const p = Price.nearest(value, this.pricePrecision);
    const t = this.tickSize.raw;
    return Price.fromRaw(Math.round(p.raw / t) * t, this.pricePrecision);
  }

  /** A checked quantity. Throws ValueError for negatives or sizes off the size step. */
  quantity(value: string | number): Quantity {
    return this.checkedQuantity(value, 'quantity');
  }

  /** Checks step and minimum size of an order quantity; returns an error message or undefined. */
  orderQuantityProblem(qty: Quantity): string | undefined {
    if (qty.precision !== this.sizePrecision) return `quantity ${qty} has precision ${qty.precision}, ${this.symbol} uses ${this.sizePrecision}`;
    return this.orderQuantityRawProblem(qty.raw);
  }

  /** orderQuantityProblem for a raw size at this instrument's precision. */
  orderQuantityRawProblem(raw: number): string | undefined {
    if (raw % this.sizeStep.raw === 0 && raw >= this.minSize.raw && raw > 0) return undefined;
    const qty = Quantity.fromRaw(raw, this.sizePrecision);
    if (raw % this.sizeStep.raw !== 0) return `quantity ${qty} is not a multiple of step ${this.spec.sizeStep} for ${this.symbol}`;
    if (raw < this.minSize.raw) return `quantity ${qty} is below the minimum size ${this.minSize} for ${this.symbol}`;
    return `quantity ${qty} is not positive`;
  }

  /** Price × quantity × multiplier in the quote currency, rounded once to its minor unit. */
  notional(price: Price, qty: Quantity): Money {
    return Money.fromRaw(this.notionalRaw(price.raw, qty.raw), this.quoteCurrency);
  }

  /** Raw notional from raw price and size (hot-path form of `notional`). */
  notionalRaw(priceRaw: number, qtyRaw: number): bigint {
    const fast = this.notionalNum(priceRaw, qtyRaw);
    if (fast !== undefined) return BigInt(fast);
    return notionalRaw(priceRaw, this.pricePrecision, qtyRaw, this.sizePrecision, this.multiplierRaw, this.multiplierPrecision, this.quoteCurrency);
  }

  /**
   * The raw notional as a number while every product stays a safe integer (exact, as the
   * bigint path), else undefined. Fractional raw inputs also give undefined.
   */
  notionalNum(priceRaw: number, qtyRaw: number): number | undefined {
    const product = priceRaw * qtyRaw * this.multiplierNum;
    // An overflowing product rounds to 2^53 or beyond, which is not a safe integer.
    if (!Number.isSafeInteger(product) || !Number.isSafeInteger(priceRaw) || !Number.isSafeInteger(qtyRaw)) return undefined;
    const notional = roundDiv(product, this.notionalDivisor) * this.notionalFactor;
    return Number.isSafeInteger(notional) ? notional : undefined;
  }

  /** Fee on a fill: notional × rate for the liquidity side, rounded once to the minor unit. */
  fee(price: Price, qty: Quantity, liquidity: LiquiditySide): Money {
    const rateNum = liquidity === 'MAKER' ? this.makerFeeNum : this.takerFeeNum;
    const fast = rescaleSafe(price.raw * qty.raw * this.multiplierNum * rateNum, this.notionalScale + FEE_PRECISION, this.quoteCurrency.precision);
    if (fast !== undefined) return Money.fromRaw(BigInt(fast), this.quoteCurrency);
    const rate = liquidity === 'MAKER' ? this.makerFeeRaw : this.takerFeeRaw;
    const exact = BigInt(price.raw) * BigInt(qty.raw) * this.multiplierRaw * rate;
    const scale = this.pricePrecision + this.sizePrecision + this.multiplierPrecision + FEE_PRECISION;
    return Money.fromRaw(scaleTo(exact, scale, this.quoteCurrency.precision), this.quoteCurrency);
  }

  toString(): string {
    return this.symbol;
  }

  private checkedQuantity(value: string | number, what: string): Quantity {
    const fine = parseDecimal(value, MAX_PRECISION, `${what} for ${this.symbol}`);
    if (fine < 0n) throw new ValueError(`${what} ${String(value)} for ${this.symbol} is negative`);
    const factor = 10n ** BigInt(MAX_PRECISION - this.sizePrecision);
    const stepFine = BigInt(this.sizeStep.raw) * factor;
    if (fine % stepFine !== 0n) {
      throw new ValueError(`${what} ${String(value)} is not a multiple of step ${this.spec.sizeStep} for ${this.symbol}`);
    }
    // toSafeRaw (not Number) so an out-of-range size is reported as given, not float-rounded.
    return Quantity.fromRaw(toSafeRaw(fine / factor, this.sizePrecision, what, value), this.sizePrecision);
  }
}

/** Formats a fee rate for display (e.g. 10n at 8 decimals -> "0.0000001"). */
export function formatFeeRate(raw: bigint): string {
  return formatDecimal(raw, FEE_PRECISION);
}
