/**
 * Position (and the Portfolio cash ledger around it) with hand-computed figures.
 *
 * Instrument T-USD: tick 0.01, step 0.001, taker 0.1 % (0.001), maker rebate −0.01 % (−0.0001),
 * quoted in USD (cents). Every notional, fee, cost basis and P&L below is worked out in a comment.
 */
import { describe, expect, it } from 'vitest';
import { ValueError } from '../core/errors.js';
import { EUR, Money, USD } from '../core/money.js';
import type { LiquiditySide, OrderSide } from '../model/enums.js';
import { Instrument } from '../model/instrument.js';
import type { OrderFilled } from '../model/order-events.js';
import { Portfolio } from './portfolio.js';
import { Position } from './position.js';

const inst = new Instrument({
  symbol: 'T-USD',
  assetClass: 'CRYPTO',
  quoteCurrency: 'USD',
  tickSize: '0.01',
  sizeStep: '0.001',
  takerFee: '0.001',
  makerFee: '-0.0001',
});

/** Same rules, no fees: for tests about cost-basis rounding alone. */
const free = new Instrument({ symbol: 'FREE', assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '0.001' });

let seq = 0;

interface FillOpts {
  liquidity?: LiquiditySide;
  /** A venue-reported fee; by default the instrument's fee for the liquidity side. */
  fee?: string;
  strategyId?: string;
}

function fill(instrument: Instrument, side: OrderSide, qty: string, px: string, ts: number, opts: FillOpts = {}): OrderFilled {
  const lastQty = instrument.quantity(qty);
  const lastPx = instrument.price(px);
  const liquidity = opts.liquidity ?? 'TAKER';
  seq++;
  return {
    type: 'OrderFilled',
    clientOrderId: `O-${seq}`,
    instrumentId: instrument.id,
    strategyId: opts.strategyId ?? 'S1',
    ts,
    venueOrderId: `V-${seq}`,
    tradeId: `T-${seq}`,
    side,
    lastQty,
    lastPx,
    fee: opts.fee === undefined ? instrument.fee(lastPx, lastQty, liquidity) : Money.of(opts.fee, instrument.quoteCurrency),
    liquidity,
  };
}

/** Money as "d.dd" for compact assertions. */
const usd = (raw: bigint): string => Money.fromRaw(raw, USD).toDecimal();

describe('Position: long side', () => {
  it('opens a long: cost basis is the fill notional and cash pays notional plus fee', () => {
    const p = new Position(inst);
    // BUY 1.000 @ 100.00: notional 100.00; fee 100.00 × 0.001 = 0.10
    const { cashDelta, closed } = p.applyFill(fill(inst, 'BUY', '1', '100.00', 1000));
    expect(closed).toBeUndefined();
    expect(p.side).toBe('LONG');
    expect(p.qtyRaw).toBe(1000);
    expect(usd(p.costRaw)).toBe('100.00');
    expect(usd(BigInt(cashDelta))).toBe('-100.10');
    expect(usd(p.feesRaw)).toBe('0.10');
    expect(usd(p.realizedRaw)).toBe('0.00');
    expect(p.avgPx()).toBe('100.00');
    // Until marked, the position is marked at its first fill price: no unrealized P&L.
    expect(usd(p.unrealizedRaw())).toBe('0.00');
  });

  it('adds to a long: cost basis accumulates and avgPx is the size-weighted entry', () => {
    const p = new Position(inst);
    p.applyFill(fill(inst, 'BUY', '1', '100.00', 1000));
    // BUY 0.500 @ 103.00: notional 51.50; fee 0.0515 -> 0.05
    const { cashDelta } = p.applyFill(fill(inst, 'BUY', '0.5', '103.00', 2000));
    expect(usd(BigInt(cashDelta))).toBe('-51.55');
    expect(p.qtyRaw).toBe(1500);
    expect(usd(p.costRaw)).toBe('151.50'); // 100.00 + 51.50
    expect(p.avgPx()).toBe('101.00'); // 151.50 / 1.5
    expect(usd(p.feesRaw)).toBe('0.15');
  });

  it('marks a long to a price: unrealized = quantity × mark − cost basis', () => {
    const p = new Position(inst);
    p.applyFill(fill(inst, 'BUY', '1', '100.00', 1000));
    p.applyFill(fill(inst, 'BUY', '0.5', '103.00', 2000));
    p.markRaw = inst.price('105.00').raw;
    // 1.5 × 105.00 = 157.50; 157.50 − 151.50 = 6.00
    expect(usd(p.marketValueRaw())).toBe('157.50');
    expect(usd(p.unrealizedRaw())).toBe('6.00');
    p.markRaw = inst.price('99.99').raw;
    // 1.5 × 99.99 = 149.985 -> 149.99 (half away from zero); 149.99 − 151.50 = −1.51
    expect(usd(p.unrealizedRaw())).toBe('-1.51');
  });

  it('partially closes a long: realized P&L is the proceeds minus the released share of the cost basis', () => {
    const p = new Position(inst);
    p.applyFill(fill(inst, 'BUY', '1', '100.00', 1000));
    p.applyFill(fill(inst, 'BUY', '0.5', '103.00', 2000));
    // SELL 0.600 @ 104.00: proceeds 62.40; fee 0.0624 -> 0.06
    // released cost 151.50 × 0.6 / 1.5 = 60.60; realized 62.40 − 60.60 = 1.80
    const { cashDelta, closed } = p.applyFill(fill(inst, 'SELL', '0.6', '104.00', 3000));
    expect(closed).toBeUndefined();
    expect(usd(BigInt(cashDelta))).toBe('62.34');
    expect(usd(p.realizedRaw)).toBe('1.80');
    expect(p.qtyRaw).toBe(900);
    expect(usd(p.costRaw)).toBe('90.90');
    expect(p.avgPx()).toBe('101.00'); // a reduction does not move the average entry
    expect(usd(p.feesRaw)).toBe('0.21'); // 0.10 + 0.05 + 0.06
  });

  it('fully closes a long and records the closed position (times, duration, averages, P&L, fees)', () => {
    const pf = new Portfolio(Money.of('10000', USD), [inst]);
    pf.applyFill(fill(inst, 'BUY', '1', '100.00', 1000));
    pf.applyFill(fill(inst, 'BUY', '0.5', '103.00', 2000));
    pf.applyFill(fill(inst, 'SELL', '0.6', '104.00', 3000));
    // SELL 0.900 @ 99.50 as maker: proceeds 89.55; fee 89.55 × −0.0001 = −0.008955 -> −0.01 (rebate)
    // released cost 90.90 (all of it); realized 89.55 − 90.90 = −1.35
    const out = pf.applyFill(fill(inst, 'SELL', '0.9', '99.50', 10_000, { liquidity: 'MAKER' }));
    const p = pf.position(inst.id)!;
    expect(p.side).toBe('FLAT');
    expect(p.qtyRaw).toBe(0);
    expect(p.costRaw).toBe(0n);
    expect(p.avgPx()).toBeUndefined();
    expect(usd(p.realizedRaw)).toBe('0.45'); // 1.80 − 1.35
    expect(usd(p.feesRaw)).toBe('0.20'); // 0.10 + 0.05 + 0.06 − 0.01
    const c = out?.closed;
    expect(c).toBeDefined();
    expect(c).toEqual({
      instrumentId: 'T-USD',
      strategyId: 'S1',
      side: 'LONG',
      openedAt: 1000,
      closedAt: 10_000,
      durationMs: 9000,
      maxQuantity: '1.500',
      // (100.00 × 1.0 + 103.00 × 0.5) / 1.5 = 151.50 / 1.5
      avgEntryPx: '101.00',
      entryNotional: 151.5, // 101.00 × 1.5
      // (104.00 × 0.6 + 99.50 × 0.9) / 1.5 = (62.40 + 89.55) / 1.5 = 151.95 / 1.5
      avgExitPx: '101.30',
      realized: Money.of('0.45', USD),
      fees: Money.of('0.20', USD),
      netPnl: Money.of('0.25', USD),
    });
    expect(pf.closedPositions).toEqual([c]);
    // cash: 10000 − 100.10 − 51.55 + 62.34 + 89.56 = 10000.25 = initial + net P&L
    expect(Money.fromRaw(pf.cashRaw, USD).toDecimal()).toBe('10000.25');
    expect(pf.snapshot(10_000).equity.toDecimal()).toBe('10000.25');
  });

  it('recovers a cost-basis rounding cent at the final close: total realized = proceeds − cost exactly', () => {
    const p = new Position(free);
    p.applyFill(fill(free, 'BUY', '1', '10.00', 1)); // cost 10.00
    p.applyFill(fill(free, 'BUY', '2', '10.01', 2)); // cost 20.02; total 30.02 for 3
    // SELL 1 @ 11.00: released cost 30.02 / 3 = 10.00666… -> 10.01; realized 11.00 − 10.01 = 0.99
    p.applyFill(fill(free, 'SELL', '1', '11.00', 3));
    expect(usd(p.realizedRaw)).toBe('0.99');
    expect(usd(p.costRaw)).toBe('20.01');
    expect(p.avgPx()).toBe('10.01'); // 20.01 / 2 = 10.005 -> 10.01 (half away from zero)
    // SELL 2 @ 11.00: released cost 20.01; realized 22.00 − 20.01 = 1.99
    p.applyFill(fill(free, 'SELL', '2', '11.00', 4));
    // 0.99 + 1.99 = 2.98 = 33.00 − 30.02: the cent rounded up at the first close is not lost.
    expect(usd(p.realizedRaw)).toBe('2.98');
    expect(p.costRaw).toBe(0n);
  });
});

describe('Position: short side', () => {
  it('opens, marks, partially covers and closes a short with exact figures', () => {
    const pf = new Portfolio(Money.of('1000', USD), [inst]);
    // SELL 2.000 @ 50.00: proceeds 100.00; fee 0.10; cost basis −100.00
    pf.applyFill(fill(inst, 'SELL', '2', '50.00', 100));
    const p = pf.position(inst.id)!;
    expect(p.side).toBe('SHORT');
    expect(p.qtyRaw).toBe(-2000);
    expect(usd(p.costRaw)).toBe('-100.00');
    expect(p.avgPx()).toBe('50.00');
    expect(usd(pf.cashRaw)).toBe('1099.90');

    // Mark 47.00: market value −2 × 47.00 = −94.00; unrealized −94.00 − (−100.00) = +6.00
    pf.markRaw(inst.id, inst.price('47.00').raw);
    expect(usd(p.marketValueRaw())).toBe('-94.00');
    expect(usd(p.unrealizedRaw())).toBe('6.00');
    // equity = cash + market value = 1099.90 − 94.00 = 1005.90 = 1000 + 6.00 − 0.10
    expect(usd(pf.equityRaw())).toBe('1005.90');

    // BUY 0.500 @ 48.00: cost 24.00; fee 0.024 -> 0.02; released basis −100.00 × 0.5/2 = −25.00
    // realized −24.00 − (−25.00) = +1.00
    pf.applyFill(fill(inst, 'BUY', '0.5', '48.00', 200));
    expect(usd(p.realizedRaw)).toBe('1.00');
    expect(p.qtyRaw).toBe(-1500);
    expect(usd(p.costRaw)).toBe('-75.00');
    // still marked at 47.00: −1.5 × 47 = −70.50; unrealized −70.50 + 75.00 = 4.50
    expect(usd(p.unrealizedRaw())).toBe('4.50');

    // BUY 1.500 @ 51.00: cost 76.50; fee 0.0765 -> 0.08; realized −76.50 + 75.00 = −1.50
    const out = pf.applyFill(fill(inst, 'BUY', '1.5', '51.00', 1300));
    expect(p.side).toBe('FLAT');
    expect(usd(p.realizedRaw)).toBe('-0.50'); // 1.00 − 1.50
    expect(out?.closed).toEqual({
      instrumentId: 'T-USD',
      strategyId: 'S1',
      side: 'SHORT',
      openedAt: 100,
      closedAt: 1300,
      durationMs: 1200,
      maxQuantity: '2.000',
      avgEntryPx: '50.00',
      entryNotional: 100, // 50.00 × 2
      avgExitPx: '50.25', // (48.00 × 0.5 + 51.00 × 1.5) / 2 = 100.50 / 2
      realized: Money.of('-0.50', USD),
      fees: Money.of('0.20', USD), // 0.10 + 0.02 + 0.08
      netPnl: Money.of('-0.70', USD),
    });
    // cash 1000 + 99.90 − 24.02 − 76.58 = 999.30 = 1000 − 0.70
    expect(usd(pf.cashRaw)).toBe('999.30');
  });

  it('reports a short in its snapshot with a signed quantity', () => {
    const p = new Position(inst);
    p.applyFill(fill(inst, 'SELL', '1.5', '20.00', 42));
    p.markRaw = inst.price('21.00').raw;
    const s = p.snapshot(50);
    expect(s.side).toBe('SHORT');
    expect(s.quantity).toBe('-1.500');
    expect(s.avgPx).toBe('20.00');
    expect(s.markPx).toBe('21.00');
    expect(s.marketValue.toDecimal()).toBe('-31.50'); // −1.5 × 21
    expect(s.unrealized.toDecimal()).toBe('-1.50'); // −31.50 + 30.00
    expect(s.fees.toDecimal()).toBe('0.03'); // 30.00 × 0.001
    expect(s.openedAt).toBe(42);
    expect(s.ts).toBe(50);
  });
});

describe('Position: flip through zero in one fill', () => {
  it('closes the long life and opens a short life, splitting the fill and its fee between them', () => {
    const pf = new Portfolio(Money.of('10000', USD), [inst]);
    // BUY 1.000 @ 100.00: fee 0.10
    pf.applyFill(fill(inst, 'BUY', '1', '100.00', 1000));
    // SELL 3.000 @ 110.00: notional 330.00; fee 0.33.
    //   1.000 closes the long: proceeds 330.00 × 1/3 = 110.00; fee share 0.33 × 1/3 = 0.11
    //   realized 110.00 − 100.00 = 10.00; closed-life fees 0.10 + 0.11 = 0.21
    //   2.000 opens a short: cost basis −(330.00 − 110.00) = −220.00; fee share 0.33 − 0.11 = 0.22
    const out = pf.applyFill(fill(inst, 'SELL', '3', '110.00', 5000, { strategyId: 'S2' }));
    expect(out?.closed).toEqual({
      instrumentId: 'T-USD',
      strategyId: 'S1',
      side: 'LONG',
      openedAt: 1000,
      closedAt: 5000,
      durationMs: 4000,
      maxQuantity: '1.000',
      avgEntryPx: '100.00',
      entryNotional: 100,
      avgExitPx: '110.00',
      realized: Money.of('10.00', USD),
      fees: Money.of('0.21', USD),
      netPnl: Money.of('9.79', USD),
    });
    const p = pf.position(inst.id)!;
    expect(p.side).toBe('SHORT');
    expect(p.qtyRaw).toBe(-2000);
    expect(usd(p.costRaw)).toBe('-220.00');
    expect(p.avgPx()).toBe('110.00');
    expect(p.snapshot(5000).openedAt).toBe(5000); // the new life starts at the flip

    // Mark 112.00: −2 × 112 = −224.00; unrealized −224.00 + 220.00 = −4.00
    pf.markRaw(inst.id, inst.price('112.00').raw);
    expect(usd(p.unrealizedRaw())).toBe('-4.00');

    // BUY 2.000 @ 105.00: cost 210.00; fee 0.21; realized −210.00 + 220.00 = 10.00
    const out2 = pf.applyFill(fill(inst, 'BUY', '2', '105.00', 9000));
    expect(out2?.closed).toEqual({
      instrumentId: 'T-USD',
      strategyId: 'S2', // the short life belongs to the strategy whose fill opened it
      side: 'SHORT',
      openedAt: 5000,
      closedAt: 9000,
      durationMs: 4000,
      maxQuantity: '2.000',
      avgEntryPx: '110.00',
      entryNotional: 220, // 110.00 × 2
      avgExitPx: '105.00',
      realized: Money.of('10.00', USD),
      fees: Money.of('0.43', USD), // 0.22 + 0.21
      netPnl: Money.of('9.57', USD),
    });
    // Σ closed fees 0.21 + 0.43 = 0.64 = 0.10 + 0.33 + 0.21 (every cent of fee lands in one life)
    expect(usd(p.feesRaw)).toBe('0.64');
    expect(usd(p.realizedRaw)).toBe('20.00');
    // cash 10000 − 100.10 + 329.67 − 210.21 = 10019.36 = 10000 + 9.79 + 9.57
    expect(usd(pf.cashRaw)).toBe('10019.36');
  });

  it('rounds the fee split once so the two shares always sum to the whole fee', () => {
    const p = new Position(free);
    p.applyFill(fill(free, 'BUY', '1', '10.00', 1, { fee: '0' }));
    // SELL 3 with a venue fee of 0.05: closing share 0.05 × 1/3 = 0.01666… -> 0.02; opening share 0.03
    const { closed } = p.applyFill(fill(free, 'SELL', '3', '10.00', 2, { fee: '0.05' }));
    expect(closed?.fees.toDecimal()).toBe('0.02');
    // Close the short at no fee: the short life's fees are exactly the remaining 0.03.
    const { closed: closed2 } = p.applyFill(fill(free, 'BUY', '2', '10.00', 3, { fee: '0' }));
    expect(closed2?.fees.toDecimal()).toBe('0.03');
    expect(usd(p.feesRaw)).toBe('0.05');
  });

  it('flips a short into a long', () => {
    const p = new Position(free);
    p.applyFill(fill(free, 'SELL', '1', '20.00', 10)); // basis −20.00
    // BUY 1.5 @ 19.00: notional 28.50; 1/1.5 closes: 28.50 × 1/1.5 = 19.00; realized −19.00 + 20.00 = 1.00
    // 0.5 opens a long at basis 28.50 − 19.00 = 9.50
    const { closed } = p.applyFill(fill(free, 'BUY', '1.5', '19.00', 20));
    expect(closed?.side).toBe('SHORT');
    expect(closed?.realized.toDecimal()).toBe('1.00');
    expect(p.side).toBe('LONG');
    expect(p.qtyRaw).toBe(500);
    expect(usd(p.costRaw)).toBe('9.50');
    expect(p.avgPx()).toBe('19.00');
  });
});

describe('Position: average entry price on a tick finer than the currency', () => {
  // Tick 0.0001 on a USD (cents) instrument, whole units: each fill's notional is rounded to the cent.
  const fine = new Instrument({ symbol: 'FINE', assetClass: 'FX', quoteCurrency: 'USD', tickSize: '0.0001', sizeStep: '1' });

  it('is the size-weighted entry price, not the cent-rounded cost basis over the size', () => {
    const p = new Position(fine);
    // BUY 3 @ 1.2346: notional 3.7038 -> cost 3.70; 3.70 / 3 would say 1.2333.
    p.applyFill(fill(fine, 'BUY', '3', '1.2346', 1));
    expect(usd(p.costRaw)).toBe('3.70');
    expect(p.avgPx()).toBe('1.2346');
    // BUY 2 @ 1.2347: (3 × 1.2346 + 2 × 1.2347) / 5 = 6.1732 / 5 = 1.23464 -> 1.2346
    p.applyFill(fill(fine, 'BUY', '2', '1.2347', 2));
    expect(p.avgPx()).toBe('1.2346');
    expect(p.openValueRaw).toBe(61732n);
    // SELL 4: the remaining unit keeps the average: 61732 − round(61732 × 4 / 5 = 49385.6) = 12346
    p.applyFill(fill(fine, 'SELL', '4', '1.2400', 3));
    expect(p.openValueRaw).toBe(12346n);
    expect(p.avgPx()).toBe('1.2346');
    // A flip opens the other side at its own price.
    p.applyFill(fill(fine, 'SELL', '3', '1.2351', 4));
    expect(p.qtyRaw).toBe(-2);
    expect(p.avgPx()).toBe('1.2351');
  });

  it('survives export and import, and derives the open value from the cost basis for a state saved without it', () => {
    const p = new Position(fine);
    p.applyFill(fill(fine, 'BUY', '3', '1.2346', 1));
    const restored = new Position(fine);
    restored.importState(p.exportState());
    expect(restored.avgPx()).toBe('1.2346');
    // An older state (no openValueRaw): the average comes from the basis, to the cent, as it did then.
    const { openValueRaw: _dropped, ...legacy } = p.exportState();
    const old = new Position(fine);
    old.importState(legacy);
    expect(old.openValueRaw).toBe(37000n); // 3.70 USD = 370 cents -> 37000 price-units × units
    expect(old.avgPx()).toBe('1.2333');
  });
});

describe('Position: contract multiplier', () => {
  it('scales cost basis, realized and unrealized P&L by the multiplier', () => {
    const es = new Instrument({ symbol: 'ESZ5', assetClass: 'FUTURE', quoteCurrency: 'USD', tickSize: '0.25', sizeStep: '1', multiplier: '50' });
    const p = new Position(es);
    // BUY 2 @ 4500.25: notional 2 × 4500.25 × 50 = 450025.00
    p.applyFill(fill(es, 'BUY', '2', '4500.25', 1));
    expect(usd(p.costRaw)).toBe('450025.00');
    expect(p.avgPx()).toBe('4500.25');
    // Mark 4510.00: 2 × 4510 × 50 = 451000.00; unrealized 975.00 (= 9.75 points × 2 × 50)
    p.markRaw = es.price('4510').raw;
    expect(usd(p.unrealizedRaw())).toBe('975.00');
    // SELL 1 @ 4495.50: proceeds 224775.00; released 225012.50; realized −237.50 (= −4.75 × 50)
    p.applyFill(fill(es, 'SELL', '1', '4495.50', 2));
    expect(usd(p.realizedRaw)).toBe('-237.50');
    // The last contract closes the life: the capital committed was 2 × 4500.25 × 50.
    expect(p.applyFill(fill(es, 'SELL', '1', '4495.50', 3)).closed?.entryNotional).toBe(450_025);
  });
});

describe('Portfolio', () => {
  it('applies a fill with an already-seen trade id only once', () => {
    const pf = new Portfolio(Money.of('1000', USD), [inst]);
    const f = fill(inst, 'BUY', '1', '100.00', 1);
    expect(pf.applyFill(f)).toBeDefined();
    const before = pf.snapshot(2);
    expect(pf.applyFill(f)).toBeUndefined();
    expect(pf.applyFill({ ...f, lastQty: inst.quantity('5') })).toBeUndefined(); // same trade id, different body
    expect(pf.snapshot(2)).toEqual(before);
    expect(pf.netQtyRaw(inst.id)).toBe(1000);
  });

  it('throws for a fill in an unknown instrument without burning its trade id', () => {
    const pf = new Portfolio(Money.of('1000', USD), []);
    const f = fill(inst, 'BUY', '1', '100.00', 1);
    expect(() => pf.applyFill(f)).toThrow(ValueError);
    expect(() => pf.applyFill(f)).toThrow('fill for unknown instrument T-USD');
    pf.addInstrument(inst);
    expect(pf.applyFill(f)).toBeDefined();
  });

  it('refuses an instrument quoted in another currency than the account', () => {
    expect(() => new Portfolio(Money.of('1000', EUR), [inst])).toThrow('instrument T-USD is quoted in USD, the account is in EUR');
  });

  it('sums realized, unrealized, fees and exposures over instruments in its snapshot', () => {
    const pf = new Portfolio(Money.of('1000', USD), [inst, free]);
    pf.applyFill(fill(inst, 'BUY', '1', '100.00', 1)); // fee 0.10
    pf.applyFill(fill(free, 'SELL', '2', '10.00', 2)); // basis −20.00
    pf.markRaw(inst.id, inst.price('101.00').raw); // +1.00
    pf.markRaw(free.id, free.price('10.50').raw); // −2 × 10.50 = −21.00; −1.00
    const s = pf.snapshot(3);
    expect(s.cash.toDecimal()).toBe('919.90'); // 1000 − 100.10 + 20.00
    expect(s.unrealized.toDecimal()).toBe('0.00'); // +1.00 − 1.00
    expect(s.fees.toDecimal()).toBe('0.10');
    expect(s.grossExposure.toDecimal()).toBe('122.00'); // 101 + 21
    expect(s.netExposure.toDecimal()).toBe('80.00'); // 101 − 21
    expect(s.equity.toDecimal()).toBe('999.90'); // 919.90 + 80.00
    expect(s.openPositions).toBe(2);
    expect(pf.equityRaw()).toBe(s.equity.raw);
    expect(pf.exposureRaw().grossRaw).toBe(s.grossExposure.raw);
  });
});
