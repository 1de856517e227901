/**
 * Tests for Instrument: the tick/step/minimum-size rules it applies when turning decimals into
 * Price and Quantity, and the exact notional and fee arithmetic (each rounded once, half away
 * from zero, to the quote currency's minor unit). Hand arithmetic is written next to each figure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../core/errors.js';
import { USD, USDT, notionalRaw, scaleTo } from '../core/money.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import { FEE_PRECISION, Instrument, type InstrumentSpec, formatFeeRate } from './instrument.js';

function expectValueError(fn: () => unknown, message: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ValueError);
  expect((caught as Error).message).toContain(message);
}

const btc = new Instrument({
  symbol: 'BTC-USD',
  assetClass: 'CRYPTO',
  quoteCurrency: 'USD',
  tickSize: '0.01',
  sizeStep: '0.0001',
  minSize: '0.001',
  makerFee: '-0.0001',
  takerFee: '0.0005',
});

/** An index future: tick 0.25, whole contracts, multiplier 50. */
const es = new Instrument({
  symbol: 'ESZ5',
  assetClass: 'FUTURE',
  quoteCurrency: 'USD',
  tickSize: '0.25',
  sizeStep: '1',
  multiplier: '50',
  takerFee: '0.0001',
});

/** A micro contract with a fractional multiplier. */
const micro = new Instrument({
  symbol: 'MICRO',
  assetClass: 'INDEX',
  quoteCurrency: 'USD',
  tickSize: '0.01',
  sizeStep: '1',
  multiplier: '0.1',
});

const nickel = new Instrument({ symbol: 'XYZ', assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.05', sizeStep: '1' });
const half = new Instrument({ symbol: 'HALF', assetClass: 'COMMODITY', quoteCurrency: 'USD', tickSize: '0.5', sizeStep: '0.5', minSize: '1' });

describe('Instrument spec', () => {
  it('derives the precisions from the tick size and size step, ignoring trailing zeros', () => {
    expect(btc.pricePrecision).toBe(2);
    expect(btc.sizePrecision).toBe(4);
    expect(btc.tickSize.raw).toBe(1);
    expect(btc.minSize.toString()).toBe('0.0010');
    expect(half.pricePrecision).toBe(1);
    expect(half.tickSize.raw).toBe(5);
    const padded = new Instrument({ symbol: 'PAD', assetClass: 'FX', quoteCurrency: 'USD', tickSize: '0.0100', sizeStep: '1.000' });
    expect(padded.pricePrecision).toBe(2);
    expect(padded.sizePrecision).toBe(0);
  });

  it('holds fee rates exactly at 8 decimals and the multiplier at its own precision', () => {
    expect(FEE_PRECISION).toBe(8);
    expect(btc.takerFeeRaw).toBe(50_000n); // 0.0005 × 10^8
    expect(btc.makerFeeRaw).toBe(-10_000n); // -0.0001 × 10^8
    expect(formatFeeRate(btc.makerFeeRaw)).toBe('-0.00010000');
    expect(es.multiplierRaw).toBe(50n);
    expect(es.multiplierPrecision).toBe(0);
    expect(micro.multiplierRaw).toBe(1n);
    expect(micro.multiplierPrecision).toBe(1);
    // Defaults: minimum size = one step, multiplier 1, fees 0.
    expect(nickel.minSize.eq(nickel.sizeStep)).toBe(true);
    expect(nickel.multiplierRaw).toBe(1n);
    expect(nickel.takerFeeRaw).toBe(0n);
  });

  it('rejects an invalid spec, naming the field and the value', () => {
    const base: InstrumentSpec = { symbol: 'OK', assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '1' };
    expectValueError(() => new Instrument({ ...base, symbol: 'has space' }), 'instrument symbol "has space" is not valid');
    expectValueError(() => new Instrument({ ...base, assetClass: 'BOND' as never }), 'asset class "BOND" of OK is not one of');
    expectValueError(() => new Instrument({ ...base, quoteCurrency: 'QQQX' }), 'currency "QQQX" is unknown');
    expectValueError(() => new Instrument({ ...base, tickSize: '0' }), 'tick size 0 of OK must be positive');
    expectValueError(() => new Instrument({ ...base, tickSize: '-0.01' }), 'tick size -0.01 of OK must be positive');
    expectValueError(() => new Instrument({ ...base, sizeStep: '0.000' }), 'size step 0.000 of OK must be positive');
    expectValueError(() => new Instrument({ ...base, multiplier: '0' }), 'multiplier 0 of OK must be positive');
    expectValueError(() => new Instrument({ ...base, multiplier: '-5' }), 'multiplier -5 of OK must be positive');
    expectValueError(() => new Instrument({ ...base, minSize: '1.5' }), 'minimum size 1.5 is not a multiple of step 1 for OK');
    expectValueError(() => new Instrument({ ...base, takerFee: '0.000000001' }), 'taker fee of OK 0.000000001 has more than 8 decimal places');
    expectValueError(() => new Instrument({ ...base, makerFee: 'cheap' }), 'maker fee of OK "cheap" is not a decimal number');
  });
});

describe('Instrument.price', () => {
  it('rejects an off-tick price with a message naming the price, the tick and the symbol', () => {
    expect(() => btc.price('101.003')).toThrow(ValueError);
    expect(() => btc.price('101.003')).toThrow('price 101.003 is not a multiple of tick 0.01 for BTC-USD');
    expect(() => btc.price(101.003)).toThrow('price 101.003 is not a multiple of tick 0.01 for BTC-USD');
  });

  it('accepts on-tick prices as exact raw integers at the instrument precision', () => {
    expect(btc.price('101.01').raw).toBe(10101);
    expect(btc.price(101.01).raw).toBe(10101);
    expect(btc.price('101.0100000').raw).toBe(10101); // trailing zeros are not extra precision
    expect(btc.price('-0.05').raw).toBe(-5); // prices may be negative (spreads)
    expect(btc.price(0.3).toString()).toBe('0.30');
    // 0.1 + 0.2 === 0.30000000000000004 is not on the cent grid, and is not silently rounded onto it.
    // (17 decimals: it fails the 12-decimal parse before the tick test.)
    expectValueError(() => btc.price(0.1 + 0.2), 'price for BTC-USD 0.30000000000000004 has more than 12 decimal places');
  });

  it('applies a 0.05 tick: multiples of five cents only', () => {
    expect(nickel.price('10.05').raw).toBe(1005);
    expect(nickel.price('10.10').toString()).toBe('10.10');
    expect(nickel.price(10.95).raw).toBe(1095);
    expect(() => nickel.price('10.07')).toThrow('price 10.07 is not a multiple of tick 0.05 for XYZ');
    expect(() => nickel.price('-10.01')).toThrow('price -10.01 is not a multiple of tick 0.05 for XYZ');
  });

  it('applies a 0.5 tick and a 0.25 tick, including prices with more decimals than the tick', () => {
    expect(half.price('100.5').raw).toBe(1005);
    expect(half.price(100).raw).toBe(1000);
    expect(() => half.price('100.25')).toThrow('price 100.25 is not a multiple of tick 0.5 for HALF');
    expect(() => half.price('100.3')).toThrow('price 100.3 is not a multiple of tick 0.5 for HALF');
    expect(es.price('4500.75').raw).toBe(450075);
    expect(() => es.price('4500.10')).toThrow('price 4500.10 is not a multiple of tick 0.25 for ESZ5');
  });

  it('rejects NaN, infinities, non-decimals and out-of-range prices', () => {
    expectValueError(() => btc.price(Number.NaN), 'price for BTC-USD NaN is not a finite number');
    expectValueError(() => btc.price(Number.POSITIVE_INFINITY), 'price for BTC-USD Infinity is not a finite number');
    expectValueError(() => btc.price('1e3'), 'price for BTC-USD "1e3" is not a decimal number');
    expectValueError(() => btc.price('90071992547409.93'), 'price 90071992547409.93 is out of range');
  });

  it('agrees with isOnTick and nearestPrice for every price on or off the grid', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), (raw) => {
        // XYZ: precision 2, tick raw 5
        const text = Price.fromRaw(raw, 2).toString();
        const onTick = raw % 5 === 0;
        if (onTick) expect(nickel.price(text).raw).toBe(raw);
        else expect(() => nickel.price(text)).toThrow(`price ${text} is not a multiple of tick 0.05 for XYZ`);
        expect(nickel.isOnTick(Price.fromRaw(raw, 2))).toBe(onTick);
        const nearest = nickel.nearestPrice(raw / 100);
        expect(nickel.isOnTick(nearest)).toBe(true);
        expect(Math.abs(nearest.raw - raw)).toBeLessThanOrEqual(3);
      }),
      { numRuns: 300 },
    );
  });

  it('snaps a float to the nearest tick', () => {
    expect(nickel.nearestPrice(10.07).toString()).toBe('10.05');
    expect(nickel.nearestPrice(10.08).toString()).toBe('10.10');
    expect(es.nearestPrice(4500.3).toString()).toBe('4500.25');
    expect(nickel.isOnTick(Price.of('10.05', 3))).toBe(false); // wrong precision is never on tick
  });
});

describe('Instrument.quantity and orderQuantityProblem', () => {
  it('accepts on-step sizes exactly', () => {
    expect(btc.quantity('0.1234').raw).toBe(1234);
    expect(btc.quantity(0.0001).raw).toBe(1);
    expect(btc.quantity(1e-4).raw).toBe(1);
    expect(half.quantity('2.5').raw).toBe(25);
  });

  it('rejects off-step, negative and invalid sizes, naming the value, the step and the symbol', () => {
    expect(() => btc.quantity('0.00015')).toThrow('quantity 0.00015 is not a multiple of step 0.0001 for BTC-USD');
    expect(() => half.quantity('1.2')).toThrow('quantity 1.2 is not a multiple of step 0.5 for HALF');
    expect(() => half.quantity(0.75)).toThrow('quantity 0.75 is not a multiple of step 0.5 for HALF');
    expectValueError(() => btc.quantity('-1'), 'quantity -1 for BTC-USD is negative');
    expectValueError(() => btc.quantity(-0.5), 'quantity -0.5 for BTC-USD is negative');
    expectValueError(() => btc.quantity(Number.NaN), 'quantity for BTC-USD NaN is not a finite number');
    expectValueError(() => btc.quantity('lots'), 'quantity for BTC-USD "lots" is not a decimal number');
    expectValueError(() => es.quantity('9007199254740993'), 'quantity 9007199254740993 is out of range');
  });

  it('reports an order quantity below the minimum size', () => {
    expect(btc.orderQuantityProblem(btc.quantity('0.0005'))).toBe('quantity 0.0005 is below the minimum size 0.0010 for BTC-USD');
    expect(half.orderQuantityProblem(half.quantity('0.5'))).toBe('quantity 0.5 is below the minimum size 1.0 for HALF');
    expect(btc.orderQuantityProblem(btc.quantity('0.0010'))).toBeUndefined();
    expect(half.orderQuantityProblem(half.quantity('1'))).toBeUndefined();
  });

  it('reports an order quantity of 0, even where the minimum size is 0', () => {
    const noMinimum = new Instrument({ symbol: 'ZERO', assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '1', minSize: '0' });
    expect(noMinimum.orderQuantityProblem(noMinimum.quantity('0'))).toBe('quantity 0 is not positive');
    expect(btc.orderQuantityProblem(btc.quantity('0'))).toBe('quantity 0.0000 is below the minimum size 0.0010 for BTC-USD');
    expect(noMinimum.orderQuantityProblem(noMinimum.quantity('1'))).toBeUndefined();
  });

  it('reports an order quantity off the step or at the wrong precision', () => {
    expect(half.orderQuantityProblem(Quantity.of('1.3', 1))).toBe('quantity 1.3 is not a multiple of step 0.5 for HALF');
    expect(btc.orderQuantityProblem(Quantity.of('1', 2))).toBe('quantity 1.00 has precision 2, BTC-USD uses 4');
  });
});

describe('Instrument.notional', () => {
  it('computes price × quantity exactly and rounds once to the cent, half away from zero', () => {
    // 50123.45 × 0.1234 = 6185.233730 -> 6185.23
    expect(btc.notional(btc.price('50123.45'), btc.quantity('0.1234')).toString()).toBe('6185.23 USD');
    // 0.05 × 0.1 = 0.005 -> 0.01 (exactly half a cent rounds away from zero)
    expect(btc.notional(btc.price('0.05'), btc.quantity('0.1')).raw).toBe(1n);
    // -0.05 × 0.1 = -0.005 -> -0.01
    expect(btc.notional(btc.price('-0.05'), btc.quantity('0.1')).raw).toBe(-1n);
    // 0.04 × 0.1 = 0.004 -> 0.00
    expect(btc.notional(btc.price('0.04'), btc.quantity('0.1')).raw).toBe(0n);
    // The raw form accepts a signed quantity and rounds it symmetrically.
    expect(btc.notionalRaw(5, -1000)).toBe(-1n);
  });

  it('applies a contract multiplier of 50', () => {
    // 4500.25 × 3 × 50 = 675037.50
    expect(es.notional(es.price('4500.25'), es.quantity('3')).toString()).toBe('675037.50 USD');
    // 4500.75 × 1 × 50 = 225037.50
    expect(es.notional(es.price('4500.75'), es.quantity('1')).raw).toBe(22503750n);
  });

  it('applies a fractional multiplier of 0.1', () => {
    // 101.25 × 7 × 0.1 = 70.875 -> 70.88 (half away from zero)
    expect(micro.notional(micro.price('101.25'), micro.quantity('7')).toString()).toBe('70.88 USD');
    // 101.23 × 7 × 0.1 = 70.861 -> 70.86
    expect(micro.notional(micro.price('101.23'), micro.quantity('7')).raw).toBe(7086n);
    // -101.25 × 7 × 0.1 = -70.875 -> -70.88
    expect(micro.notional(micro.price('-101.25'), micro.quantity('7')).raw).toBe(-7088n);
  });

  it('is quoted in the instrument quote currency at its precision', () => {
    const usdt = new Instrument({ symbol: 'BTC-USDT', assetClass: 'CRYPTO', quoteCurrency: 'USDT', tickSize: '0.01', sizeStep: '0.00001' });
    // 65432.10 × 0.00123 = 80.4814830 -> 80.48148300 USDT (8 decimals, no rounding needed)
    const n = usdt.notional(usdt.price('65432.10'), usdt.quantity('0.00123'));
    expect(n.currency).toBe(USDT);
    expect(n.raw).toBe(8_048_148_300n);
    expect(btc.notional(btc.price('1'), btc.quantity('1')).currency).toBe(USD);
  });
});

describe('Instrument notional and fee fast path', () => {
  it('gives exactly the bigint result for any price and size, small or overflowing', () => {
    const insts = [
      btc,
      es,
      micro,
      new Instrument({ symbol: 'SAT', assetClass: 'CRYPTO', quoteCurrency: 'USDT', tickSize: '0.01', sizeStep: '0.00000001', takerFee: '0.00075', makerFee: '-0.00025' }),
      // 7 decimals of price × size under the currency's 8: the notional is scaled up, not rounded.
      new Instrument({ symbol: 'BTC-USDT', assetClass: 'CRYPTO', quoteCurrency: 'USDT', tickSize: '0.01', sizeStep: '0.00001' }),
    ];
    const magnitude = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(fc.constantFrom(...insts), magnitude, magnitude, fc.constantFrom('MAKER' as const, 'TAKER' as const), (inst, px, qty, liquidity) => {
        const scale = inst.pricePrecision + inst.sizePrecision + inst.multiplierPrecision;
        expect(inst.notionalRaw(px, qty)).toBe(notionalRaw(px, inst.pricePrecision, qty, inst.sizePrecision, inst.multiplierRaw, inst.multiplierPrecision, inst.quoteCurrency));
        if (qty < 0) return;
        const rate = liquidity === 'MAKER' ? inst.makerFeeRaw : inst.takerFeeRaw;
        const exactFee = scaleTo(BigInt(px) * BigInt(qty) * inst.multiplierRaw * rate, scale + FEE_PRECISION, inst.quoteCurrency.precision);
        expect(inst.fee(Price.fromRaw(px, inst.pricePrecision), Quantity.fromRaw(qty, inst.sizePrecision), liquidity).raw).toBe(exactFee);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('Instrument.fee', () => {
  it('charges the taker rate on the exact notional, rounded once to the cent', () => {
    // 50123.45 × 0.1234 = 6185.233730; × 0.0005 = 3.092616865 -> 3.09
    const fee = btc.fee(btc.price('50123.45'), btc.quantity('0.1234'), 'TAKER');
    expect(fee.toString()).toBe('3.09 USD');
  });

  it('pays a maker rebate as a negative fee, rounded half away from zero', () => {
    // 6185.233730 × -0.0001 = -0.618523373 -> -0.62
    expect(btc.fee(btc.price('50123.45'), btc.quantity('0.1234'), 'MAKER').raw).toBe(-62n);
  });

  it('rounds an exactly-half-cent fee away from zero on both signs', () => {
    const inst = new Instrument({ symbol: 'HC', assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '1', takerFee: '0.0002', makerFee: '-0.0002' });
    // 25.00 × 1 × 0.0002 = 0.005 -> 0.01
    expect(inst.fee(inst.price('25'), inst.quantity('1'), 'TAKER').raw).toBe(1n);
    // 25.00 × 1 × -0.0002 = -0.005 -> -0.01
    expect(inst.fee(inst.price('25'), inst.quantity('1'), 'MAKER').raw).toBe(-1n);
    // 24.95 × 1 × 0.0002 = 0.00499 -> 0.00
    expect(inst.fee(inst.price('24.95'), inst.quantity('1'), 'TAKER').raw).toBe(0n);
  });

  it('rounds the fee from the exact product, not from the already-rounded notional', () => {
    const inst = new Instrument({ symbol: 'MILLI', assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.001', sizeStep: '1', takerFee: '0.001' });
    // notional 4.995 × 1 = 4.995 -> 5.00; fee exact 4.995 × 0.001 = 0.004995 -> 0.00.
    // Rounding twice (5.00 × 0.001 = 0.005 -> 0.01) would charge a cent too much.
    expect(inst.notional(inst.price('4.995'), inst.quantity('1')).raw).toBe(500n);
    expect(inst.fee(inst.price('4.995'), inst.quantity('1'), 'TAKER').raw).toBe(0n);
  });

  it('includes the contract multiplier', () => {
    // 4500.25 × 2 × 50 = 450025.00; × 0.0001 = 45.0025 -> 45.00
    expect(es.fee(es.price('4500.25'), es.quantity('2'), 'TAKER').toString()).toBe('45.00 USD');
    // maker fee defaults to zero
    expect(es.fee(es.price('4500.25'), es.quantity('2'), 'MAKER').isZero).toBe(true);
  });

  it('rounds to the quote currency minor unit (8 decimals for USDT)', () => {
    const usdt = new Instrument({ symbol: 'ETH-USDT', assetClass: 'CRYPTO', quoteCurrency: 'USDT', tickSize: '0.01', sizeStep: '0.00001', takerFee: '0.001' });
    // 65432.10 × 0.00123 = 80.481483; × 0.001 = 0.080481483 -> 0.08048148
    expect(usdt.fee(usdt.price('65432.10'), usdt.quantity('0.00123'), 'TAKER').toDecimal()).toBe('0.08048148');
  });

  it('is the nearest minor unit to notional × rate for any fill (half away from zero)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 10_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: -50_000, max: 500_000 }),
        (pxRaw, qtyRaw, rateRaw) => {
          const inst = new Instrument({
            symbol: 'P', assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '0.0001',
            takerFee: formatFeeRate(BigInt(rateRaw)),
          });
          const fee = inst.fee(Price.fromRaw(pxRaw, 2), Quantity.fromRaw(qtyRaw, 4), 'TAKER').raw;
          // exact fee in units of 10^-(2+4+8) USD; the fee in cents must be within half a cent of it,
          // and an exact tie must go away from zero.
          const exact = BigInt(pxRaw) * BigInt(qtyRaw) * BigInt(rateRaw);
          const unit = 10n ** 12n; // one cent at scale 14
          const diff = fee * unit - exact;
          const absDiff = diff < 0n ? -diff : diff;
          expect(absDiff * 2n <= unit).toBe(true);
          if (absDiff * 2n === unit) expect(fee < 0n ? diff < 0n : diff > 0n).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
