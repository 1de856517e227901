/**
 * Tests for the exact value types: decimal parsing/formatting, Price, Quantity, Money and the
 * notional/rounding helpers. Every expected raw value below is written out by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalToNumber, divRound, formatDecimal, parseDecimal, rescale, rescaleSafe } from './decimal.js';
import { CurrencyMismatchError, ValueError } from './errors.js';
import { EUR, Money, USD, USDT, currency, currencyOf, notionalRaw, scaleTo } from './money.js';
import { Price } from './price.js';
import { Quantity } from './quantity.js';

/** Asserts that `fn` throws a ValueError whose message contains every fragment. */
function expectValueError(fn: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ValueError);
  const message = (caught as Error).message;
  for (const f of fragments) expect(message).toContain(f);
}

describe('parseDecimal', () => {
  it('parses decimal strings exactly, padding to the precision', () => {
    expect(parseDecimal('101.5', 2, 'price')).toBe(10150n);
    expect(parseDecimal('0.07', 2, 'price')).toBe(7n);
    expect(parseDecimal('42', 3, 'price')).toBe(42000n);
    expect(parseDecimal('+1.25', 2, 'price')).toBe(125n);
    expect(parseDecimal('  3.5 ', 1, 'price')).toBe(35n);
    expect(parseDecimal('5.', 1, 'price')).toBe(50n);
  });

  it('parses negative strings and numbers', () => {
    expect(parseDecimal('-0.05', 2, 'price')).toBe(-5n);
    expect(parseDecimal(-12.34, 2, 'price')).toBe(-1234n);
    expect(parseDecimal('-0', 2, 'price')).toBe(0n);
    expect(parseDecimal(-0, 2, 'price')).toBe(0n);
  });

  it('accepts trailing zeros beyond the precision but not other digits', () => {
    expect(parseDecimal('1.2500000', 2, 'price')).toBe(125n);
    expect(parseDecimal('7.000', 0, 'price')).toBe(7n);
    expectValueError(() => parseDecimal('1.2500001', 2, 'price'), 'price 1.2500001', 'more than 2 decimal places');
  });

  it('parses numbers through their shortest representation, never through float scaling', () => {
    // 0.1 is stored as 0.1000000000000000055511151231257827…, but its shortest form is "0.1".
    expect(parseDecimal(0.1, 2, 'x')).toBe(10n);
    // 1.005 * 1000 = 1004.9999999999999 in floating point; the exact parse gives 1005.
    expect(parseDecimal(1.005, 3, 'x')).toBe(1005n);
    // 4.35 * 100 = 434.99999999999994 in floating point.
    expect(parseDecimal(4.35, 2, 'x')).toBe(435n);
    expect(parseDecimal(1e21, 0, 'x')).toBe(10n ** 21n);
  });

  it('rejects a float sum such as 0.1 + 0.2 that is not the decimal it looks like', () => {
    // 0.1 + 0.2 === 0.30000000000000004: it is not 0.3, so at 2 decimals it is refused, not rounded.
    expectValueError(() => parseDecimal(0.1 + 0.2, 2, 'price'), 'price 0.30000000000000004', 'more than 2 decimal places');
    // At 17 decimals (beyond MAX_PRECISION but parseDecimal itself accepts any scale) it is exact.
    expect(parseDecimal(0.1 + 0.2, 17, 'x')).toBe(30000000000000004n);
  });

  it('expands numbers that JavaScript prints in exponent notation', () => {
    // String(1e-7) === "1e-7"
    expect(parseDecimal(1e-7, 7, 'x')).toBe(1n);
    expect(parseDecimal(1e-7, 9, 'x')).toBe(100n);
    expect(parseDecimal(-2.5e-7, 8, 'x')).toBe(-25n);
    expect(parseDecimal(1.5e-10, 12, 'x')).toBe(150n);
    expectValueError(() => parseDecimal(1e-7, 6, 'size'), 'size 0.0000001', 'more than 6 decimal places');
  });

  it('rejects NaN and infinities naming the value and the rule', () => {
    expectValueError(() => parseDecimal(Number.NaN, 2, 'price'), 'price NaN', 'not a finite number');
    expectValueError(() => parseDecimal(Number.POSITIVE_INFINITY, 2, 'price'), 'price Infinity', 'not a finite number');
    expectValueError(() => parseDecimal(Number.NEGATIVE_INFINITY, 2, 'price'), 'price -Infinity', 'not a finite number');
  });

  it('rejects strings that are not plain decimals', () => {
    for (const bad of ['', 'abc', '1.2.3', '0x10', '1,5', '1_000', 'NaN', 'Infinity', '--1', '-', '1 2']) {
      expectValueError(() => parseDecimal(bad, 2, 'price'), `price ${JSON.stringify(bad)}`, 'is not a decimal number');
    }
  });
});

describe('formatDecimal / rescale / divRound', () => {
  it('formats raw integers with exactly `precision` decimals', () => {
    expect(formatDecimal(10150n, 2)).toBe('101.50');
    expect(formatDecimal(5, 2)).toBe('0.05');
    expect(formatDecimal(-5, 2)).toBe('-0.05');
    expect(formatDecimal(-12345n, 0)).toBe('-12345');
    expect(formatDecimal(0n, 3)).toBe('0.000');
    expect(formatDecimal(1n, 12)).toBe('0.000000000001');
  });

  it('reads a formatted decimal back as exactly the number Number() gives (property)', () => {
    const raws = fc.oneof(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }));
    fc.assert(
      fc.property(raws, fc.integer({ min: 0, max: 15 }), (raw, precision) => {
        const text = formatDecimal(raw, precision);
        expect(Object.is(decimalToNumber(text), Number(text))).toBe(true);
      }),
      { numRuns: 5_000 },
    );
    for (const text of ['0.1', '-0.00', '123456789012345', '1234567890123456', '9007199254740993', '0.000000000000001', '1.', '.5', '-', '']) {
      expect(decimalToNumber(text)).toBe(Number(text));
    }
  });

  it('round-trips every raw value through its formatted string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 12 }), (raw, precision) => {
        expect(parseDecimal(formatDecimal(raw, precision), precision, 'x')).toBe(raw);
      }),
      { numRuns: 300 },
    );
  });

  it('divides rounding half away from zero', () => {
    expect(divRound(15n, 10n)).toBe(2n);
    expect(divRound(-15n, 10n)).toBe(-2n);
    expect(divRound(14n, 10n)).toBe(1n);
    expect(divRound(-14n, 10n)).toBe(-1n);
    expect(divRound(25n, 10n)).toBe(3n); // not banker's rounding (which gives 2)
    expect(divRound(-25n, 10n)).toBe(-3n);
    expect(divRound(5n, 3n)).toBe(2n); // 1.667
    expect(divRound(-5n, 3n)).toBe(-2n);
  });

  it('rounds symmetrically: divRound(-n, d) === -divRound(n, d)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 10n }), (n, d) => {
        const q = divRound(n, d);
        expect(divRound(-n, d)).toBe(-q);
        // |q·d − n| ≤ d/2: the result is a nearest integer.
        const err = q * d - n;
        expect((err < 0n ? -err : err) * 2n <= d).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rescales between precisions, rounding half away from zero when dropping digits', () => {
    expect(rescale(125n, 2, 4)).toBe(12500n);
    expect(rescale(125n, 2, 1)).toBe(13n);
    expect(rescale(-125n, 2, 1)).toBe(-13n);
    expect(rescale(124n, 2, 1)).toBe(12n);
    expect(rescale(7n, 3, 3)).toBe(7n);
  });

  it('formats a safe-integer number exactly as the same bigint', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 12 }), (raw, precision) => {
        expect(formatDecimal(raw, precision)).toBe(formatDecimal(BigInt(raw), precision));
      }),
      { numRuns: 5000 },
    );
  });

  it('rescaleSafe (the number fast path) agrees with rescale wherever it answers', () => {
    expect(rescaleSafe(-125, 2, 1)).toBe(-13);
    expect(rescaleSafe(Number.MAX_SAFE_INTEGER, 0, 1)).toBeUndefined();
    expect(rescaleSafe(2 ** 53, 2, 0)).toBeUndefined();
    expect(rescaleSafe(1.5, 1, 0)).toBeUndefined();
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), (raw, from, to) => {
        const fast = rescaleSafe(raw, from, to);
        const exact = rescale(BigInt(raw), from, to);
        if (fast === undefined) expect(to > from && Number.isSafeInteger(Number(exact))).toBe(false);
        else expect(BigInt(fast)).toBe(exact);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('Price', () => {
  it('parses strings and numbers exactly', () => {
    expect(Price.of('101.25', 2).raw).toBe(10125);
    expect(Price.of(101.25, 2).raw).toBe(10125);
    expect(Price.of('-3.5', 1).raw).toBe(-35);
    expect(Price.of(1e-7, 8).raw).toBe(10);
    expect(Price.of('2.50000', 2).toString()).toBe('2.50');
  });

  it('rejects NaN, infinities, non-decimals and too many decimals, naming the value', () => {
    expectValueError(() => Price.of(Number.NaN, 2), 'price NaN', 'not a finite number');
    expectValueError(() => Price.of(Number.POSITIVE_INFINITY, 2), 'price Infinity', 'not a finite number');
    expectValueError(() => Price.of(Number.NEGATIVE_INFINITY, 2), 'price -Infinity', 'not a finite number');
    expectValueError(() => Price.of('1O1.5', 2), 'price "1O1.5"', 'not a decimal number');
    expectValueError(() => Price.of('101.003', 2), 'price 101.003', 'more than 2 decimal places');
    expectValueError(() => Price.of(0.1 + 0.2, 2), 'price 0.30000000000000004');
  });

  it('rejects a precision outside 0..12', () => {
    expectValueError(() => Price.of('1', 13), 'price precision 13', 'from 0 to 12');
    expectValueError(() => Price.of('1', -1), 'price precision -1');
    expectValueError(() => Price.of('1', 1.5), 'price precision 1.5');
  });

  it('rejects values whose raw integer is not safe, naming the value as given', () => {
    // 90071992547409.93 at 2 decimals is raw 9007199254740993 = 2^53 + 1: not representable exactly.
    expectValueError(() => Price.of('90071992547409.93', 2), 'price 90071992547409.93', 'safe integer');
    expectValueError(() => Price.of('-90071992547409.93', 2), 'price -90071992547409.93', 'safe integer');
    expectValueError(() => Price.fromRaw(2 ** 53, 2), 'price raw value 9007199254740992', 'not a safe integer');
    expectValueError(() => Price.fromRaw(1.5, 2), 'price raw value 1.5', 'not a safe integer');
    // The largest safe raw is accepted.
    expect(Price.of('90071992547409.91', 2).raw).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('round-trips through toString and toJSON', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 12 }), (raw, precision) => {
        const p = Price.fromRaw(raw, precision);
        expect(Price.of(p.toString(), precision).eq(p)).toBe(true);
        expect(JSON.parse(JSON.stringify({ p })) as unknown).toEqual({ p: p.toString() });
      }),
      { numRuns: 300 },
    );
  });

  it('adds, subtracts and compares at one precision and refuses to mix precisions', () => {
    const a = Price.of('100.25', 2);
    const b = Price.of('0.75', 2);
    expect(a.add(b).toString()).toBe('101.00');
    expect(b.sub(a).toString()).toBe('-99.50');
    expect(a.compare(b)).toBeGreaterThan(0);
    expect(a.addTicks(-3, 5).toString()).toBe('100.10');
    expectValueError(() => a.add(Price.of('1', 3)), 'precision 2 and 3');
  });

  it('picks the nearest price to a float for synthetic data', () => {
    expect(Price.nearest(101.004999, 2).raw).toBe(10100);
    expect(Price.nearest(101.005001, 2).raw).toBe(10101);
    expectValueError(() => Price.nearest(Number.NaN, 2), 'price NaN', 'not a finite number');
  });
});

describe('Quantity', () => {
  it('parses exactly and formats with the precision', () => {
    expect(Quantity.of('0.001', 3).raw).toBe(1);
    expect(Quantity.of(0.3, 8).raw).toBe(30_000_000);
    expect(Quantity.of(1e-7, 7).toString()).toBe('0.0000001');
    expect(Quantity.of('2.50', 1).toString()).toBe('2.5');
  });

  it('rejects negative quantities naming the value', () => {
    expectValueError(() => Quantity.of('-1', 2), 'quantity -1.00', 'is negative');
    expectValueError(() => Quantity.of(-0.5, 1), 'quantity -0.5', 'is negative');
    expectValueError(() => Quantity.fromRaw(-3, 3), 'quantity -0.003', 'is negative');
    expect(Quantity.of('-0', 2).raw).toBe(0);
  });

  it('rejects NaN, infinities, non-decimals, too many decimals and unsafe values', () => {
    expectValueError(() => Quantity.of(Number.NaN, 2), 'quantity NaN', 'not a finite number');
    expectValueError(() => Quantity.of(Number.POSITIVE_INFINITY, 2), 'quantity Infinity', 'not a finite number');
    expectValueError(() => Quantity.of('one', 2), 'quantity "one"', 'not a decimal number');
    expectValueError(() => Quantity.of('0.0001', 3), 'quantity 0.0001', 'more than 3 decimal places');
    expectValueError(() => Quantity.of('9007199254.740993', 6), 'quantity 9007199254.740993', 'safe integer');
    expectValueError(() => Quantity.fromRaw(2 ** 53, 0), 'quantity raw value 9007199254740992', 'not a safe integer');
  });

  it('subtracts without going negative and refuses to mix precisions', () => {
    const a = Quantity.of('1.5', 1);
    const b = Quantity.of('0.7', 1);
    expect(a.sub(b).toString()).toBe('0.8');
    expect(a.add(b).toString()).toBe('2.2');
    expect(a.min(b)).toBe(b);
    expectValueError(() => b.sub(a), 'quantity -0.8', 'is negative');
    expectValueError(() => a.add(Quantity.of('1', 2)), 'precision 1 and 2');
    expect(Quantity.zero(3).isZero).toBe(true);
  });

  it('round-trips through toString', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 12 }), (raw, precision) => {
        const q = Quantity.fromRaw(raw, precision);
        expect(Quantity.of(q.toString(), precision).eq(q)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Money and Currency', () => {
  it('parses amounts exactly at the currency precision', () => {
    expect(Money.of('1234.56', USD).raw).toBe(123456n);
    expect(Money.of(0.1, USDT).raw).toBe(10_000_000n);
    expect(Money.of('-0.01', USD).toString()).toBe('-0.01 USD');
    expect(Money.of('12.5', EUR).toDecimal()).toBe('12.50');
    expect(JSON.stringify({ m: Money.of('3', USD) })).toBe('{"m":"3.00"}');
    // Amounts beyond the safe-integer range stay exact (bigint raw).
    expect(Money.of('123456789012345678901.23', USD).raw).toBe(12345678901234567890123n);
  });

  it('rejects NaN, infinities, non-decimals and sub-minor-unit amounts naming the currency', () => {
    expectValueError(() => Money.of(Number.NaN, USD), 'amount in USD NaN', 'not a finite number');
    expectValueError(() => Money.of(Number.NEGATIVE_INFINITY, USD), 'amount in USD -Infinity', 'not a finite number');
    expectValueError(() => Money.of('ten', USD), 'amount in USD "ten"', 'not a decimal number');
    expectValueError(() => Money.of('1.005', USD), 'amount in USD 1.005', 'more than 2 decimal places');
    expectValueError(() => Money.of(0.1 + 0.2, USD), 'amount in USD 0.30000000000000004');
  });

  it('adds, subtracts, negates and compares within one currency', () => {
    const a = Money.of('10.25', USD);
    const b = Money.of('0.75', USD);
    expect(a.add(b).eq(Money.of('11', USD))).toBe(true);
    expect(b.sub(a).toDecimal()).toBe('-9.50');
    expect(a.neg().raw).toBe(-1025n);
    expect(a.compare(b)).toBe(1);
    expect(b.compare(a)).toBe(-1);
    expect(a.compare(Money.of('10.25', USD))).toBe(0);
    expect(Money.zero(USD).isZero).toBe(true);
  });

  it('refuses to mix currencies with a CurrencyMismatchError', () => {
    const usd = Money.of('1', USD);
    const eur = Money.of('1', EUR);
    expect(() => usd.add(eur)).toThrow(CurrencyMismatchError);
    expect(() => usd.sub(eur)).toThrow(CurrencyMismatchError);
    expect(() => usd.compare(eur)).toThrow(CurrencyMismatchError);
    expect(() => usd.add(eur)).toThrow('cannot combine USD with EUR');
    // Equality across currencies is simply false, even for equal raw amounts.
    expect(usd.eq(eur)).toBe(false);
  });

  it('declares a currency once and refuses a conflicting redeclaration or a bad code', () => {
    expect(currency('USD', 2)).toBe(USD);
    expect(currencyOf('USDT')).toBe(USDT);
    expectValueError(() => currency('USD', 3), 'currency USD already declared with precision 2, not 3');
    expectValueError(() => currency('us dollars'), 'currency code "us dollars" is not valid');
    expectValueError(() => currencyOf('ZZZQ'), 'currency "ZZZQ" is unknown');
    expectValueError(() => currency('XVT', 13), 'currency XVT precision 13');
  });
});

describe('notional and rounding to the minor unit', () => {
  it('multiplies price × quantity × multiplier exactly and rounds once, half away from zero', () => {
    // 1.005 (3 dp) × 1 (0 dp) × 1 = 1.005 USD -> 1.01 (half away from zero)
    expect(notionalRaw(1005, 3, 1, 0, 1n, 0, USD)).toBe(101n);
    // -1.005 -> -1.01 (away from zero, not towards +∞)
    expect(notionalRaw(-1005, 3, 1, 0, 1n, 0, USD)).toBe(-101n);
    // A signed (short) quantity rounds symmetrically: -1.005 -> -1.01
    expect(notionalRaw(1005, 3, -1, 0, 1n, 0, USD)).toBe(-101n);
    // 1.0049 -> 1.00
    expect(notionalRaw(10049, 4, 1, 0, 1n, 0, USD)).toBe(100n);
    // 50123.45 × 0.1234 = 6185.233730 -> 6185.23
    expect(notionalRaw(5012345, 2, 1234, 4, 1n, 0, USD)).toBe(618523n);
    // 4500.25 × 3 × 50 = 675037.50
    expect(notionalRaw(450025, 2, 3, 0, 50n, 0, USD)).toBe(67503750n);
    // 101.25 × 7 × 0.1 = 70.875 -> 70.88
    expect(notionalRaw(10125, 2, 7, 0, 1n, 1, USD)).toBe(7088n);
    // Scaling up when the product has fewer decimals than the currency: 12 × 3 = 36 USDT = 36.00000000
    expect(notionalRaw(12, 0, 3, 0, 1n, 0, USDT)).toBe(3_600_000_000n);
  });

  it('scaleTo rounds half away from zero or scales up exactly', () => {
    expect(scaleTo(12345n, 3, 2)).toBe(1235n);
    expect(scaleTo(-12345n, 3, 2)).toBe(-1235n);
    expect(scaleTo(12344n, 3, 2)).toBe(1234n);
    expect(scaleTo(5n, 0, 2)).toBe(500n);
    expect(scaleTo(5n, 2, 2)).toBe(5n);
  });
});
