/**
 * StopManager on a real TradingEngine + SimulatedExchange + SimulatedClock: the protective stop's
 * price from ATR, σ and the fallback; trailing that only tightens, once per bar or interval;
 * break-even; the stop filling; resizing, canceling and replacing it as the position changes;
 * and no duplicate when a bracket already protects the position.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACME, type BarSpec, Harness, MINUTE, T0, px, qty } from '../execution/test-fixtures.js';
import type { RiskAction } from './trading-state.js';
import { AverageTrueRange, STOP_TAG, StopManager, type StopManagerOptions } from './stops.js';

let harnesses: Harness[] = [];
afterEach(() => {
  for (const h of harnesses) h.checkInvariants();
  harnesses = [];
});

function setUp(opts: Partial<StopManagerOptions> = {}) {
  const h = new Harness({ instruments: [ACME] });
  harnesses.push(h);
  const actions: RiskAction[] = [];
  h.engine.bus.subscribe('risk.action', (a) => actions.push(a));
  const stops = new StopManager({ engine: h.engine, k: 2, atrPeriod: 3, ...opts });
  let n = 0;
  const bar = (open: string, high: string, low: string, close: string) => {
    n++;
    return h.bar(T0 + n * MINUTE, { open, high, low, close } satisfies BarSpec);
  };
  const trigger = () => stops.stopOrder('ACME')?.triggerPrice?.toString();
  return { h, stops, actions, bar, trigger, summary: () => actions.map((a) => `${a.action} ${a.detail}`) };
}

/** Three bars with a true range of 2.00 each (ATR 2.00), a market buy of 10, and the bar that fills it at 100.00. */
function openLong(t: ReturnType<typeof setUp>, side: 'BUY' | 'SELL' = 'BUY') {
  for (let i = 0; i < 3; i++) t.bar('100.00', '101.00', '99.00', '100.00');
  t.h.submit({ instrumentId: 'ACME', side, type: 'MARKET', quantity: qty(10) });
  if (side === 'BUY') t.bar('100.00', '101.50', '99.50', '101.00');
  else t.bar('100.00', '100.50', '98.50', '99.00');
}

describe('AverageTrueRange', () => {
  it("averages the first period's true ranges, then smooths like Wilder, counting gaps from the previous close", () => {
    const atr = new AverageTrueRange(3);
    const b = (o: string, hi: string, lo: string, c: string) => ({ kind: 'bar' as const, instrumentId: 'ACME', intervalMs: MINUTE, open: px(o), high: px(hi), low: px(lo), close: px(c), volume: qty(0), ts: 0 });
    atr.update(b('100', '101', '99', '100')); // TR 2
    atr.update(b('100', '102', '99', '101')); // TR max(3, 2, 1) = 3
    expect(atr.valueRaw()).toBeUndefined();
    atr.update(b('101', '101.5', '100.5', '101')); // TR 1 -> ATR 2
    expect(atr.valueRaw()).toBe(200);
    atr.update(b('105', '106', '105', '105.5')); // gap: TR max(1, 5, 4) = 5 -> (2 × 2 + 5) / 3 = 3
    expect(atr.valueRaw()).toBe(300);
    expect(() => new AverageTrueRange(0)).toThrow('ATR period 0 must be a positive integer');
  });
});

describe('StopManager with bar data', () => {
  it('places a reduce-only stop 2 × ATR below the entry, trails it up on each bar, never down, and the stop closes the position', () => {
    const t = setUp();
    openLong(t);
    expect(t.h.net()).toBe('10');
    const stop = t.stops.stopOrder('ACME')!;
    // ATR 2.00 before the fill: 100.00 − 2 × 2.00.
    expect([stop.side, stop.type, stop.quantity.toString(), stop.triggerPrice?.toString(), stop.reduceOnly, stop.strategyId, stop.tags]).toEqual([
      'SELL',
      'STOP_MARKET',
      '10',
      '96.00',
      true,
      'risk',
      [STOP_TAG],
    ]);
    expect(stop.status).toBe('ACCEPTED');
    expect(t.actions[0]).toMatchObject({ action: 'PLACE_STOP', symbol: 'ACME', reason: 'protective stop for LONG 10 ACME at 2 × ATR 2.00 from 100.00', ts: T0 + 4 * MINUTE });
    // The placement bar (high 101.50) does not trail.
    expect(t.trigger()).toBe('96.00');

    t.bar('101.00', '103.00', '101.00', '102.50'); // TR 2, ATR 2: best 103.00 − 4.00
    expect(t.trigger()).toBe('99.00');
    t.bar('102.50', '104.00', '99.50', '100.00'); // TR 4.5, ATR 2.83: 104.00 − 5.67 = 98.33 would loosen
    expect(t.stops.atr('ACME')).toBeCloseTo(8.5 / 3, 12);
    expect(t.trigger()).toBe('99.00');
    expect(t.summary()).toEqual(['PLACE_STOP SELL 10 STOP_MARKET @96.00', 'AMEND_STOP SELL 10 STOP_MARKET @96.00 -> @99.00']);

    t.bar('100.00', '100.50', '98.00', '98.50'); // through the stop: fills at its trigger 99.00
    const id = stop.clientOrderId;
    expect(t.h.status(id)).toBe('FILLED');
    expect(t.h.fillSummary(id)).toEqual([['10', '99.00', 'TAKER', '0.99']]);
    expect(t.h.net()).toBe('0');
    expect(t.stops.stopOrder('ACME')).toBeUndefined();
    expect(t.h.execution.workingOrders()).toEqual([]);
    expect(t.actions).toHaveLength(2);
  });

  it('mirrors a short: stop above the entry, trailing down', () => {
    const t = setUp();
    openLong(t, 'SELL');
    expect(t.h.net()).toBe('-10');
    expect([t.stops.stopOrder('ACME')?.side, t.trigger()]).toEqual(['BUY', '104.00']);
    // After the close of 99.00: TR max(2.5, 0, 2.5) = 2.5 -> ATR (2 × 2 + 2.5) / 3 = 2.1667, 2 × ATR = 4.3333
    // -> 4.34 above the low of 96.50
    t.bar('99.00', '99.00', '96.50', '97.50');
    expect(t.trigger()).toBe('100.84');
    // TR 2.5 -> ATR 2.2778: 96.50 + 4.56 = 101.06 would loosen the stop
    t.bar('97.50', '100.00', '97.50', '99.50');
    expect(t.trigger()).toBe('100.84');
  });

  it('moves the stop to break-even once the gain reaches 1 R, and the stop then exits flat', () => {
    const t = setUp({ trail: false, breakEvenR: 1 });
    openLong(t);
    expect(t.trigger()).toBe('96.00'); // R = 4.00
    t.bar('101.00', '103.00', '101.00', '102.50'); // +3.00: under 1 R
    expect(t.trigger()).toBe('96.00');
    t.bar('102.50', '104.50', '102.00', '104.00'); // +4.50 = 1.125 R
    expect(t.trigger()).toBe('100.00');
    expect(t.actions[1]).toMatchObject({ action: 'AMEND_STOP', reason: 'break-even after a gain of 1.13 R' });
    t.bar('104.00', '105.00', '103.00', '104.50');
    expect(t.actions).toHaveLength(2);
    const id = t.stops.stopOrder('ACME')!.clientOrderId;
    t.bar('101.00', '101.00', '99.00', '99.50');
    expect(t.h.fillSummary(id)).toEqual([['10', '100.00', 'TAKER', '1.00']]);
    expect(t.h.net()).toBe('0');
  });

  it('resizes the stop when the position shrinks and cancels it when the position is closed otherwise', () => {
    const t = setUp({ trail: false });
    openLong(t);
    const id = t.stops.stopOrder('ACME')!.clientOrderId;
    t.h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'MARKET', quantity: qty(4) });
    t.bar('101.00', '101.50', '100.50', '101.00');
    expect(t.h.net()).toBe('6');
    expect(t.h.execution.status(id)?.quantity.toString()).toBe('6');
    expect(t.h.exchange.queryOrder(id)?.status).toBe('ACCEPTED');
    t.h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'MARKET', quantity: qty(6) });
    t.bar('101.00', '101.50', '100.50', '101.00');
    expect(t.h.net()).toBe('0');
    expect(t.h.status(id)).toBe('CANCELED');
    expect(t.h.execution.workingOrders()).toEqual([]);
    expect(t.summary()).toEqual(['PLACE_STOP SELL 10 STOP_MARKET @96.00', 'AMEND_STOP SELL 6 STOP_MARKET @96.00', 'AMEND_STOP cancel SELL 6 STOP_MARKET @96.00']);
    expect(t.actions[2]!.reason).toBe('position in ACME closed');
  });

  it('replaces the stop on the other side when the position reverses', () => {
    const t = setUp({ trail: false });
    openLong(t);
    const first = t.stops.stopOrder('ACME')!.clientOrderId;
    t.h.submit({ instrumentId: 'ACME', side: 'SELL', type: 'MARKET', quantity: qty(20) });
    t.bar('102.00', '102.50', '101.50', '102.00'); // sells 20 at 102.00: short 10
    expect(t.h.net()).toBe('-10');
    expect(t.h.status(first)).toBe('CANCELED');
    const second = t.stops.stopOrder('ACME')!;
    // ATR 2.00 from the bars before the fill: 102.00 + 4.00
    expect([second.side, second.quantity.toString(), second.triggerPrice?.toString()]).toEqual(['BUY', '10', '106.00']);
  });

  it('leaves a bracket-protected position alone, and protects it once the bracket stop is canceled', () => {
    const t = setUp();
    for (let i = 0; i < 3; i++) t.bar('100.00', '101.00', '99.00', '100.00');
    const entry = t.h.id(t.h.submitBracket({ entry: { instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(10) }, stopLoss: px('95.00'), takeProfit: px('110.00') }));
    t.bar('100.00', '101.50', '99.50', '101.00');
    expect(t.h.net()).toBe('10');
    expect(t.actions).toEqual([]);
    expect(t.h.execution.workingOrders().map((o) => o.clientOrderId).sort()).toEqual([`${entry}-SL`, `${entry}-TP`]);
    t.h.cancel(`${entry}-SL`);
    expect(t.summary()).toEqual(['PLACE_STOP SELL 10 STOP_MARKET @96.00']);
    expect(t.stops.stopOrder('ACME')?.status).toBe('ACCEPTED');
  });
});

describe('StopManager with quote data', () => {
  const quote = (h: Harness, ts: number, mid: number) => h.quote(ts, { bid: (mid - 0.01).toFixed(2), ask: (mid + 0.01).toFixed(2) });

  it('uses the fallback fraction without volatility, and trails once per interval however many ticks arrive', () => {
    const t = setUp({ fallbackFraction: 0.02, intervalMs: 60_000 });
    quote(t.h, T0 + 1000, 100);
    t.h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(10) }); // 100.01
    // 2% of the mark 100.00 = 2.00 below the entry 100.01
    expect(t.trigger()).toBe('98.01');
    for (let i = 1; i <= 100; i++) quote(t.h, T0 + 1000 + i * 500, 100 + 0.03 * i); // up to 103.00 by T0 + 51 s
    expect(t.actions).toHaveLength(1);
    t.h.advanceTo(T0 + 60_000);
    // best 103.00 − 2% of 103.00 = 100.94
    expect(t.trigger()).toBe('100.94');
    for (let i = 1; i <= 100; i++) quote(t.h, T0 + 60_000 + i * 500, 103 - 0.015 * i); // down to 101.50
    t.h.advanceTo(T0 + 120_000);
    expect(t.trigger()).toBe('100.94');
    expect(t.summary()).toEqual(['PLACE_STOP SELL 10 STOP_MARKET @98.01', 'AMEND_STOP SELL 10 STOP_MARKET @98.01 -> @100.94']);
  });

  it("uses the risk engine's σ, and places nothing while trading is halted", () => {
    const risk = { volatility: (_id: string, horizonMs?: number) => (horizonMs === 3_600_000 ? 0.01 : undefined), tradingState: 'ACTIVE' as 'ACTIVE' | 'HALTED' };
    const t = setUp({ risk, sigmaHorizonMs: 3_600_000 });
    quote(t.h, T0 + 1000, 100);
    t.h.submit({ instrumentId: 'ACME', side: 'BUY', type: 'MARKET', quantity: qty(10) });
    // 2 × 1% × 100.00 = 2.00
    expect(t.trigger()).toBe('98.01');
    expect(t.actions[0]!.reason).toBe('protective stop for LONG 10 ACME at 2 × σ 1.00% from 100.01');

    risk.tradingState = 'HALTED';
    t.h.cancel(t.stops.stopOrder('ACME')!.clientOrderId);
    t.h.advanceTo(T0 + 120_000);
    expect(t.stops.stopOrder('ACME')).toBeUndefined();
    risk.tradingState = 'ACTIVE';
    t.h.advanceTo(T0 + 180_000);
    expect(t.trigger()).toBe('98.01');
  });
});
