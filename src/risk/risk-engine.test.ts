/**
 * Pre-trade checks of the RiskEngine, driven through the real TradingEngine + SimulatedExchange +
 * SimulatedClock with attachRiskEngine. Each check is shown at its edge: the order just inside
 * the limit passes, the one just outside is denied with the check's reason code and a message
 * naming the limit and the value — at the precision of the instrument and the currency (a cent,
 * one size step, one basis point, one millisecond). Also: the rate window and the volatility
 * estimator the checks rely on, the denial counts and the summary.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { TradingEngine } from '../engine/trading-engine.js';
import { SimulatedExchange } from '../execution/simulated-exchange.js';
import { SimulatedClock } from '../core/clock.js';
import type { RiskLimits } from './limits.js';
import { RateWindow } from './rate-window.js';
import { RiskEngine } from './risk-engine.js';
import { ACME, BETA, FINE, GAMMA, MINUTE, RiskHarness, SECOND, T0, XBT, usd, type Outcome, type RiskHarnessOptions } from './test-fixtures.js';
import { VolatilityEstimator } from './volatility.js';

/** A harness with ACME quoted at a locked 100.00/100.00 at T0 (market orders fill at 100.00). */
function harness(limits: RiskLimits, opts: Partial<RiskHarnessOptions> = {}): RiskHarness {
  const h = new RiskHarness({ limits, ...opts });
  h.quote(T0, '100.00');
  return h;
}

const passed = (o: Outcome) => expect(o.status, `${o.reason}: ${o.message}`).not.toBe('DENIED');

function denied(o: Outcome, reason: string, message: string | RegExp): void {
  expect(o.status).toBe('DENIED');
  expect(o.reason).toBe(reason);
  if (typeof message === 'string') expect(o.message).toBe(message);
  else expect(o.message).toMatch(message);
}

describe('order size and notional', () => {
  it('passes an order whose notional is exactly maxOrderNotional and denies one a cent above', () => {
    const h = harness({ maxOrderNotional: '1000.00' });
    denied(h.sell(1, { price: '1000.01' }), 'MAX_ORDER_NOTIONAL', 'order notional 1000.01 USD exceeds the limit 1000.00 USD');
    passed(h.sell(1, { price: '1000.00' }));
    denied(h.sell(10, { price: '100.01' }), 'MAX_ORDER_NOTIONAL', 'order notional 1000.10 USD exceeds the limit 1000.00 USD');
    passed(h.sell(10, { price: '100.00' }));
  });

  it('compares the notional rounded to the cent: 1000.004 passes, 1000.005 is denied', () => {
    const h = harness({ maxOrderNotional: '1000.00' });
    // 0.400 × 2500.01 = 1000.004 → 1000.00; 0.500 × 2000.01 = 1000.005 → 1000.01 (half away from zero).
    passed(h.buy('0.400', { inst: FINE, price: '2500.01' }));
    denied(h.buy('0.500', { inst: FINE, price: '2000.01' }), 'MAX_ORDER_NOTIONAL', 'order notional 1000.01 USD exceeds the limit 1000.00 USD');
  });

  it('values a market order at the touch it will take (ask for a buy, bid for a sell)', () => {
    const h = harness({ maxOrderNotional: '1000.00' });
    h.quote(T0 + SECOND, '100.01', '100.02');
    // bid 100.01: 10 × 100.01 = 1000.10; ask 100.02: 10 × 100.02 = 1000.20.
    denied(h.sell(10), 'MAX_ORDER_NOTIONAL', 'order notional 1000.10 USD exceeds the limit 1000.00 USD');
    denied(h.buy(10), 'MAX_ORDER_NOTIONAL', 'order notional 1000.20 USD exceeds the limit 1000.00 USD');
    h.quote(T0 + 2 * SECOND, '99.98', '100.00');
    passed(h.buy(10));
    expect(h.net()).toBe('10');
  });

  it('passes maxOrderQty itself and denies the smallest size step above it', () => {
    const h = harness({ maxOrderQty: '1' });
    passed(h.buy('1.000', { inst: XBT, price: '1000.0' }));
    denied(h.buy('1.005', { inst: XBT, price: '1000.0' }), 'MAX_ORDER_QTY', 'order quantity 1.005 XBT exceeds the limit 1.000');
    passed(h.buy(1));
    denied(h.buy(2), 'MAX_ORDER_QTY', 'order quantity 2 ACME exceeds the limit 1');
  });

  it('applies a per-instrument override to that instrument only', () => {
    const h = harness({ maxOrderQty: '100', perInstrument: { XBT: { maxOrderQty: '0.5' }, ACME: { maxOrderNotional: '50.00' } } });
    passed(h.buy('0.500', { inst: XBT, price: '1000.0' }));
    denied(h.buy('0.505', { inst: XBT, price: '1000.0' }), 'MAX_ORDER_QTY', 'order quantity 0.505 XBT exceeds the limit 0.500');
    passed(h.sell(100, { inst: BETA, price: '1.00' }));
    denied(h.sell(101, { inst: BETA, price: '1.00' }), 'MAX_ORDER_QTY', 'order quantity 101 BETA exceeds the limit 100');
    // ACME keeps the global quantity limit and gets its own notional limit.
    denied(h.sell(1, { price: '50.01' }), 'MAX_ORDER_NOTIONAL', 'order notional 50.01 USD exceeds the limit 50.00 USD');
    passed(h.sell(1, { inst: BETA, price: '50.01' }));
  });

  it('refuses, when built, a limit the instrument or the currency cannot express, naming the limit', () => {
    expect(() => new RiskHarness({ limits: { perInstrument: { ACME: { maxOrderQty: '1.5' } } } })).toThrow(InputError);
    expect(() => new RiskHarness({ limits: { perInstrument: { ACME: { maxOrderQty: '1.5' } } } })).toThrow(/risk limit maxOrderQty for ACME: .*1\.5/);
    expect(() => new RiskHarness({ limits: { maxPositionQty: '0.0001' } })).toThrow(/risk limit maxPositionQty for ACME/);
    expect(() => new RiskHarness({ limits: { maxGrossExposure: '1000.001' } })).toThrow(/risk limit maxGrossExposure: .*1000\.001/);
  });
});

describe('position limits', () => {
  it('counts the existing position against maxPositionQty, on both sides', () => {
    const h = harness({ maxPositionQty: '10' });
    passed(h.buy(6));
    passed(h.buy(4));
    expect(h.net()).toBe('10');
    denied(h.buy(1), 'MAX_POSITION_QTY', 'position in ACME would be 11, above the limit 10');
    // A sell through flat to −10 is new risk on the other side, and within the limit.
    passed(h.sell(20));
    expect(h.net()).toBe('-10');
    denied(h.sell(1), 'MAX_POSITION_QTY', 'position in ACME would be 11, above the limit 10');
  });

  it('denies the smallest size step above maxPositionQty', () => {
    const h = harness({ maxPositionQty: '1' });
    h.quote(T0, '1000.0', '1000.0', XBT);
    passed(h.buy('0.500', { inst: XBT }));
    passed(h.buy('0.490', { inst: XBT }));
    // The minimum order is 0.010, so from 0.990 the smallest overshoot is one 0.005 step.
    denied(h.buy('0.015', { inst: XBT }), 'MAX_POSITION_QTY', 'position in XBT would be 1.005, above the limit 1.000');
    passed(h.buy('0.010', { inst: XBT }));
    expect(h.net(XBT)).toBe('1.000');
  });

  it('values the position after the order at the order price against maxPositionNotional', () => {
    const h = harness({ maxPositionNotional: '1000.00' });
    passed(h.buy(6));
    denied(h.buy(5, { price: '100.00' }), 'MAX_POSITION_NOTIONAL', 'position notional in ACME would be 1100.00 USD, above the limit 1000.00 USD');
    passed(h.buy(4, { price: '100.00' }));
    expect(h.net()).toBe('10');
    denied(h.buy(1, { price: '91.00' }), 'MAX_POSITION_NOTIONAL', 'position notional in ACME would be 1001.00 USD, above the limit 1000.00 USD');
    // 11 × 90.90 = 999.90: a resting bid low enough keeps the position within the limit at its price.
    passed(h.buy(1, { price: '90.90' }));
  });

  it('counts resting orders of the same side: working buys cannot stack past maxPositionQty', () => {
    const h = harness({ maxPositionQty: '10' });
    passed(h.buy(8, { price: '99.00' })); // rests below the 100.00 ask
    denied(h.buy(8, { price: '98.00' }), 'MAX_POSITION_QTY', 'position in ACME would be 16 counting working orders, above the limit 10');
    passed(h.buy(2, { price: '98.00' }));
    h.quote(T0 + SECOND, '97.00');
    expect(h.net()).toBe('10');
  });

  it('counts resting sells together when they exit a long: they cannot take it short past the limit', () => {
    const h = harness({ maxPositionQty: '10' });
    passed(h.buy(10));
    passed(h.sell(10, { price: '101.00' })); // closes the long: reducing
    passed(h.sell(10, { price: '102.00' })); // with the first, short 10 at most
    denied(h.sell(1, { price: '103.00' }), 'MAX_POSITION_QTY', 'position in ACME would be 11 counting working orders, above the limit 10');
    h.quote(T0 + SECOND, '105.00');
    expect(h.net()).toBe('-10');
  });

  it('values working sells at their own higher price against maxPositionNotional', () => {
    const h = harness({ maxPositionNotional: '1000.00' });
    passed(h.sell(5, { price: '110.00' })); // rests: 550.00
    passed(h.sell(4, { price: '100.00' })); // fills at the bid; at most short 9, worth 990.00 at 110.00
    // Short 10 when the resting sell fills at 110.00 would be 1100.00, though 10 × 100.00 is 1000.00.
    denied(h.sell(1, { price: '100.00' }), 'MAX_POSITION_NOTIONAL', 'position notional in ACME would be 1100.00 USD counting working orders, above the limit 1000.00 USD');
    h.quote(T0 + SECOND, '110.00');
    expect(h.net()).toBe('-9');
  });

  it('lets a working reduce-only order bring an opposite position only to flat', () => {
    const h = harness({ maxPositionQty: '10' });
    passed(h.sell(10));
    passed(h.buy(10, { price: '99.00', reduceOnly: true })); // covers the short, no further
    passed(h.buy(10, { price: '98.00' })); // then long 10 at most
    denied(h.buy(1, { price: '97.00' }), 'MAX_POSITION_QTY', 'position in ACME would be 11 counting working orders, above the limit 10');
    h.quote(T0 + SECOND, '96.00');
    expect(h.net()).toBe('10');
  });

  it('denies opening a position beyond maxOpenPositions, but not adding to an open one', () => {
    const h = harness({ maxOpenPositions: 2 });
    h.quote(T0, '50.00', '50.00', BETA);
    h.quote(T0, '20.00', '20.00', GAMMA);
    passed(h.buy(1));
    passed(h.sell(1, { inst: BETA }));
    denied(h.buy(1, { inst: GAMMA }), 'MAX_OPEN_POSITIONS', '2 positions are open, the limit is 2');
    passed(h.buy(1));
    passed(h.buy(1, { inst: BETA })); // closes BETA
    passed(h.buy(1, { inst: GAMMA }));
    expect([h.net(), h.net(BETA), h.net(GAMMA)]).toEqual(['2', '0', '1']);
  });

  it('lets orders that only reduce a position skip the checks against new risk', () => {
    const h = harness({ maxOrderQty: '5', maxGrossExposure: '1000.00', maxOrderNotional: '500.00' });
    passed(h.buy(5));
    passed(h.buy(5));
    // The price doubles: the position is now above the gross limit, and closing it is 10 × 200 = 2000.
    h.quote(T0 + SECOND, '200.00');
    denied(h.buy(1), 'MAX_GROSS_EXPOSURE', 'gross exposure would be 2200.00 USD, above the limit 1000.00 USD');
    denied(h.sell(11), 'MAX_ORDER_QTY', 'order quantity 11 ACME exceeds the limit 5');
    passed(h.sell(7)); // partial: 7 > maxOrderQty and 1400 > maxOrderNotional, but it only reduces
    passed(h.sell(3)); // to flat
    expect(h.net()).toBe('0');
  });
});

describe('exposure limits', () => {
  it('adds the order to the existing gross exposure: exactly the limit passes, a cent more is denied', () => {
    const h = harness({ maxGrossExposure: '30010.00' });
    passed(h.buy(300));
    // FINE has no market data: its limit orders rest, priced at their limit.
    passed(h.buy('1.000', { inst: FINE, price: '10.00' }));
    denied(h.buy('1.001', { inst: FINE, price: '10.00' }), 'MAX_GROSS_EXPOSURE', 'gross exposure would be 30010.01 USD, above the limit 30010.00 USD');
    // A short counts at its absolute value.
    denied(h.sell('1.001', { inst: FINE, price: '10.00' }), 'MAX_GROSS_EXPOSURE', 'gross exposure would be 30010.01 USD, above the limit 30010.00 USD');
  });

  it('values the other positions at their latest marks', () => {
    const h = harness({ maxGrossExposure: '30010.00' });
    passed(h.buy(300));
    h.quote(T0 + SECOND, '100.03'); // 300 × 100.03 = 30009.00
    passed(h.buy('1.000', { inst: FINE, price: '1.00' }));
    denied(h.buy('1.000', { inst: FINE, price: '1.01' }), 'MAX_GROSS_EXPOSURE', 'gross exposure would be 30010.01 USD, above the limit 30010.00 USD');
  });

  it('checks the absolute net exposure, where a short offsets a long', () => {
    const h = harness({ maxNetExposure: '30000.00' });
    h.quote(T0, '100.00', '100.00', BETA);
    passed(h.buy(300));
    denied(h.buy('0.001', { inst: FINE, price: '10.00' }), 'MAX_NET_EXPOSURE', 'net exposure would be 30000.01 USD, above the limit 30000.00 USD');
    passed(h.sell('1.000', { inst: FINE, price: '10.00' }));
    denied(h.sell(601, { inst: BETA }), 'MAX_NET_EXPOSURE', 'net exposure would be 30100.00 USD, above the limit 30000.00 USD');
    passed(h.sell(600, { inst: BETA }));
    expect(h.net(BETA)).toBe('-600');
  });

  it('checks buying power: gross exposure up to equity × leverage', () => {
    const h = harness({ leverage: 2 });
    denied(h.buy(2001), 'BUYING_POWER', 'gross exposure would be 200100.00 USD, above buying power 200000.00 USD (equity 100000.00 USD × leverage 2)');
    passed(h.buy(2000)); // 200,000 of exposure on 100,000 of equity
    denied(h.buy('0.001', { inst: FINE, price: '10.00' }), 'BUYING_POWER', 'gross exposure would be 200000.01 USD, above buying power 200000.00 USD (equity 100000.00 USD × leverage 2)');
    const cash = harness({});
    denied(cash.buy(1001), 'BUYING_POWER', 'gross exposure would be 100100.00 USD, above buying power 100000.00 USD (equity 100000.00 USD × leverage 1)');
    passed(cash.buy(1000));
  });
});

describe('portfolio heat', () => {
  const bracket = (h: RiskHarness, qty: number, stop: string) =>
    h.submitBracket({ entry: h.request(ACME, 'BUY', qty, { price: '100.00' }), stopLoss: ACME.price(stop), takeProfit: ACME.price('120.00') });

  it("charges a bracket entry the distance to its own stop loss", () => {
    const h = harness({ maxPortfolioHeat: 0.01 }); // 1% of 100,000 = 1000.00
    const r1 = bracket(h, 101, '90.00'); // 101 × 10.00 = 1010.00
    expect(r1.ok).toBe(true);
    denied(h.outcome(r1.ok ? r1.order.clientOrderId : ''), 'PORTFOLIO_HEAT', 'portfolio heat would be 1010.00 USD (1.01% of equity 100000.00 USD), above the limit 1.00%');
    const r2 = bracket(h, 100, '90.00'); // exactly 1000.00
    passed(h.outcome(r2.ok ? r2.order.clientOrderId : ''));
    expect(h.net()).toBe('100');
    // The position now has a working stop at 90.00: one more share adds 10.00 of heat.
    denied(h.buy(1, { price: '100.00' }), 'PORTFOLIO_HEAT', 'portfolio heat would be 1010.00 USD (1.01% of equity 100000.00 USD), above the limit 1.00%');
  });

  it('counts a working reduce-only stop of another position and a tighter stop for the order', () => {
    const h = harness({ maxPortfolioHeat: 0.01 });
    h.quote(T0, '50.00', '50.00', BETA);
    passed(h.buy(50, { inst: BETA }));
    passed(h.sell(50, { inst: BETA, trigger: '40.00', reduceOnly: true })); // 50 × 10.00 = 500 at risk
    const deny = bracket(h, 51, '90.00'); // 500 + 510
    denied(h.outcome(deny.ok ? deny.order.clientOrderId : ''), 'PORTFOLIO_HEAT', /^portfolio heat would be 1010\.00 USD/);
    const pass = bracket(h, 50, '90.00'); // 500 + 500
    passed(h.outcome(pass.ok ? pass.order.clientOrderId : ''));
  });

  it("skips re-valuing the heat below the gross exposure only while no stop works: a short's stop far above the mark risks more than its value", () => {
    const h = harness({ maxPortfolioHeat: 0.01 }); // 1000.00
    h.quote(T0, '50.00', '50.00', BETA);
    passed(h.sell(5, { price: '100.00' })); // short 500.00 of ACME: gross exposure 500.00
    passed(h.buy(5, { trigger: '400.00', reduceOnly: true })); // its stop: 5 × 300.00 = 1500.00 at risk
    denied(h.buy(1, { inst: BETA }), 'PORTFOLIO_HEAT', /^portfolio heat would be 1501\.00 USD/); // + 2% of 50.00
  });

  it('falls back to a fraction of market value (default 2%) where there is no stop and no volatility estimate', () => {
    const h = harness({ maxPortfolioHeat: 0.01 });
    denied(h.buy(501, { price: '100.00' }), 'PORTFOLIO_HEAT', 'portfolio heat would be 1002.00 USD (1.00% of equity 100000.00 USD), above the limit 1.00%');
    passed(h.buy(500, { price: '100.00' }));
    const wide = harness({ maxPortfolioHeat: 0.01 }, { fallbackStopFraction: 0.05 });
    denied(wide.buy(201, { price: '100.00' }), 'PORTFOLIO_HEAT', /^portfolio heat would be 1005\.00 USD/);
    passed(wide.buy(200, { price: '100.00' }));
    for (const bad of [0, -0.1, 1.5, Number.NaN]) {
      expect(() => harness({ maxPortfolioHeat: 0.01 }, { fallbackStopFraction: bad })).toThrow(`fallbackStopFraction ${bad} must be a fraction in (0, 1]`);
    }
  });

  it('uses 2σ over a day of the volatility estimate instead of the fallback once it has enough samples', () => {
    const h = new RiskHarness({ limits: { maxPortfolioHeat: 0.5 } });
    const bars: Array<[number, string]> = [[1, '100.00'], [2, '101.00'], [3, '100.00'], [4, '102.00'], [5, '101.00'], [6, '100.00']];
    for (const [minute, close] of bars) h.bar(T0 + minute * MINUTE, close);
    expect(h.risk.volatility('ACME')).toBeDefined();
    expect(h.risk.volatility('BETA')).toBeUndefined();
    h.buy(100, { price: '100.00' });
    bars.push([10, '100.00']);
    h.bar(T0 + 10 * MINUTE, '100.00'); // fills the bid at the open, and is one more sample
    expect(h.net()).toBe('100');
    // Independent EWMA (λ = 0.94) of squared log returns per millisecond, scaled to a day.
    let rate: number | undefined;
    for (let i = 1; i < bars.length; i++) {
      const r = Math.log(Number(bars[i]![1]) / Number(bars[i - 1]![1]));
      const x = (r * r) / ((bars[i]![0] - bars[i - 1]![0]) * MINUTE);
      rate = rate === undefined ? x : 0.94 * rate + 0.06 * x;
    }
    const sigmaDay = Math.sqrt(rate! * 86_400_000);
    expect(h.risk.volatility('ACME')).toBeCloseTo(sigmaDay, 12);
    // 10,000.00 of market value × 2σ (as a fraction at 9 decimals), rounded down to the cent.
    const twoSigmaRaw = BigInt((2 * sigmaDay).toFixed(9).replace('.', ''));
    expect(h.risk.heatRaw()).toBe((1_000_000n * twoSigmaRaw) / 1_000_000_000n);
    expect(h.risk.heatRaw()).not.toBe(20_000n); // not the 2% fallback (200.00)
  });
});

describe('correlated concentration', () => {
  // ACME and BETA move together (0.9), XBT against them (−0.8), GAMMA on its own.
  const symbols = ['ACME', 'BETA', 'GAMMA', 'XBT'];
  const matrix = [
    [1, 0.9, 0.1, -0.8],
    [0.9, 1, 0.05, -0.75],
    [0.1, 0.05, 1, 0],
    [-0.8, -0.75, 0, 1],
  ];
  const correlation = () => ({ symbols, matrix });

  function withBook(limits: RiskLimits): RiskHarness {
    const h = harness({ maxCorrelatedShare: 0.5, ...limits }, { correlation, startingCash: '1000000' });
    h.quote(T0, '100.00', '100.00', BETA);
    h.quote(T0, '100.00', '100.00', GAMMA);
    h.quote(T0, '1000.0', '1000.0', XBT);
    return h;
  }

  it('lets the first position in a correlated group open (a lone name is no group)', () => {
    const h = withBook({});
    passed(h.buy(500, { inst: GAMMA }));
    passed(h.buy(300));
  });

  it('denies an order that pushes a correlated group above its share of gross exposure', () => {
    const h = withBook({});
    passed(h.buy(500, { inst: GAMMA })); // 50,000 uncorrelated
    passed(h.buy(300)); // ACME 30,000
    // BETA joins ACME's group: 50,000 of 100,000 is exactly 50% and passes; one share more does not.
    denied(h.buy(201, { inst: BETA }), 'CORRELATION_CONCENTRATION', 'exposure correlated with BETA would be 50.05% of gross exposure, above the limit 50.00%');
    passed(h.buy(200, { inst: BETA }));
    // A negative correlation concentrates as much as a positive one.
    denied(h.sell('0.100', { inst: XBT }), 'CORRELATION_CONCENTRATION', /^exposure correlated with XBT would be 50\.\d\d% of gross exposure, above the limit 50\.00%$/);
  });

  it('only groups names whose |correlation| reaches correlationThreshold', () => {
    const h = withBook({ correlationThreshold: 0.95 });
    passed(h.buy(500, { inst: GAMMA }));
    passed(h.buy(300));
    passed(h.buy(400, { inst: BETA }));
  });

  it('skips the check while the provider has no matrix or does not know the symbol', () => {
    let ready = false;
    const h = harness({ maxCorrelatedShare: 0.5 }, { startingCash: '1000000', correlation: () => (ready ? { symbols: ['BETA', 'GAMMA'], matrix: [[1, 0.9], [0.9, 1]] } : undefined) });
    h.quote(T0, '100.00', '100.00', BETA);
    passed(h.buy(100, { inst: BETA }));
    passed(h.buy(300)); // ACME is not in the matrix
    ready = true;
    passed(h.buy(300)); // still not in the matrix
    h.quote(T0, '100.00', '100.00', GAMMA);
    // GAMMA + BETA: 70,000 of 130,000.
    denied(h.buy(600, { inst: GAMMA }), 'CORRELATION_CONCENTRATION', 'exposure correlated with GAMMA would be 53.85% of gross exposure, above the limit 50.00%');
  });
});

describe('price sanity', () => {
  it('denies a limit price more than fatFingerBps from the last price, on both sides', () => {
    const h = harness({ fatFingerBps: 100 });
    passed(h.sell(1, { price: '101.00' })); // exactly 100 bps
    denied(h.sell(1, { price: '101.01' }), 'FAT_FINGER', 'price 101.01 is 101.0 bps from the last price 100.00 of ACME (limit 100 bps)');
    passed(h.buy(1, { price: '99.00' }));
    denied(h.buy(1, { price: '98.99' }), 'FAT_FINGER', 'price 98.99 is 101.0 bps from the last price 100.00 of ACME (limit 100 bps)');
  });

  it('checks stop trigger prices and a stop-limit price against the band', () => {
    const h = harness({ fatFingerBps: 100 });
    passed(h.buy(1, { trigger: '101.00' }));
    denied(h.buy(1, { trigger: '101.01' }), 'FAT_FINGER', 'price 101.01 is 101.0 bps from the last price 100.00 of ACME (limit 100 bps)');
    denied(h.sell(1, { trigger: '99.00', price: '98.50' }), 'FAT_FINGER', 'price 98.50 is 150.0 bps from the last price 100.00 of ACME (limit 100 bps)');
    passed(h.sell(1, { trigger: '99.50', price: '99.00' }));
  });

  it('passes a price exactly at the band for every whole number of basis points (no float drift)', () => {
    // 61 bps of 100.00 is 100.61, but (61 / 10000) × 10000 is 61.00000000000001 in floating point.
    for (const bps of [61, 79, 99, 119]) {
      const h = harness({ fatFingerBps: bps });
      const edge = (10_000 + bps) / 100;
      passed(h.sell(1, { price: edge.toFixed(2) }));
      denied(h.sell(1, { price: (edge + 0.01).toFixed(2) }), 'FAT_FINGER', new RegExp(`\\(limit ${bps} bps\\)$`));
    }
  });

  it('denies (and does not throw) when the last price is a half-tick mid of an odd spread', () => {
    const h = harness({ fatFingerBps: 100 });
    h.quote(T0 + SECOND, '100.00', '100.01'); // mid 100.005
    let outcome: Outcome | undefined;
    expect(() => (outcome = h.sell(1, { price: '102.00' }))).not.toThrow();
    denied(outcome!, 'FAT_FINGER', 'price 102.00 is 199.5 bps from the last price 100.005 of ACME (limit 100 bps)');
    passed(h.sell(1, { price: '101.00' }));
  });

  it("checks a bracket's exit prices with its entry, not after the entry has filled", () => {
    const h = harness({ fatFingerBps: 500 });
    const wide = h.submitBracket({ entry: h.request(ACME, 'BUY', 10, { price: '100.00' }), stopLoss: ACME.price('90.00'), takeProfit: ACME.price('104.00') });
    denied(h.outcome(wide.ok ? wide.order.clientOrderId : ''), 'FAT_FINGER', 'price 90.00 is 1000.0 bps from the last price 100.00 of ACME (limit 500 bps)');
    expect(h.net()).toBe('0');
    const ok = h.submitBracket({ entry: h.request(ACME, 'BUY', 10, { price: '100.00' }), stopLoss: ACME.price('95.00'), takeProfit: ACME.price('105.00') });
    passed(h.outcome(ok.ok ? ok.order.clientOrderId : ''));
    expect(h.net()).toBe('10');
    expect(h.working().venue.sort()).toEqual(['s1-2-SL', 's1-2-TP']);
    // Once admitted, the exits are placed even when the market has moved away from them.
    h.quote(T0 + SECOND, '110.00', '110.00', BETA);
    const late = h.submitBracket({ entry: h.request(BETA, 'BUY', 1, { price: '106.00' }), stopLoss: BETA.price('105.00'), takeProfit: BETA.price('115.50') });
    passed(h.outcome(late.ok ? late.order.clientOrderId : ''));
    h.quote(T0 + 2 * SECOND, '105.50', '105.50', BETA); // the entry fills at 106.00; its take-profit is now 948 bps away
    expect(h.net(BETA)).toBe('1');
    expect(h.working().venue.sort()).toEqual(['s1-2-SL', 's1-2-TP', 's1-3-SL', 's1-3-TP']);
    expect(h.denials).toHaveLength(1);
  });

  it('centres the band on the latest trade or bar close', () => {
    const h = harness({ fatFingerBps: 50 });
    h.trade(T0 + SECOND, '200.00');
    passed(h.sell(1, { price: '201.00' }));
    denied(h.sell(1, { price: '101.00' }), 'FAT_FINGER', /last price 200\.00 of ACME/);
    h.bar(T0 + MINUTE, '150.00');
    denied(h.sell(1, { price: '201.00' }), 'FAT_FINGER', /last price 150\.00 of ACME/);
  });

  it('denies new orders once the last market data is older than staleQuoteMs, by the clock', () => {
    const h = harness({ staleQuoteMs: 5000 });
    h.advanceTo(T0 + 5000);
    passed(h.buy(1));
    h.advanceTo(T0 + 5001);
    denied(h.buy(1), 'STALE_MARKET_DATA', 'last market data for ACME is 5001 ms old (limit 5000 ms)');
    denied(h.sell(1, { price: '100.00' }), 'STALE_MARKET_DATA', /5001 ms old/);
    h.quote(T0 + 6000, '100.00');
    passed(h.buy(1));
  });

  it('denies a market order before any market data, and any order when staleness is checked', () => {
    const h = new RiskHarness({ limits: {} });
    denied(h.buy(1), 'NO_MARKET_DATA', 'no market data for ACME yet');
    passed(h.buy(1, { price: '100.00' })); // priced by its limit, nothing to check it against
    const strict = new RiskHarness({ limits: { staleQuoteMs: 5000 } });
    denied(strict.buy(1, { price: '100.00' }), 'NO_MARKET_DATA', 'no market data for ACME yet');
  });
});

describe('order rate', () => {
  it('allows maxOrdersPerSecond orders in any second of clock time and frees the window after 1 s', () => {
    const h = harness({ maxOrdersPerSecond: 3 });
    passed(h.sell(1, { price: '101.00', strategy: 'a' }));
    passed(h.sell(1, { price: '101.00', strategy: 'b' }));
    passed(h.sell(1, { price: '101.00', strategy: 'c' }));
    denied(h.sell(1, { price: '101.00', strategy: 'd' }), 'ORDER_RATE', 'order rate limit 3/s reached');
    h.advanceTo(T0 + 999);
    denied(h.sell(1, { price: '101.00' }), 'ORDER_RATE', 'order rate limit 3/s reached');
    h.advanceTo(T0 + 1000);
    passed(h.sell(1, { price: '101.00' }));
  });

  it('limits each strategy separately with maxOrdersPerSecondPerStrategy', () => {
    const h = harness({ maxOrdersPerSecondPerStrategy: 2 });
    passed(h.sell(1, { price: '101.00', strategy: 's1' }));
    passed(h.sell(1, { price: '101.00', strategy: 's1' }));
    denied(h.sell(1, { price: '101.00', strategy: 's1' }), 'ORDER_RATE', 'order rate limit 2/s for strategy s1 reached');
    passed(h.sell(1, { price: '101.00', strategy: 's2' }));
    h.advanceTo(T0 + 1000);
    passed(h.sell(1, { price: '101.00', strategy: 's1' }));
  });

  it("does not throttle a bracket's exits when its entry fills: the position keeps its stop", () => {
    const h = harness({ maxOrdersPerSecondPerStrategy: 1, maxOrdersPerSecond: 1 });
    const r = h.submitBracket({ entry: h.request(ACME, 'BUY', 10, { price: '100.00' }), stopLoss: ACME.price('90.00'), takeProfit: ACME.price('110.00') });
    passed(h.outcome(r.ok ? r.order.clientOrderId : ''));
    expect(h.net()).toBe('10');
    expect(h.working().venue.sort()).toEqual(['s1-1-SL', 's1-1-TP']);
    denied(h.sell(1, { price: '120.00' }), 'ORDER_RATE', 'order rate limit 1/s reached');
  });

  it('throttles reducing orders too (only the new-risk checks are skipped)', () => {
    const h = harness({ maxOrdersPerSecond: 1 });
    passed(h.buy(5));
    denied(h.sell(5), 'ORDER_RATE', 'order rate limit 1/s reached');
  });
});

describe('rate window', () => {
  it('slides: each acquisition frees exactly windowMs after it was made', () => {
    const w = new RateWindow(3, 1000);
    expect([w.tryAcquire(0), w.tryAcquire(500), w.tryAcquire(900)]).toEqual([true, true, true]);
    expect(w.tryAcquire(999)).toBe(false);
    expect(w.tryAcquire(1000)).toBe(true); // the one at 0 has left
    expect(w.tryAcquire(1001)).toBe(false); // 500, 900, 1000 are in
    expect(w.tryAcquire(1500)).toBe(true);
  });

  it('equals a plain list of acquisition times for any limit and arrival times, across ring growth (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 400 }), (limit, gaps) => {
        const w = new RateWindow(limit, 1000);
        const kept: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          while (kept.length > 0 && now - kept[0]! >= 1000) kept.shift();
          const allowed = kept.length < limit;
          if (allowed) kept.push(now);
          expect(w.tryAcquire(now)).toBe(allowed);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('does not record refused attempts', () => {
    const w = new RateWindow(1, 1000);
    expect(w.tryAcquire(0)).toBe(true);
    for (let t = 1; t < 1000; t += 100) expect(w.tryAcquire(t)).toBe(false);
    expect(w.tryAcquire(1000)).toBe(true);
  });

  it('honours a rate below one per second (0.5/s is one order per 2 s)', () => {
    const half = new RateWindow(0.5, 1000);
    expect(half.tryAcquire(0)).toBe(true);
    expect(half.tryAcquire(1000)).toBe(false);
    expect(half.tryAcquire(1999)).toBe(false);
    expect(half.tryAcquire(2000)).toBe(true);
  });

  it('never lets a fractional rate above one through faster than configured (2.5/s allows 2 in any second)', () => {
    const w = new RateWindow(2.5, 1000);
    const times: number[] = [];
    for (let t = 0; t < 10_000; t += 50) if (w.tryAcquire(t)) times.push(t);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(2);
    expect(times.length).toBe(20);
  });

  it('takes a huge limit without reserving memory for it, and still counts exactly as its ring grows', () => {
    const w = new RateWindow(1e9, 1000);
    // 100 acquisitions in one millisecond grow the ring past its first size, oldest kept first.
    for (let i = 0; i < 100; i++) expect(w.tryAcquire(i / 100)).toBe(true);
    const tight = new RateWindow(40, 1000);
    for (let i = 0; i < 40; i++) expect(tight.tryAcquire(i)).toBe(true);
    expect(tight.tryAcquire(999)).toBe(false);
    expect(tight.tryAcquire(1000)).toBe(true); // the one at 0 has left
    expect(tight.tryAcquire(1000)).toBe(false);
    expect(tight.tryAcquire(1001)).toBe(true); // the one at 1 has left
  });
});

describe('volatility estimator', () => {
  it('reports nothing before five returns, then the EWMA variance rate scaled to the horizon', () => {
    const v = new VolatilityEstimator(0.94, 5);
    const prices = [100, 101, 99, 100, 102, 101];
    prices.slice(0, 5).forEach((p, i) => v.update(i * 1000, p));
    expect(v.sigma(1000)).toBeUndefined();
    v.update(5000, prices[5]!);
    let rate = 0;
    for (let i = 1; i < prices.length; i++) {
      const r = Math.log(prices[i]! / prices[i - 1]!);
      rate = i === 1 ? (r * r) / 1000 : 0.94 * rate + 0.06 * ((r * r) / 1000);
    }
    expect(v.sigma(1000)).toBeCloseTo(Math.sqrt(rate * 1000), 15);
    expect(v.sigma(4000)).toBeCloseTo(2 * Math.sqrt(rate * 1000), 15);
  });

  it('ignores non-positive prices and samples that do not move time forward', () => {
    const a = new VolatilityEstimator();
    const b = new VolatilityEstimator();
    [100, 101, 99, 100, 102, 101].forEach((p, i) => {
      a.update(i * 1000, p);
      b.update(i * 1000, p);
      b.update(i * 1000, 500); // same timestamp
      b.update(i * 1000 - 1, 1); // older
      b.update(i * 1000 + 1, 0); // not a price
    });
    expect(b.sigma(1000)).toBe(a.sigma(1000));
  });
});

describe('unknown instruments and the way denials travel', () => {
  it('denies an instrument the engine does not know before it reaches the risk engine or the venue', () => {
    const h = harness({ maxOrderQty: '10' });
    const r = h.submit({ instrumentId: 'NOPE', side: 'BUY', type: 'LIMIT', quantity: ACME.quantity(1), price: ACME.price('1.00') });
    expect(r.ok).toBe(true);
    const id = r.ok ? r.order.clientOrderId : '';
    denied(h.outcome(id), 'UNKNOWN_INSTRUMENT', 'instrument NOPE is unknown');
    expect(h.exchange.queryOrder(id)).toBeUndefined();
  });

  it('denies an instrument the risk engine was not given, with UNKNOWN_INSTRUMENT', () => {
    const clock = new SimulatedClock(T0);
    const exchange = new SimulatedExchange({ clock, instruments: [ACME, BETA], startingCash: usd('100000') });
    const engine = new TradingEngine({ clock, instruments: [ACME, BETA], initialCapital: usd('100000'), venue: exchange });
    const risk = new RiskEngine({ bus: engine.bus, clock, portfolio: engine.portfolio, execution: engine.execution, market: engine.market, instruments: [ACME], limits: {} });
    engine.setGate(risk);
    engine.start();
    const denials: string[] = [];
    engine.bus.subscribe('order.event', (e) => e.type === 'OrderDenied' && denials.push(`${e.reason}: ${e.message}`));
    engine.run(() => engine.execution.submit('s1', { instrumentId: 'BETA', side: 'BUY', type: 'LIMIT', quantity: BETA.quantity(1), price: BETA.price('1.00') }));
    expect(denials).toEqual(['UNKNOWN_INSTRUMENT: instrument BETA is unknown']);
    expect(exchange.workingOrders()).toEqual([]);
  });

  it('keeps denied orders away from the venue and counts denials by reason in the summary', () => {
    const h = harness({ maxOrderQty: '5', fatFingerBps: 100 });
    const a = h.buy(6, { price: '100.00' });
    const b = h.buy(7, { price: '100.00' });
    const c = h.sell(1, { price: '150.00' });
    for (const o of [a, b, c]) expect(h.exchange.queryOrder(o.id)).toBeUndefined();
    expect(h.risk.summary().denials).toEqual({ MAX_ORDER_QTY: 2, FAT_FINGER: 1 });
    expect(h.denials.map((d) => d.reason)).toEqual(['MAX_ORDER_QTY', 'MAX_ORDER_QTY', 'FAT_FINGER']);
  });
});

describe('summary', () => {
  it('reports each configured limit with its current usage, the state and the equity marks', () => {
    const h = harness({ maxGrossExposure: '50000.00', maxNetExposure: '40000.00', dailyLossLimit: 0.02, maxDrawdown: 0.1, maxPortfolioHeat: 0.05, maxOpenPositions: 4 });
    h.quote(T0, '50.00', '50.00', BETA);
    passed(h.buy(300)); // 30,000 long
    passed(h.sell(100, { inst: BETA })); // 5,000 short
    h.bar(T0 + MINUTE, '99.00'); // ACME marked down: 29,700 long, equity 99,700
    const s = h.risk.summary();
    expect(s.state).toBe('ACTIVE');
    expect([s.equity, s.dayStartEquity, s.peakEquity]).toEqual(['99700.00 USD', '100000.00 USD', '100000.00 USD']);
    const byName = Object.fromEntries(s.limits.map((l) => [l.name, [l.current, l.limit, l.usage]]));
    expect(byName).toEqual({
      grossExposure: ['34700.00 USD', '50000.00 USD', 0.694],
      netExposure: ['24700.00 USD', '40000.00 USD', 0.6175],
      dailyLoss: ['300.00 USD', '2000.00 USD', 0.15],
      drawdown: ['300.00 USD', '10000.00 USD', 0.03],
      // No stops, no volatility yet: 2% of 29,700 + 2% of 5,000 = 694.00 of 5% × 99,700.
      portfolioHeat: ['694.00 USD', '4985.00 USD', 0.1392],
      openPositions: ['2', '4', 0.5],
    });
    expect(s.activeAlerts).toEqual([]);
  });
});
