/**
 * Position sizing: hand-computed sizes for the fixed-fraction, confidence and volatility rules,
 * each cap, the minimum size and the size step; and a property that no result ever breaks a cap
 * or risks more than the budget, and that one more size step always would.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pow10Big } from '../core/decimal.js';
import { CurrencyMismatchError, ValueError } from '../core/errors.js';
import { EUR, Money, USD } from '../core/money.js';
import type { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import { Instrument } from '../model/instrument.js';
import { capsFromLimits, type RiskSizingInput, sizeByRisk, sizeByVolatility, type SizingCaps, stopAtDistance, volatilityStopDistance } from './sizing.js';

const ACME = new Instrument({ symbol: 'ACME', assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '1' });
const XBT = new Instrument({ symbol: 'XBT', assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.5', sizeStep: '0.005', minSize: '0.01' });
const ES = new Instrument({ symbol: 'ES', assetClass: 'FUTURE', quoteCurrency: 'USD', tickSize: '0.25', sizeStep: '1', multiplier: '50' });

const usd = (v: string | number) => Money.of(v, USD);
const base = (over: Partial<RiskSizingInput> = {}): RiskSizingInput => ({
  instrument: ACME,
  side: 'BUY',
  equity: usd(100_000),
  riskFraction: 0.01,
  entry: ACME.price('50.00'),
  stop: ACME.price('48.00'),
  ...over,
});
const size = (over: Partial<RiskSizingInput> = {}) => {
  const d = sizeByRisk(base(over));
  return { qty: d.quantity?.toString(), by: d.boundBy, risk: d.risk.toDecimal(), budget: d.budget.toDecimal() };
};

describe('sizeByRisk: fixed fraction of equity between entry and stop', () => {
  it('sizes 1% of 100,000 over a 2.00 stop to 500 shares, risking exactly the budget', () => {
    expect(size()).toEqual({ qty: '500', by: 'risk', risk: '1000.00', budget: '1000.00' });
  });

  it('rounds down to the size step: 1000 / 1.47 = 680.27 -> 680 shares risking 999.60', () => {
    expect(size({ stop: ACME.price('48.53') })).toEqual({ qty: '680', by: 'risk', risk: '999.60', budget: '1000.00' });
  });

  it('sizes a one-cent stop at the edge of precision: 1000 / 0.01 = 100,000 shares', () => {
    expect(size({ stop: ACME.price('49.99') })).toEqual({ qty: '100000', by: 'risk', risk: '1000.00', budget: '1000.00' });
    // 1000 / 0.03 = 33,333.33 -> 33,333 shares losing 999.99
    expect(size({ stop: ACME.price('49.97') })).toMatchObject({ qty: '33333', risk: '999.99' });
  });

  it('mirrors the stop above the entry for a SELL', () => {
    expect(size({ side: 'SELL', stop: ACME.price('52.00') })).toMatchObject({ qty: '500', by: 'risk' });
  });

  it('scales the budget by the signal confidence', () => {
    expect(size({ confidence: 0.6 })).toEqual({ qty: '300', by: 'risk', risk: '600.00', budget: '600.00' });
    expect(size({ confidence: 0 })).toMatchObject({ qty: undefined, budget: '0.00' });
  });

  it('counts the contract multiplier: 2,000 / (10.00 × 50) = 4 contracts; 2,000 / (10.25 × 50) = 3.9 -> 3', () => {
    const es = { instrument: ES, equity: usd(200_000), entry: ES.price('5000.00') };
    expect(size({ ...es, stop: ES.price('4990.00') })).toMatchObject({ qty: '4', risk: '2000.00' });
    expect(size({ ...es, stop: ES.price('4989.75') })).toMatchObject({ qty: '3', risk: '1537.50' });
  });

  it('rounds a crypto size down to its 0.005 step and returns undefined below the 0.01 minimum', () => {
    const xbt = { instrument: XBT, equity: usd(10_000), riskFraction: 0.02, entry: XBT.price('30000.0') };
    expect(size({ ...xbt, stop: XBT.price('29000.0') })).toMatchObject({ qty: '0.200', risk: '200.00' });
    // 200 / 1000.5 = 0.19990 -> 0.195
    expect(size({ ...xbt, stop: XBT.price('28999.5') })).toMatchObject({ qty: '0.195', risk: '195.10' });
    // 5 / 1000 = 0.005: on the step but below the minimum size
    expect(size({ ...xbt, equity: usd(1000), riskFraction: 0.005, stop: XBT.price('29000.0') })).toMatchObject({ qty: undefined, by: 'risk' });
  });

  it('returns nothing for zero or negative equity', () => {
    expect(size({ equity: usd(0) })).toMatchObject({ qty: undefined, budget: '0.00' });
    expect(size({ equity: usd(-5) })).toMatchObject({ qty: undefined, budget: '0.00' });
  });

  it('rejects bad input with named values', () => {
    expect(() => sizeByRisk(base({ stop: ACME.price('50.00') }))).toThrow(new ValueError('stop 50.00 must be below the entry 50.00 for a BUY of ACME'));
    expect(() => sizeByRisk(base({ side: 'SELL' }))).toThrow('stop 48.00 must be above the entry 50.00 for a SELL of ACME');
    expect(() => sizeByRisk(base({ riskFraction: 0 }))).toThrow('risk fraction 0 must be in (0, 1]');
    expect(() => sizeByRisk(base({ riskFraction: 1.5 }))).toThrow('risk fraction 1.5 must be in (0, 1]');
    expect(() => sizeByRisk(base({ confidence: 1.2 }))).toThrow('confidence 1.2 must be in [0, 1]');
    expect(() => sizeByRisk(base({ entry: XBT.price('50.0') }))).toThrow('entry 50.0 has precision 1, ACME uses 2');
    expect(() => sizeByRisk(base({ equity: Money.of(100, EUR) }))).toThrow(CurrencyMismatchError);
    expect(() => sizeByRisk(base({ caps: { maxPositionQty: Quantity.of('1.5', 1) } }))).toThrow('maxPositionQty 1.5 has precision 1, ACME uses 0');
  });
});

describe('sizeByRisk: caps', () => {
  const q = (n: number) => ACME.quantity(n);
  it('cuts to the largest order and its notional', () => {
    expect(size({ caps: { maxOrderQty: q(120) } })).toMatchObject({ qty: '120', by: 'maxOrderQty', risk: '240.00' });
    // 12,345 / 50 = 246.9 -> 246 (notional 12,300)
    expect(size({ caps: { maxOrderNotional: usd(12_345) } })).toMatchObject({ qty: '246', by: 'maxOrderNotional' });
  });

  it('counts the current position against the position caps: adding shrinks, crossing a short grows the room', () => {
    expect(size({ currentQtyRaw: 150, caps: { maxPositionQty: q(400) } })).toMatchObject({ qty: '250', by: 'maxPositionQty' });
    expect(size({ currentQtyRaw: 450, caps: { maxPositionQty: q(400) } })).toMatchObject({ qty: undefined, by: 'maxPositionQty' });
    // Short 150, cap 400: up to 550 could be bought, so the 500 of the budget pass.
    expect(size({ currentQtyRaw: -150, caps: { maxPositionQty: q(400) } })).toMatchObject({ qty: '500', by: 'risk' });
    // 20,000 / 50 = 400 shares of position notional, 100 already held.
    expect(size({ currentQtyRaw: 100, caps: { maxPositionNotional: usd(20_000) } })).toMatchObject({ qty: '300', by: 'maxPositionNotional' });
  });

  it('cuts to the gross exposure headroom, valuing the current position at the entry or as given', () => {
    // Room 5,000 + the 100 held at 50 = 10,000 of position notional = 200 shares: buy 100.
    expect(size({ currentQtyRaw: 100, caps: { grossHeadroom: usd(5000) } })).toMatchObject({ qty: '100', by: 'grossHeadroom' });
    // Held 100 marked at 60 count 6,000: 11,000 / 50 = 220 shares: buy 120.
    expect(size({ currentQtyRaw: 100, caps: { grossHeadroom: usd(5000), currentValue: usd(6000) } })).toMatchObject({ qty: '120', by: 'grossHeadroom' });
    expect(size({ caps: { grossHeadroom: usd(0) } })).toMatchObject({ qty: undefined, by: 'grossHeadroom' });
  });

  it('keeps the notional cap exact at the minor unit: 100.00 of a 33.33 stock in 0.001 steps is 3.000', () => {
    const fine = new Instrument({ symbol: 'FINE', assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '0.001' });
    const d = sizeByRisk({ instrument: fine, side: 'BUY', equity: usd(1_000_000), riskFraction: 1, entry: fine.price('33.33'), stop: fine.price('1.00'), caps: { maxPositionNotional: usd(100) } });
    expect(d.quantity?.toString()).toBe('3.000');
    expect(fine.notionalRaw(3333, 3000)).toBe(9999n);
    // One step more (3.001) would cost 100.02.
    expect(fine.notionalRaw(3333, 3001)).toBe(10002n);
  });
});

describe('volatility-based sizing', () => {
  it('puts the stop k × ATR away, rounded up to the tick: 2 × 1.234 = 2.468 -> 2.47, 1000 / 2.47 = 404.86 -> 404', () => {
    expect(volatilityStopDistance(ACME, { kind: 'atr', atr: 1.234 }, 2).toString()).toBe('2.47');
    const d = sizeByVolatility({ ...base(), k: 2, volatility: { kind: 'atr', atr: 1.234 } });
    expect(d.stop.toString()).toBe('47.53');
    expect(d.quantity?.toString()).toBe('404');
    expect(d.risk.toDecimal()).toBe('997.88');
  });

  it('puts the stop k × σ × price away: 2 × 2% × 50 = 2.00 (no float creep to 2.01)', () => {
    expect(volatilityStopDistance(ACME, { kind: 'sigma', sigma: 0.02, price: ACME.price('50.00') }, 2).toString()).toBe('2.00');
    const d = sizeByVolatility({ ...base(), side: 'SELL', k: 2, volatility: { kind: 'sigma', sigma: 0.02, price: ACME.price('50.00') } });
    expect(d.stop.toString()).toBe('52.00');
    expect(d.quantity?.toString()).toBe('500');
  });

  it('rounds to a coarse tick and keeps a long stop above zero', () => {
    expect(volatilityStopDistance(XBT, { kind: 'atr', atr: 333.3 }, 3).toString()).toBe('1000.0');
    expect(stopAtDistance(ACME, 'BUY', ACME.price('1.00'), ACME.price('5.00')).toString()).toBe('0.01');
    expect(stopAtDistance(XBT, 'SELL', XBT.price('100.0'), XBT.price('0.5')).toString()).toBe('100.5');
  });

  it('rejects a non-positive k or volatility', () => {
    expect(() => volatilityStopDistance(ACME, { kind: 'atr', atr: 1 }, 0)).toThrow('stop multiple k 0 must be positive');
    expect(() => volatilityStopDistance(ACME, { kind: 'atr', atr: Number.NaN }, 2)).toThrow('ATR NaN for ACME must be positive');
    expect(() => volatilityStopDistance(ACME, { kind: 'sigma', sigma: -0.1, price: ACME.price(1) }, 2)).toThrow('volatility -0.1 for ACME must be positive');
  });
});

describe('capsFromLimits', () => {
  it('takes per-instrument overrides first and the gross headroom under min(limit, buying power)', () => {
    const caps = capsFromLimits(
      { maxPositionQty: '300', maxOrderNotional: '9000', maxGrossExposure: '50000', leverage: 2, perInstrument: { ACME: { maxPositionQty: '200' } } },
      ACME,
      { equity: usd(20_000), grossExposure: usd(15_000), currentValue: usd(-2_500) },
    );
    expect(caps.maxPositionQty?.toString()).toBe('200');
    expect(caps.maxOrderNotional?.toDecimal()).toBe('9000.00');
    expect(caps.maxOrderQty).toBeUndefined();
    // Buying power 40,000 is below the 50,000 limit: 40,000 − 15,000.
    expect(caps.grossHeadroom?.toDecimal()).toBe('25000.00');
    expect(caps.currentValue?.toDecimal()).toBe('2500.00');
  });
});

// --- property ---------------------------------------------------------------------------------

const INSTRUMENTS = [
  ACME,
  XBT,
  ES,
  new Instrument({ symbol: 'MICRO', assetClass: 'FUTURE', quoteCurrency: 'USD', tickSize: '0.005', sizeStep: '0.1', minSize: '0.3', multiplier: '0.1' }),
];

interface Case {
  inst: Instrument;
  side: 'BUY' | 'SELL';
  equityCents: number;
  /** riskFraction = fractionBp / 10,000 */
  fractionBp: number;
  /** confidence = confidencePct / 100 */
  confidencePct: number;
  entryTicks: number;
  distTicks: number;
  currentSteps: number;
  caps: { orderQty?: number; orderNotional?: number; posQty?: number; posNotional?: number; headroom?: number };
}

const arbitraryCase: fc.Arbitrary<Case> = fc.record({
  inst: fc.constantFrom(...INSTRUMENTS),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  equityCents: fc.integer({ min: 0, max: 1e10 }),
  fractionBp: fc.integer({ min: 1, max: 10_000 }),
  confidencePct: fc.integer({ min: 0, max: 100 }),
  entryTicks: fc.integer({ min: 2, max: 2_000_000 }),
  distTicks: fc.integer({ min: 1, max: 5_000 }),
  currentSteps: fc.integer({ min: -5_000, max: 5_000 }),
  caps: fc.record(
    {
      orderQty: fc.integer({ min: 0, max: 10_000 }),
      orderNotional: fc.integer({ min: 0, max: 1e9 }),
      posQty: fc.integer({ min: 0, max: 10_000 }),
      posNotional: fc.integer({ min: 0, max: 1e9 }),
      headroom: fc.integer({ min: 0, max: 1e9 }),
    },
    { requiredKeys: [] },
  ),
});

function inputOf(c: Case): { input: RiskSizingInput; entry: Price; caps: SizingCaps } {
  const inst = c.inst;
  const tick = inst.tickSize.raw;
  const entryRaw = Math.max(c.entryTicks, c.distTicks + 1) * tick;
  const stopRaw = c.side === 'BUY' ? entryRaw - c.distTicks * tick : entryRaw + c.distTicks * tick;
  const price = (raw: number) => inst.price((raw / 10 ** inst.pricePrecision).toFixed(inst.pricePrecision));
  const steps = (n: number) => Quantity.fromRaw(n * inst.sizeStep.raw, inst.sizePrecision);
  const cents = (n: number) => Money.fromRaw(BigInt(n), USD);
  const caps: SizingCaps = {
    maxOrderQty: c.caps.orderQty === undefined ? undefined : steps(c.caps.orderQty),
    maxOrderNotional: c.caps.orderNotional === undefined ? undefined : cents(c.caps.orderNotional),
    maxPositionQty: c.caps.posQty === undefined ? undefined : steps(c.caps.posQty),
    maxPositionNotional: c.caps.posNotional === undefined ? undefined : cents(c.caps.posNotional),
    grossHeadroom: c.caps.headroom === undefined ? undefined : cents(c.caps.headroom),
  };
  const entry = price(entryRaw);
  const input: RiskSizingInput = {
    instrument: inst,
    side: c.side,
    equity: cents(c.equityCents),
    riskFraction: c.fractionBp / 10_000,
    confidence: c.confidencePct / 100,
    entry,
    stop: price(stopRaw),
    currentQtyRaw: c.currentSteps * inst.sizeStep.raw,
    caps,
  };
  return { input, entry, caps };
}

/** Whether an order of `q` raw units keeps every bound, by exact rational arithmetic written out independently. */
function fitsExactly(c: Case, input: RiskSizingInput, q: number): boolean {
  const inst = c.inst;
  const scale = pow10Big(inst.pricePrecision + inst.sizePrecision + inst.multiplierPrecision);
  const cents = 100n; // USD minor units
  const m = inst.multiplierRaw;
  const s = c.side === 'BUY' ? 1 : -1;
  const current = input.currentQtyRaw ?? 0;
  const after = BigInt(Math.abs(current + s * q));
  // Like the risk engine, position limits bind only orders that do not merely reduce the position.
  const grows = after > BigInt(Math.abs(current)) || Math.sign(current + s * q) === -Math.sign(current);
  const Q = BigInt(q);
  const entry = BigInt(input.entry.raw);
  const dist = BigInt(Math.abs(input.entry.raw - input.stop.raw));
  // Value of price × qty × m in cents is (price × qty × m × 100) / scale.
  const notionalTimesScale = (qty: bigint) => entry * qty * m * cents;
  // risk ≤ equity × bp/10^4 × pct/10^2
  if (dist * Q * m * cents * 1_000_000n > BigInt(c.equityCents) * BigInt(c.fractionBp) * BigInt(c.confidencePct) * scale) return false;
  if (c.caps.orderQty !== undefined && Q > BigInt(c.caps.orderQty * inst.sizeStep.raw)) return false;
  if (c.caps.orderNotional !== undefined && notionalTimesScale(Q) > BigInt(c.caps.orderNotional) * scale) return false;
  if (grows && c.caps.posQty !== undefined && after > BigInt(c.caps.posQty * inst.sizeStep.raw)) return false;
  if (grows && c.caps.posNotional !== undefined && notionalTimesScale(after) > BigInt(c.caps.posNotional) * scale) return false;
  if (c.caps.headroom !== undefined) {
    const held = inst.notionalRaw(input.entry.raw, Math.abs(current));
    if (notionalTimesScale(after) > (BigInt(c.caps.headroom) + held) * scale) return false;
  }
  return true;
}

describe('sizing property', () => {
  it('never exceeds a cap (as the risk engine rounds it), never risks more than the fraction, and is the largest such size', () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        const { input, caps } = inputOf(c);
        const d = sizeByRisk(input);
        const inst = c.inst;
        const step = inst.sizeStep.raw;
        if (d.quantity === undefined) {
          // Even the minimum size would break a bound.
          expect(fitsExactly(c, input, inst.minSize.raw)).toBe(false);
          return;
        }
        const q = d.quantity.raw;
        expect(q % step).toBe(0);
        expect(q).toBeGreaterThanOrEqual(inst.minSize.raw);
        expect(fitsExactly(c, input, q)).toBe(true);
        expect(fitsExactly(c, input, q + step)).toBe(false);
        // The checks as the risk engine computes them, with the instrument's rounded notional.
        const s = c.side === 'BUY' ? 1 : -1;
        const current = input.currentQtyRaw ?? 0;
        const after = Math.abs(current + s * q);
        const grows = after > Math.abs(current) || Math.sign(current + s * q) === -Math.sign(current);
        if (caps.maxOrderQty) expect(q).toBeLessThanOrEqual(caps.maxOrderQty.raw);
        if (caps.maxOrderNotional) expect(inst.notionalRaw(input.entry.raw, q)).toBeLessThanOrEqual(caps.maxOrderNotional.raw);
        if (grows && caps.maxPositionQty) expect(after).toBeLessThanOrEqual(caps.maxPositionQty.raw);
        if (grows && caps.maxPositionNotional) expect(inst.notionalRaw(input.entry.raw, after)).toBeLessThanOrEqual(caps.maxPositionNotional.raw);
        if (caps.grossHeadroom) {
          const added = inst.notionalRaw(input.entry.raw, after) - inst.notionalRaw(input.entry.raw, Math.abs(current));
          expect(added).toBeLessThanOrEqual(caps.grossHeadroom.raw);
        }
        // The reported risk (rounded up) is within the budget (rounded down), both in cents.
        const budgetTimes1e6 = BigInt(c.equityCents) * BigInt(c.fractionBp) * BigInt(c.confidencePct);
        expect(d.risk.raw).toBeLessThanOrEqual((budgetTimes1e6 + 999_999n) / 1_000_000n);
      }),
      { numRuns: 2000 },
    );
  });
});
