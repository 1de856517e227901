/**
 * Price: an exact, immutable fixed-point price. `raw` is a safe integer, the value is
 * raw / 10^precision. Prices may be negative (spreads, some futures); tick rules are applied by
 * the Instrument, which knows its tick size.
 */
import { checkPrecision, formatDecimal, parseDecimal, pow10, toSafeRaw } from './decimal.js';
import { ValueError } from './errors.js';

export class Price {
  private constructor(
    readonly raw: number,
    readonly precision: number,
  ) {}

  /** Parses a decimal string or number. Throws ValueError for NaN, infinities or too many decimals. */
  static of(value: string | number, precision: number): Price {
    checkPrecision(precision, 'price');
    // toSafeRaw (not Number) so an out-of-range value is reported as given, not float-rounded.
    return Price.fromRaw(toSafeRaw(parseDecimal(value, precision, 'price'), precision, 'price', value), precision);
  }

  /** Builds from a raw integer. Throws ValueError when raw is not a safe integer. */
  static fromRaw(raw: number, precision: number): Price {
    if (!Number.isSafeInteger(raw)) throw new ValueError(`price raw value ${raw} is not a safe integer`);
    return new Price(raw, precision);
  }

  /** The nearest price at `precision` to a floating-point value (used by synthetic data). */
  static nearest(value: number, precision: number): Price {
    if (!Number.isFinite(value)) throw new ValueError(`price ${value} is not a finite number`);
    return Price.fromRaw(Math.round(value * pow10(precision)), precision);
  }

  add(other: Price): Price {
    this.same(other);
    return Price.fromRaw(this.raw + other.raw, this.precision);
  }

  sub(other: Price): Price {
    this.same(other);
    return Price.fromRaw(this.raw - other.raw, this.precision);
  }

  /** Shifts by `ticks` ticks of `tickRaw` raw units. */
  addTicks(ticks: number, tickRaw: number): Price {
    return Price.fromRaw(this.raw + ticks * tickRaw, this.precision);
  }

  compare(other: Price): number {
    this.same(other);
    return this.raw - other.raw;
  }

  eq(other: Price): boolean {
    return this.raw === other.raw && this.precision === other.precision;
  }

  /** Floating-point value, for statistics and display only; never for accounting. */
  toNumber(): number {
    return this.raw / pow10(this.precision);
  }

  toString(): string {
    return formatDecimal(this.raw, this.precision);
  }

  toJSON(): string {
    return this.toString();
  }

  private same(other: Price): void {
    if (other.precision !== this.precision) {
      throw new ValueError(`cannot combine prices of precision ${this.precision} and ${other.precision}`);
    }
  }
}
