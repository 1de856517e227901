/**
 * Quantity: an exact, immutable, non-negative fixed-point amount of an instrument.
 * `raw` is a safe integer; the value is raw / 10^precision. Step and minimum-size rules are
 * applied by the Instrument.
 */
import { checkPrecision, formatDecimal, parseDecimal, pow10, toSafeRaw } from './decimal.js';
import { ValueError } from './errors.js';

const ZEROS: Quantity[] = [];

export class Quantity {
  private constructor(
    readonly raw: number,
    readonly precision: number,
  ) {}

  /** Parses a decimal. Throws ValueError for NaN, infinities, negatives or too many decimals. */
  static of(value: string | number, precision: number): Quantity {
    checkPrecision(precision, 'quantity');
    // toSafeRaw (not Number) so an out-of-range value is reported as given, not float-rounded.
    return Quantity.fromRaw(toSafeRaw(parseDecimal(value, precision, 'quantity'), precision, 'quantity', value), precision);
  }

  /** Builds from a raw integer. Throws ValueError for negative or unsafe values. */
  static fromRaw(raw: number, precision: number): Quantity {
    if (!Number.isSafeInteger(raw)) throw new ValueError(`quantity raw value ${raw} is not a safe integer`);
    if (raw < 0) throw new ValueError(`quantity ${formatDecimal(raw, precision)} is negative`);
    return new Quantity(raw, precision);
  }

  /** The zero of a precision (shared: quantities are immutable). */
  static zero(precision: number): Quantity {
    checkPrecision(precision, 'quantity');
    return (ZEROS[precision] ??= new Quantity(0, precision));
  }

  get isZero(): boolean {
    return this.raw === 0;
  }

  add(other: Quantity): Quantity {
    this.same(other);
    return Quantity.fromRaw(this.raw + other.raw, this.precision);
  }

  /** Throws ValueError when the result would be negative. */
  sub(other: Quantity): Quantity {
    this.same(other);
    return Quantity.fromRaw(this.raw - other.raw, this.precision);
  }

  min(other: Quantity): Quantity {
    this.same(other);
    return this.raw <= other.raw ? this : other;
  }

  compare(other: Quantity): number {
    this.same(other);
    return this.raw - other.raw;
  }

  eq(other: Quantity): boolean {
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

  private same(other: Quantity): void {
    if (other.precision !== this.precision) {
      throw new ValueError(`cannot combine quantities of precision ${this.precision} and ${other.precision}`);
    }
  }
}
