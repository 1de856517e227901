import { describe, expect, it, vi } from 'vitest';
import { ValueError } from '../core/errors.js';
import type { PerformanceSnapshot } from './snapshot.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import { PerformanceMonitor } from './performance-monitor.js';
import { DrawdownTracker } from './stats/drawdown.js';
import { attachPerformanceMonitor } from './backtest-report.js';
import { HOUR_MS, ScriptedStrategy, T0, bar, drive, maxQtyGate, rig, testInstrument, type ScriptStep } from './scenario.fixture.js';

/*
 * Scenario "scripted bars": hourly bars of TEST-USD and ALT-USD from 2026-01-05T00:00Z (bar k at
 * T0 + k h, TEST dispatched before ALT), taker fee 0.1%, capital 10,000 USD. Strategy A trades
 * TEST by script; strategy B buys 10 ALT once without a signal. A gate denies orders above 10.
 * Every expected figure below was computed independently by src/analytics/testdata/scenario_expected.py (Python,
 * numpy, decimal), reproduced in the comment at the end of this file; hand checks are noted.
 */
const TEST_BARS: ReadonlyArray<[number, number]> = [
  [100, 100], [100, 101], [102, 104], [105, 106], [107, 106], [105, 104], [103, 101],
  [100, 99], [98, 99], [100, 101], [101, 103], [102, 100], [99, 98], [98, 97],
];
const SCRIPT_A: Record<number, ScriptStep> = {
  0: { signal: { type: 'breakout', direction: 'LONG', confidence: 0.9 }, order: { side: 'BUY', qty: 20 } }, // denied
  1: { signal: { type: 'breakout', direction: 'LONG', confidence: 0.85 }, order: { side: 'BUY', qty: 10 } }, // fills bar 2 @102
  4: { signal: { type: 'take_profit', direction: 'FLAT', confidence: 0.5 }, order: { side: 'SELL', qty: 10 } }, // bar 5 @105: +27.93 net
  5: { signal: { type: 'reversal', direction: 'SHORT', confidence: 0.3 }, order: { side: 'SELL', qty: 10 } }, // bar 6 @103
  7: { order: { side: 'BUY', qty: 10 } }, // no new signal: still 'reversal'; bar 8 @98: +47.99 net
  8: { order: { side: 'BUY', qty: 30 } }, // denied, booked to 'reversal'
  9: { signal: { type: 'breakout', direction: 'LONG', confidence: 0.7 }, order: { side: 'BUY', qty: 10, delayMs: 30_000 } }, // bar 10 @101
  11: { signal: { type: 'take_profit', direction: 'FLAT', confidence: 0.5 }, order: { side: 'SELL', qty: 10 } }, // bar 12 @99: −22.00 net
  12: { signal: { type: 'breakout', direction: 'LONG', confidence: 0.95 }, order: { side: 'BUY', qty: 10 } }, // bar 13 @98, left open
};
const SCRIPT_B: Record<number, ScriptStep> = { 2: { order: { side: 'BUY', qty: 10 } } }; // bar 3 @50

function runScenario(): { monitor: PerformanceMonitor; snap: PerformanceSnapshot; r: ReturnType<typeof rig> } {
  const test = testInstrument('TEST-USD');
  const alt = testInstrument('ALT-USD');
  const r = rig([test, alt], [new ScriptedStrategy('A', test.id, SCRIPT_A), new ScriptedStrategy('B', alt.id, SCRIPT_B)]);
  r.engine.setGate(maxQtyGate(10));
  const monitor = PerformanceMonitor.attach(r.engine, {
    equitySampleMs: HOUR_MS,
    riskFreeRate: 0.02,
    timeZone: 'America/New_York',
    maxEquityPoints: 10,
    maxPricePoints: 10,
    maxLatencyUs: 1e10,
    publishIntervalMs: 0,
  });
  const records = TEST_BARS.flatMap(([o, c], k) => [bar(test, T0 + k * HOUR_MS, o, c), bar(alt, T0 + k * HOUR_MS, 50, 50)]);
  drive(r, T0, records);
  return { monitor, snap: monitor.snapshot(), r };
}

const T = (k: number): number => T0 + k * HOUR_MS;

/** Counts the monitor's reads of portfolio equity, settled or peeked: a function returning the count so far. */
function spyOnEquityReads(portfolio: Portfolio): () => number {
  const settled = vi.spyOn(portfolio, 'equityRaw');
  const peeked = vi.spyOn(portfolio, 'peekEquityExact');
  return () => settled.mock.calls.length + peeked.mock.calls.length;
}

/** Another component's order, without a signal: a sell of one unit far above the market, so it rests. */
function placeRestingSell(r: ReturnType<typeof rig>, strategyId: string): void {
  const inst = r.instruments[0]!;
  r.engine.execution.submit(strategyId, { instrumentId: inst.id, side: 'SELL', type: 'LIMIT', quantity: inst.quantity(1), price: inst.price(1000), timeInForce: 'GTC' });
}

describe('PerformanceMonitor on a scripted backtest', () => {
  const { monitor, snap, r } = runScenario();

  it('reports P&L in total, per instrument and per strategy (exact decimals)', () => {
    const p = snap.pnl;
    // Hand check: realized 30 + 50 − 20 = 60; fees 7.06 (TEST) + 0.50 (ALT); TEST long 10 @98 marked 97.
    expect(p).toMatchObject({
      currency: 'USD',
      initialCapital: '10000.00',
      equity: '10042.44',
      cash: '8572.44',
      realized: '60.00',
      unrealized: '-10.00',
      fees: '7.56',
      total: '42.44',
      grossExposure: '1470.00',
      openPositions: 2,
    });
    expect(p.totalReturn).toBeCloseTo(0.004244, 12);
    expect(p.byInstrument).toEqual([
      { instrumentId: 'TEST-USD', quantity: '10', markPx: '97.00', lastDataAt: T(13), realized: '60.00', unrealized: '-10.00', fees: '7.06', total: '42.94', fills: 7, volume: '7060.00', trades: 3 },
      { instrumentId: 'ALT-USD', quantity: '10', markPx: '50.00', lastDataAt: T(13), realized: '0.00', unrealized: '0.00', fees: '0.50', total: '-0.50', fills: 1, volume: '500.00', trades: 0 },
    ]);
    expect(p.byStrategy).toEqual([
      {
        strategyId: 'A', realized: '60.00', unrealized: '-10.00', fees: '7.06', total: '42.94', closedNetPnl: '53.92',
        fills: 7, volume: '7060.00', trades: 3, wins: 2, signals: 7, ordersCreated: 9, ordersWithoutSignal: 0, ordersDenied: 2,
      },
      {
        strategyId: 'B', realized: '0.00', unrealized: '0.00', fees: '0.50', total: '-0.50', closedNetPnl: '0.00',
        fills: 1, volume: '500.00', trades: 0, wins: 0, signals: 0, ordersCreated: 1, ordersWithoutSignal: 1, ordersDenied: 0,
      },
    ]);
  });

  it("keeps today's P&L against the equity at the local day boundary (America/New_York)", () => {
    // 2026-01-05 begins at 05:00Z (EST); the equity then is the equity after bar 4: 10038.48.
    expect(snap.pnl.today).toEqual({ day: '2026-01-05', startedAt: T(5), startEquity: '10038.48', pnl: '3.96', return: expect.closeTo(0.00039448203313649077, 14) });
  });

  it('samples the equity curve on the clock grid and after fills, the whole run thinned to about N points', () => {
    const e = snap.equity;
    expect(e).toMatchObject({ points: 23, pointsRetained: 12, maxPoints: 10, firstTs: T0, lastTs: T(13), lastEquity: '10042.44', highWaterMark: '10094.41', drawdown: '51.97' });
    // The 23 points p0..p22, in order (a fill sample is the equity once the instant's bars are
    // handled, marked at their closes): T0 10000 (start), T1 10000, T2 10000, T2 10018.98 (fill),
    // T3 10018.98, T3 10038.48 (fill), T4 10038.48, T5 10038.48, T5 10027.43 (fill), T6 10027.43,
    // T6 10046.40 (fill), T7 10046.40, T8 10066.40, T8 10075.42 (fill), T9 10075.42, T10 10075.42,
    // T10 10094.41 (fill), T11 10094.41, T12 10064.41, T12 10053.42 (fill), T13 10053.42,
    // T13 10042.44 (fill), T13 10042.44 (stop).
    // p10 finds the store (10) full: p0 stays, and of p1–p4, p5–p8, p9 the low and high stay
    // (p1, p3; p5, p8; p9); then buckets of two add their low and high: p11, p12; p13 (= p14).
    // p15 fills it again: p0; p1, p5 of p1 p3 p5 p8; p9, p12 of p9–p12; p13. Then p15, p16 as
    // the last bucket of two, a bucket of four p17–p20 adds p17 (high) and p19 (low, first of the
    // equal p19 p20), and the open bucket shows p21 (its low and high) and p22 (its last).
    expect(monitor.equityPoints()).toEqual([
      { ts: T0, value: 10000 }, // first, and the run's low
      { ts: T(1), value: 10000 },
      { ts: T(3), value: 10038.48 },
      { ts: T(6), value: 10027.43 },
      { ts: T(8), value: 10066.4 },
      { ts: T(8), value: 10075.42 },
      { ts: T(10), value: 10075.42 },
      { ts: T(10), value: 10094.41 }, // the run's high (high-water mark)
      { ts: T(11), value: 10094.41 },
      { ts: T(12), value: 10053.42 },
      { ts: T(13), value: 10042.44 },
      { ts: T(13), value: 10042.44 }, // stop
    ]);
    const dd = monitor.drawdownPoints();
    expect(dd[0]).toEqual({ ts: T0, value: 0 });
    expect(dd.at(-1)!.value).toBeCloseTo(51.97 / 10094.41, 12); // the deepest, at the stop
    expect(dd.length).toBeLessThanOrEqual(10 + 3);
  });

  it('tracks high-water mark, drawdown depth, duration and time to recovery', () => {
    const e = snap.equity;
    expect(e.drawdownFraction).toBeCloseTo(0.005148394012131402, 12);
    expect(e.drawdownDurationMs).toBe(2 * HOUR_MS);
    expect(e.longestDrawdownDurationMs).toBe(2 * HOUR_MS);
    expect(e.maxDrawdown).toEqual({ amount: '51.97', fraction: expect.closeTo(0.005148394012131402, 12), peakTs: T(11), troughTs: T(13), recoveryTs: null, timeToRecoveryMs: null });
  });

  it('computes returns statistics from the grid samples with the stated annualization', () => {
    expect(snap.conventions).toMatchObject({ equitySampleMs: HOUR_MS, periodsPerYear: 8760, periodsPerYearSource: 'derived', riskFreeRate: 0.02, timeZone: 'America/New_York', currency: 'USD', medianHoldingWindow: 1000 });
    const x = snap.returns;
    expect(x.periods).toBe(14);
    expect(x.mean).toBeCloseTo(0.0003036340188245422, 14);
    expect(x.std).toBeCloseTo(0.0015298703479278335, 14);
    expect(x.volatility).toBeCloseTo(0.14318801886214835, 11);
    expect(x.sharpe).toBeCloseTo(18.436137505641735, 8);
    expect(x.downsideDeviation).toBeCloseTo(0.0009422366077282627, 14);
    expect(x.sortino).toBeCloseTo(30.160775742203658, 8);
    expect(x.best).toBeCloseTo(0.001990762860328177, 14);
    expect(x.worst).toBeCloseTo(-0.0029719418965545863, 14);
    expect(x.totalReturn).toBeCloseTo(0.004244, 12);
    expect(x.annualizedReturn).toBeCloseTo(13.152797159983114, 7);
    expect(x.calmar).toBeCloseTo(2554.737871458665, 4);
  });

  it('computes round-trip statistics from position.closed', () => {
    expect(snap.trades).toEqual({
      count: 3,
      wins: 2,
      losses: 1,
      breakeven: 0,
      winRate: expect.closeTo(2 / 3, 14),
      netPnl: '53.92',
      averageWin: '37.96',
      averageLoss: '-22.00',
      largestWin: '47.99',
      largestLoss: '-22.00',
      profitFactor: expect.closeTo(3.450909090909091, 12),
      expectancy: '17.97',
      averageReturn: expect.closeTo(0.017397469244354476, 14),
      maxConsecutiveWins: 2,
      maxConsecutiveLosses: 1,
      currentStreak: -1,
      averageHoldingMs: 8_400_000, // (3 h + 2 h + 2 h) / 3
      medianHoldingMs: 7_200_000,
      tradesPerHour: expect.closeTo(0.3, 12), // 3 trades from the first entry (02:00Z) to the last exit (12:00Z)
      tradesPerDay: expect.closeTo(7.2, 12),
    });
  });

  it('counts orders, fills and denials by reason', () => {
    expect(snap.orders).toEqual({ created: 10, fills: 8, denied: 2, deniedByReason: { MAX_ORDER_QTY: 2 }, rejected: 0, rejectedByReason: {}, canceled: 0, expired: 0, tracked: 0 });
  });

  it('attributes orders, denials and trade outcomes to the most recent signal', () => {
    const empty = (lower: number, upper: number) => ({ lower, upper, signals: 0, outcomes: 0, wins: 0, hitRate: null });
    expect(snap.signals).toEqual([
      {
        strategy: 'A',
        signalType: 'breakout',
        signals: 4,
        ordersCreated: 4,
        ordersDenied: 1,
        deniedByReason: { MAX_ORDER_QTY: 1 },
        won: 1,
        lost: 1,
        averageReturnPerSignal: expect.closeTo(0.001400043680838672, 14),
        averageReturnPerTrade: expect.closeTo(0.002800087361677344, 14),
        hitRate: 0.5,
        byConfidence: [
          empty(0, 0.2),
          empty(0.2, 0.4),
          empty(0.4, 0.6),
          { lower: 0.6, upper: 0.8, signals: 1, outcomes: 1, wins: 0, hitRate: 0 },
          { lower: 0.8, upper: 1, signals: 3, outcomes: 1, wins: 1, hitRate: 1 },
        ],
      },
      {
        strategy: 'A',
        signalType: 'take_profit',
        signals: 2,
        ordersCreated: 2,
        ordersDenied: 0,
        deniedByReason: {},
        won: 0,
        lost: 0,
        averageReturnPerSignal: 0,
        averageReturnPerTrade: null,
        hitRate: null,
        byConfidence: [empty(0, 0.2), empty(0.2, 0.4), { lower: 0.4, upper: 0.6, signals: 2, outcomes: 0, wins: 0, hitRate: null }, empty(0.6, 0.8), empty(0.8, 1)],
      },
      {
        strategy: 'A',
        signalType: 'reversal',
        signals: 1,
        ordersCreated: 3,
        ordersDenied: 1,
        deniedByReason: { MAX_ORDER_QTY: 1 },
        won: 1,
        lost: 0,
        averageReturnPerSignal: expect.closeTo(0.04659223300970874, 14),
        averageReturnPerTrade: expect.closeTo(0.04659223300970874, 14),
        hitRate: 1,
        byConfidence: [empty(0, 0.2), { lower: 0.2, upper: 0.4, signals: 1, outcomes: 1, wins: 1, hitRate: 1 }, empty(0.4, 0.6), empty(0.6, 0.8), empty(0.8, 1)],
      },
    ]);
  });

  it('buckets trades by close time and fills by fill time in market (clock) time, local to the zone', () => {
    const b = snap.buckets;
    expect(b.timeZone).toBe('America/New_York');
    const hour = (h: number) => b.byHour[h]!;
    // Closes at 05:00Z, 08:00Z, 12:00Z = 00:00, 03:00, 07:00 EST.
    expect(hour(0)).toEqual({ hour: 0, pnl: '27.93', trades: 1, wins: 1, winRate: 1, fills: 1, volume: '1050.00' });
    expect(hour(3)).toEqual({ hour: 3, pnl: '47.99', trades: 1, wins: 1, winRate: 1, fills: 1, volume: '980.00' });
    expect(hour(7)).toEqual({ hour: 7, pnl: '-22.00', trades: 1, wins: 0, winRate: 0, fills: 1, volume: '990.00' });
    expect(hour(21)).toEqual({ hour: 21, pnl: '0.00', trades: 0, wins: 0, winRate: null, fills: 1, volume: '1020.00' });
    expect(hour(22)).toEqual({ hour: 22, pnl: '0.00', trades: 0, wins: 0, winRate: null, fills: 1, volume: '500.00' });
    expect(b.byHour.reduce((n, h) => n + h.fills, 0)).toBe(8);
    expect(b.byDay).toEqual([
      { day: '2026-01-04', pnl: '0.00', trades: 0, wins: 0, winRate: null, fills: 2, volume: '1520.00' },
      { day: '2026-01-05', pnl: '53.92', trades: 3, wins: 2, winRate: expect.closeTo(2 / 3, 14), fills: 6, volume: '6040.00' },
    ]);
  });

  it('measures latencies in clock time', () => {
    const h = snap.health;
    // Nine orders are decided on the bar that triggered them (0 µs); one 30 s later on a timer.
    expect(h.tickToOrderUs).toMatchObject({ count: 10, min: 0, max: 30_000_000 });
    expect(h.tickToOrderUs.p50!).toBeLessThan(1.01); // resolution: values below 1 µs share the lowest bucket
    // Each fill comes on the next bar's open: 3600 s after the order, 3570 s for the delayed one.
    expect(h.orderToFillUs).toMatchObject({ count: 8, min: 3.57e9, max: 3.6e9, mean: 3596250000 });
    expect(h.orderToFillUs.p50! / 3.6e9).toBeCloseTo(1, 2);
    expect(h.eventLoopDelayUs).toBeNull();
  });

  it('counts events and errors', () => {
    expect(snap.health.events).toEqual({ marketData: 28, signals: 7, ordersCreated: 10, orderEvents: 26, total: 71 });
    expect(snap.health.errors).toEqual({ orderErrors: 0, commandsRejected: 0, commandsRejectedByReason: {}, ordersRejected: 0, invalidSignals: 0, total: 0 });
  });

  it('samples prices on the equity grid for the report', () => {
    const prices = monitor.pricePoints();
    // Grid samples at T1..T13 see the previous closes: 100 101 104 106 106 104 101 99 99 101 103 100 98.
    // T11 finds the store (10) full: T1 stays, then the low and high of T2–T5 (101, 106 at T4),
    // T6–T9 (104, 99 at T8) and T10; T11 is stored, and T12–T13 are the open bucket.
    expect(prices['TEST-USD']!.map((p) => [(p.ts - T0) / HOUR_MS, p.value])).toEqual([
      [1, 100], [2, 101], [4, 106], [6, 104], [8, 99], [10, 101], [11, 103], [12, 100], [13, 98],
    ]);
    expect(monitor.recentFills().map((f) => f.ts)).toEqual([T(2), T(3), T(5), T(6), T(8), T(10), T(12), T(13)]);
  });

  it('reports market data staleness in clock time', () => {
    r.clock.advanceTo(T(13) + 300_000);
    const later = monitor.snapshot();
    expect(later.health.marketData).toEqual([
      { instrumentId: 'TEST-USD', records: 14, lastDataAt: T(13), stalenessMs: 300_000 },
      { instrumentId: 'ALT-USD', records: 14, lastDataAt: T(13), stalenessMs: 300_000 },
    ]);
  });

  it('produces a plain JSON object (no NaN, no undefined, no class instances)', () => {
    expect(JSON.parse(JSON.stringify(snap))).toStrictEqual(snap);
  });
});

describe('PerformanceMonitor edge cases', () => {
  it('no trades and a flat equity curve: counts are zero, undefined ratios are null', () => {
    const inst = testInstrument('FLAT-USD');
    const r = rig([inst], [new ScriptedStrategy('idle', inst.id, {})]);
    const monitor = PerformanceMonitor.attach(r.engine, { equitySampleMs: HOUR_MS, publishIntervalMs: 0 });
    drive(r, T0, Array.from({ length: 24 }, (_, k) => bar(inst, T(k), 100, 100)));
    const s = monitor.snapshot();
    expect(s.pnl).toMatchObject({ equity: '10000.00', realized: '0.00', unrealized: '0.00', fees: '0.00', total: '0.00', totalReturn: 0, openPositions: 0 });
    expect(s.pnl.today).toEqual({ day: '2026-01-05', startedAt: T0, startEquity: '10000.00', pnl: '0.00', return: 0 });
    expect(s.trades).toEqual({
      count: 0, wins: 0, losses: 0, breakeven: 0, winRate: null, netPnl: '0.00', averageWin: null, averageLoss: null, largestWin: null, largestLoss: null,
      profitFactor: null, expectancy: null, averageReturn: null, maxConsecutiveWins: 0, maxConsecutiveLosses: 0, currentStreak: 0,
      averageHoldingMs: null, medianHoldingMs: null, tradesPerHour: null, tradesPerDay: null,
    });
    // 23 grid samples (T1..T23); the stop sample at T23 repeats the last one and adds no period.
    expect(s.returns).toEqual({
      periods: 23, mean: 0, std: 0, volatility: 0, downsideDeviation: 0, sharpe: null, sortino: null, calmar: null,
      best: 0, worst: 0, totalReturn: 0, annualizedReturn: 0,
    });
    expect(s.equity).toMatchObject({ points: 25, highWaterMark: '10000.00', drawdown: '0.00', drawdownFraction: 0, drawdownDurationMs: 0, longestDrawdownDurationMs: 0, maxDrawdown: null, maxDrawdownAmount: null });
    expect(s.orders.created).toBe(0);
    expect(s.signals).toEqual([]);
    expect(s.buckets.byDay).toEqual([]);
    expect(s.buckets.byHour.every((h) => h.trades === 0 && h.fills === 0 && h.pnl === '0.00' && h.winRate === null)).toBe(true);
    expect(s.health.tickToOrderUs).toEqual({ count: 0, min: null, mean: null, p50: null, p90: null, p99: null, max: null });
    expect(JSON.parse(JSON.stringify(s))).toStrictEqual(s);
  });

  it('one trade, all winners: loss-side figures are null', () => {
    const inst = testInstrument('WIN-USD');
    const script = { 0: { order: { side: 'BUY', qty: 10 } }, 2: { order: { side: 'SELL', qty: 10 } } } as const;
    const r = rig([inst], [new ScriptedStrategy('w', inst.id, script)]);
    const monitor = PerformanceMonitor.attach(r.engine, { equitySampleMs: HOUR_MS, publishIntervalMs: 0 });
    drive(r, T0, [bar(inst, T(0), 100, 100), bar(inst, T(1), 100, 110), bar(inst, T(2), 110, 120), bar(inst, T(3), 120, 120)]);
    const t = monitor.snapshot().trades;
    // Buy 10 @100 (fee 1.00) at bar 1, sell 10 @120 (fee 1.20) at bar 3: +200 − 2.20 = 197.80 over 2 h.
    expect(t).toMatchObject({
      count: 1, wins: 1, losses: 0, winRate: 1, netPnl: '197.80', averageWin: '197.80', averageLoss: null, largestWin: '197.80', largestLoss: null,
      profitFactor: null, expectancy: '197.80', maxConsecutiveWins: 1, maxConsecutiveLosses: 0, currentStreak: 1, averageHoldingMs: 2 * HOUR_MS, medianHoldingMs: 2 * HOUR_MS,
    });
    expect(t.averageReturn).toBeCloseTo(197.8 / 1000, 14);
    expect(monitor.snapshot().pnl.byStrategy[0]!.ordersWithoutSignal).toBe(2);
  });

  it('computes equity only when a grid sample is due, not on every tick', () => {
    const inst = testInstrument('TICK-USD');
    const r = rig([inst], [new ScriptedStrategy('idle', inst.id, {})]);
    const equityReads = spyOnEquityReads(r.engine.portfolio);
    const monitor = PerformanceMonitor.attach(r.engine, { equitySampleMs: 60_000, publishIntervalMs: 0 });
    // 600 records one second apart: the start, grid samples at +60 s ... +540 s, and the stop.
    drive(r, T0, Array.from({ length: 600 }, (_, i) => bar(inst, T0 + i * 1000, 100 + (i % 7), 100 + (i % 5), 1000)));
    expect(equityReads()).toBe(11);
    expect(monitor.snapshot().returns.periods).toBe(10); // 9 grid periods + the final one at stop
    expect(monitor.snapshot().health.events.marketData).toBe(600);
  });

  it('publishes the snapshot on analytics.snapshot every publishIntervalMs of clock time, and at stop', () => {
    const inst = testInstrument('PUB-USD');
    const r = rig([inst], [new ScriptedStrategy('idle', inst.id, {})]);
    const seen: number[] = [];
    r.engine.bus.subscribe('analytics.snapshot', (s) => seen.push(s.ts));
    PerformanceMonitor.attach(r.engine, { equitySampleMs: 1000, publishIntervalMs: 2000 });
    drive(r, T0, Array.from({ length: 11 }, (_, i) => bar(inst, T0 + i * 1000, 100, 100, 1000)));
    expect(seen).toEqual([T0 + 2000, T0 + 4000, T0 + 6000, T0 + 8000, T0 + 10_000, T0 + 10_000]);
  });

  it('reports events per second of clock time over the sliding window', () => {
    const inst = testInstrument('RATE-USD');
    const r = rig([inst], [new ScriptedStrategy('idle', inst.id, {})]);
    const monitor = PerformanceMonitor.attach(r.engine, { publishIntervalMs: 0, eventRateWindowMs: 5_000 });
    // Four records a second (every 250 ms) for 20 s.
    drive(r, T0, Array.from({ length: 80 }, (_, i) => bar(inst, T0 + i * 250, 100, 100, 250)));
    expect(monitor.snapshot().health.eventsPerSecond).toBe(4);
  });

  it('moves the rate window in slots of eventRateSlotMs, one slot timer each (backtests: 10 minutes in 1-minute slots)', () => {
    const inst = testInstrument('SLOT-USD');
    const r = rig([inst], [new ScriptedStrategy('idle', inst.id, {})]);
    const monitor = attachPerformanceMonitor(r.engine, { equitySampleMs: 3_600_000 });
    const setTimer = vi.spyOn(r.clock, 'setTimer');
    // Four records a second for 30 minutes: 7,200 records.
    drive(r, T0, Array.from({ length: 7_200 }, (_, i) => bar(inst, T0 + i * 250, 100, 100, 250)));
    const health = monitor.snapshot().health;
    expect(health).toMatchObject({ eventsPerSecond: 4, eventRateWindowMs: 600_000, eventRateSlotMs: 60_000 });
    // About 30 slot timers (one a minute), not 1,800 (one a second).
    expect(setTimer.mock.calls.length).toBeLessThan(40);
    expect(() => PerformanceMonitor.attach(r.engine, { eventRateWindowMs: 60_000, eventRateSlotMs: 60_000 })).toThrow(ValueError);
  });

  it('after a jump in the data, counts the skipped slots as empty without a timer per skipped slot or sample', () => {
    const inst = testInstrument('GAP-USD');
    const r = rig([inst], [new ScriptedStrategy('idle', inst.id, {})]);
    const monitor = PerformanceMonitor.attach(r.engine, { publishIntervalMs: 0, eventRateWindowMs: 5_000, equitySampleMs: 60_000 });
    const setTimer = vi.spyOn(r.clock, 'setTimer');
    // Four records a second for 20 s, then one record an hour later.
    const records = Array.from({ length: 80 }, (_, i) => bar(inst, T0 + i * 250, 100, 100, 250));
    drive(r, T0, [...records, bar(inst, T0 + 3_620_000, 100, 100, 250)]);
    // The window's four completed slots had no record; the record after the gap is in the current slot.
    expect(monitor.snapshot().health.eventsPerSecond).toBe(0);
    expect(monitor.snapshot().health.events.marketData).toBe(81);
    // About 20 slot timers and a few samples, not one per second or minute of the gap.
    expect(setTimer.mock.calls.length).toBeLessThan(40);
  });

  it('takes one grid sample after the last event while the clock runs on without data (as a wall clock does)', () => {
    const inst = testInstrument('QUIET-USD');
    const r = rig([inst], [new ScriptedStrategy('idle', inst.id, {})]);
    const equityReads = spyOnEquityReads(r.engine.portfolio);
    const monitor = PerformanceMonitor.attach(r.engine, { equitySampleMs: 60_000, publishIntervalMs: 0 });
    r.clock.advanceTo(T0);
    r.engine.start();
    r.engine.dispatch(bar(inst, T0, 100, 100, 1000));
    // Ten quiet minutes, one clock step a second: only the grid time after the record samples.
    for (let t = 1; t <= 600; t++) r.clock.advanceTo(T0 + t * 1000);
    expect(monitor.snapshot().equity.points).toBe(2);
    // A record at 10:30 arms a sample at the next grid time, 11:00.
    r.clock.advanceTo(T0 + 630_000);
    r.engine.dispatch(bar(inst, T0 + 630_000, 100, 100, 1000));
    for (let t = 631; t <= 700; t++) r.clock.advanceTo(T0 + t * 1000);
    const snap = monitor.snapshot();
    expect(snap.equity).toMatchObject({ points: 3, lastTs: T0 + 660_000 });
    expect(equityReads()).toBe(3);
    r.engine.stop();
  });

  it('takes one equity sample after the fills of an instant, once its events are handled (a snapshot mid-instant takes it at once)', () => {
    const a = testInstrument('FA-USD');
    const b = testInstrument('FB-USD');
    // Each strategy buys 10 on bar 0 and sells them on bar 2: both fill at the opens of bars 1 and 3.
    const script: Record<number, ScriptStep> = { 0: { order: { side: 'BUY', qty: 10 } }, 2: { order: { side: 'SELL', qty: 10 } } };
    const r = rig([a, b], [new ScriptedStrategy('A', a.id, script), new ScriptedStrategy('B', b.id, script)]);
    const monitor = PerformanceMonitor.attach(r.engine, { equitySampleMs: 24 * HOUR_MS, publishIntervalMs: 0 });
    const equity = () => Number(r.engine.portfolio.equityRaw()) / 100;
    const instant = (k: number, opens: [number, number], closes: [number, number]) => {
      r.clock.advanceTo(T(k));
      r.engine.dispatch(bar(a, T(k), opens[0], closes[0]));
      r.engine.dispatch(bar(b, T(k), opens[1], closes[1]));
    };
    r.clock.advanceTo(T0);
    r.engine.start();
    instant(0, [100, 100], [100, 100]);
    // Two fills at T1, each marked later at its bar's close: one sample, after both bars.
    instant(1, [100, 100], [104, 97]);
    r.clock.advanceTo(T(1) + 1);
    expect(monitor.equityPoints()).toEqual([
      { ts: T0, value: 10000 },
      { ts: T(1), value: equity() },
    ]);
    expect(equity()).toBe(10000 - 2 + 40 - 30); // fees 1.00 + 1.00, A +4 × 10, B −3 × 10
    instant(2, [104, 97], [104, 97]); // no fill: no sample
    // A snapshot between the two fills of T3 takes the pending sample at once; the second fill arms another.
    r.clock.advanceTo(T(3));
    r.engine.dispatch(bar(a, T(3), 110, 110));
    const mid = monitor.snapshot().equity;
    expect(mid).toMatchObject({ points: 3, lastTs: T(3), lastEquity: equity().toFixed(2) });
    r.engine.dispatch(bar(b, T(3), 95, 95));
    r.engine.stop();
    // The stop takes the second fill's sample, then its own.
    expect(monitor.equityPoints().slice(2).map((p) => p.ts)).toEqual([T(3), T(3), T(3)]);
    expect(monitor.equityPoints().at(-1)!.value).toBe(equity());
  });

  it('folds every equity point and round trip when more than a batch (256) comes between two reads', () => {
    // 600 hourly orders, buying and selling one unit in turn: 600 fills at 600 instants and 300
    // round trips, with no grid sample (an interval of years) and no snapshot before the stop.
    const inst = testInstrument('MANY-USD');
    const n = 600;
    const script: Record<number, ScriptStep> = {};
    for (let k = 0; k < n; k++) script[k] = { order: { side: k % 2 === 0 ? 'BUY' : 'SELL', qty: 1 } };
    const r = rig([inst], [new ScriptedStrategy('S', inst.id, script)]);
    let closed = 0;
    r.engine.bus.subscribe('position.closed', () => closed++);
    const monitor = PerformanceMonitor.attach(r.engine, { equitySampleMs: 100_000 * HOUR_MS, publishIntervalMs: 0 });
    drive(r, T0, Array.from({ length: n + 1 }, (_, k) => bar(inst, T0 + k * HOUR_MS, 100 + (k % 9), 100 + (k % 7))));
    const snap = monitor.snapshot();
    expect(closed).toBe(n / 2);
    expect(snap.trades.count).toBe(n / 2);
    expect(snap.orders.fills).toBe(n);
    // The start, a sample after each fill and the stop, all kept (fewer than maxEquityPoints).
    const points = monitor.equityPoints();
    expect(snap.equity.points).toBe(n + 2);
    expect(points).toHaveLength(n + 2);
    // The drawdown saw the points in time order: it matches one fed the kept curve directly.
    const tracker = new DrawdownTracker();
    for (const p of points) tracker.update(p.ts, p.value);
    expect(Number(snap.equity.maxDrawdownAmount!.amount)).toBeCloseTo(tracker.maxDrawdownAmount!.amount, 2);
    expect(snap.equity.maxDrawdownAmount!.troughTs).toBe(tracker.maxDrawdownAmount!.troughTs);
  });

  it('attributes each open order to its own signal when orders overlap, up to maxTrackedOrders', () => {
    // A and B each signal and buy 10 on bar 0 (A's order is still open when B's is created; both
    // fill at bar 1's open) and sell on bar 2 (filled at bar 3's open), the sells attributed to the same
    // signals. Hand check, fees 0.1 %: A nets 40 − 1.00 − 1.04 = 37.96 on 1,000; B −30 − 1.00 − 0.97 = −31.97.
    const run = (maxTrackedOrders: number) => {
      const a = testInstrument('OA-USD');
      const b = testInstrument('OB-USD');
      const script = (type: string, confidence: number): Record<number, ScriptStep> => ({
        0: { signal: { type, direction: 'LONG', confidence }, order: { side: 'BUY', qty: 10 } },
        2: { order: { side: 'SELL', qty: 10 } },
      });
      const r = rig([a, b], [new ScriptedStrategy('A', a.id, script('a_long', 0.9)), new ScriptedStrategy('B', b.id, script('b_long', 0.3))]);
      const monitor = PerformanceMonitor.attach(r.engine, { equitySampleMs: HOUR_MS, publishIntervalMs: 0, maxTrackedOrders });
      const tracked: number[] = [];
      const prices: Array<[number, number]> = [[100, 100], [100, 100], [104, 97], [104, 97]];
      r.clock.advanceTo(T0);
      r.engine.start();
      prices.forEach(([pa, pb], k) => {
        r.clock.advanceTo(T(k));
        r.engine.dispatch(bar(a, T(k), pa, pa));
        r.engine.dispatch(bar(b, T(k), pb, pb));
        tracked.push(monitor.snapshot().orders.tracked);
      });
      r.engine.stop();
      const bySignal = Object.fromEntries(monitor.snapshot().signals.map((s) => [s.signalType, s]));
      return { tracked, a: bySignal.a_long!, b: bySignal.b_long! };
    };

    const all = run(100);
    expect(all.tracked).toEqual([2, 0, 2, 0]); // the buys, then the sells, open between two bars
    expect(all.a).toMatchObject({ ordersCreated: 2, won: 1, lost: 0, averageReturnPerTrade: 0.03796 });
    expect(all.a.byConfidence[4]).toMatchObject({ outcomes: 1, wins: 1 });
    expect(all.b).toMatchObject({ ordersCreated: 2, won: 0, lost: 1, averageReturnPerTrade: -0.03197 });
    expect(all.b.byConfidence[1]).toMatchObject({ outcomes: 1, wins: 0 });

    // Tracking one order: B's buy takes the place of A's, so A's trade has no signal to report to.
    const one = run(1);
    expect(one.tracked).toEqual([1, 0, 1, 0]);
    expect(one.a).toMatchObject({ ordersCreated: 2, won: 0, lost: 0, averageReturnPerTrade: null });
    expect(one.b).toMatchObject({ ordersCreated: 2, lost: 1 });
  });

  it('keeps a filled order\'s signal when a handler before the monitor creates an order on that fill (a stop on an entry)', () => {
    // The entry fills completely on bar 1; a component subscribed before the monitor (as the risk
    // stack's stop manager is) places a resting order as it hears of the fill, so that order is
    // created before the monitor handles the entry's fill. The round trip still counts for the signal.
    const a = testInstrument('NEST-USD');
    const script: Record<number, ScriptStep> = {
      0: { signal: { type: 'a_long', direction: 'LONG', confidence: 0.9 }, order: { side: 'BUY', qty: 10 } },
      2: { order: { side: 'SELL', qty: 10 } },
    };
    const r = rig([a], [new ScriptedStrategy('A', a.id, script)]);
    let stopPlaced = false;
    r.engine.bus.subscribe('order.event', (e) => {
      if (e.type !== 'OrderFilled' || stopPlaced) return;
      stopPlaced = true;
      placeRestingSell(r, 'stops');
    });
    const monitor = PerformanceMonitor.attach(r.engine, { equitySampleMs: HOUR_MS, publishIntervalMs: 0 });
    drive(r, T0, [100, 100, 104, 104].map((px, k) => bar(a, T(k), px, px)));
    expect(stopPlaced).toBe(true);
    const signal = monitor.snapshot().signals.find((x) => x.signalType === 'a_long')!;
    expect(signal).toMatchObject({ ordersCreated: 2, won: 1, lost: 0 });
  });

  it('counts only orders created under a signal against maxTrackedOrders', () => {
    // One order tracked at most: A's buy is still open (it fills at bar 1's open) when another
    // component creates an order without a signal right after it, and keeps its place.
    const a = testInstrument('BOUND-USD');
    const r = rig([a], [new ScriptedStrategy('A', a.id, {
      0: { signal: { type: 'a_long', direction: 'LONG', confidence: 0.9 }, order: { side: 'BUY', qty: 10 } },
      2: { order: { side: 'SELL', qty: 10 } },
    })]);
    const monitor = PerformanceMonitor.attach(r.engine, { equitySampleMs: HOUR_MS, publishIntervalMs: 0, maxTrackedOrders: 1 });
    let placed = false;
    r.engine.bus.subscribe('order.created', (c) => {
      if (placed || c.order.strategyId !== 'A') return;
      placed = true;
      placeRestingSell(r, 'other');
    });
    drive(r, T0, [100, 100, 104, 104].map((px, k) => bar(a, T(k), px, px)));
    expect(placed).toBe(true);
    expect(monitor.snapshot().signals.find((x) => x.signalType === 'a_long')).toMatchObject({ won: 1 });
  });

  it('attributes the orders of two strategies on one instrument to each strategy\'s own latest signal', () => {
    // A and B both signal and buy on bar 0, then order again without a new signal on bar 2.
    const x = testInstrument('OX-USD');
    const script = (type: string): Record<number, ScriptStep> => ({
      0: { signal: { type, direction: 'LONG', confidence: 0.5 }, order: { side: 'BUY', qty: 1 } },
      2: { order: { side: 'BUY', qty: 1 } },
    });
    const r = rig([x], [new ScriptedStrategy('A', x.id, script('a_long')), new ScriptedStrategy('B', x.id, script('b_long'))]);
    const monitor = PerformanceMonitor.attach(r.engine, { equitySampleMs: HOUR_MS, publishIntervalMs: 0 });
    drive(r, T0, [0, 1, 2, 3].map((k) => bar(x, T(k), 100, 100)));
    const snapshot = monitor.snapshot();
    expect(snapshot.signals.map((s) => [s.strategy, s.signalType, s.signals, s.ordersCreated])).toEqual([['A', 'a_long', 1, 2], ['B', 'b_long', 1, 2]]);
    expect(snapshot.pnl.byStrategy.map((s) => [s.strategyId, s.ordersWithoutSignal])).toEqual([['A', 0], ['B', 0]]);
  });

  it('counts an out-of-range signal confidence as an error instead of throwing on the bus', () => {
    const inst = testInstrument('SIG-USD');
    const r = rig([inst], [new ScriptedStrategy('s', inst.id, { 0: { signal: { type: 'x', direction: 'LONG', confidence: 1.5 } } })]);
    const monitor = PerformanceMonitor.attach(r.engine, { equitySampleMs: HOUR_MS, publishIntervalMs: 0 });
    drive(r, T0, [bar(inst, T0, 100, 100)]);
    expect(monitor.snapshot().health.errors).toMatchObject({ invalidSignals: 1, total: 1 });
    expect(monitor.snapshot().signals).toEqual([]);
  });

  it('begins at once on a running engine, measures event-loop delay when asked, and stops listening on detach', () => {
    const inst = testInstrument('LIVE-USD');
    const r = rig([inst], [new ScriptedStrategy('idle', inst.id, {})]);
    r.clock.advanceTo(T0);
    r.engine.start();
    const monitor = PerformanceMonitor.attach(r.engine, { publishIntervalMs: 0, eventLoopDelay: true });
    expect(monitor.snapshot().startedAt).toBe(T0);
    expect(monitor.snapshot().health.eventLoopDelayUs).not.toBeNull();
    r.clock.advanceTo(T0 + 1000);
    r.engine.dispatch(bar(inst, T0 + 1000, 100, 100, 1000));
    monitor.detach();
    r.clock.advanceTo(T0 + 2000);
    r.engine.dispatch(bar(inst, T0 + 2000, 100, 100, 1000));
    expect(monitor.snapshot().health.events.marketData).toBe(1);
    r.engine.stop();
  });

  it('attributes a position open when it attaches to the strategy that opened it', () => {
    const inst = testInstrument('OPEN-USD');
    const r = rig([inst], [new ScriptedStrategy('A', inst.id, { 0: { order: { side: 'BUY', qty: 10 } } })]);
    r.clock.advanceTo(T0);
    r.engine.start();
    const feed = (k: number, p: number) => {
      r.clock.advanceTo(T0 + k * HOUR_MS);
      r.engine.dispatch(bar(inst, T0 + k * HOUR_MS, p, p));
    };
    feed(0, 100);
    feed(1, 100); // A long 10 at 100
    const monitor = PerformanceMonitor.attach(r.engine, { publishIntervalMs: 0 });
    feed(2, 120);
    const pnl = monitor.snapshot().pnl;
    expect(pnl.unrealized).toBe('200.00');
    expect(pnl.byStrategy.map((s) => [s.strategyId, s.unrealized])).toEqual([['A', '200.00']]);
    r.engine.stop();
  });

  it('sets no clock timer once detached, not even when a snapshot rolls the day', () => {
    const inst = testInstrument('DETACH-USD');
    const r = rig([inst], []);
    r.clock.advanceTo(T0);
    r.engine.start();
    const monitor = PerformanceMonitor.attach(r.engine, { publishIntervalMs: 0 });
    r.engine.dispatch(bar(inst, T0, 100, 100));
    monitor.detach();
    r.clock.advanceTo(T0 + 30 * HOUR_MS); // fires the canceled timers
    monitor.snapshot(); // a new local day: rolled on read
    expect(r.clock.nextTimerAt()).toBeUndefined();
    r.engine.stop();
  });

  it('rejects invalid options with ValueError', () => {
    const inst = testInstrument('OPT-USD');
    const r = rig([inst], []);
    expect(() => PerformanceMonitor.attach(r.engine, { equitySampleMs: 0 })).toThrow(ValueError);
    expect(() => PerformanceMonitor.attach(r.engine, { timeZone: 'Mars/Olympus' })).toThrow(ValueError);
    expect(() => PerformanceMonitor.attach(r.engine, { maxEquityPoints: 0 })).toThrow(ValueError);
    expect(() => PerformanceMonitor.attach(r.engine, { publishIntervalMs: -1 })).toThrow(ValueError);
    expect(() => PerformanceMonitor.attach(r.engine, { maxRecentFills: -1 })).toThrow('maxRecentFills -1 is not a non-negative integer');
  });

  it('keeps no recent fills in backtests unless asked (the runner keeps every fill), and the latest when asked', () => {
    const inst = testInstrument('RING-USD');
    const script: Record<number, ScriptStep> = { 0: { order: { side: 'BUY', qty: 10 } }, 2: { order: { side: 'SELL', qty: 10 } } };
    const runs = [undefined, { maxRecentFills: 1 }].map((options) => {
      const r = rig([inst], [new ScriptedStrategy('A', inst.id, script)]);
      const monitor = attachPerformanceMonitor(r.engine, options);
      drive(r, T0, [0, 1, 2, 3].map((k) => bar(inst, T(k), 100, 100)));
      return monitor;
    });
    expect(runs[0]!.recentFills()).toEqual([]);
    expect(runs[0]!.snapshot().orders.fills).toBe(2);
    expect(runs[1]!.recentFills().map((f) => f.ts)).toEqual([T(3)]);
  });

  it('uses periodsPerYear from the options when given (e.g. 252 for daily bars)', () => {
    const inst = testInstrument('PPY-USD');
    const r = rig([inst], []);
    const s = PerformanceMonitor.attach(r.engine, { equitySampleMs: 86_400_000, periodsPerYear: 252 }).snapshot();
    expect(s.conventions).toMatchObject({ periodsPerYear: 252, periodsPerYearSource: 'option' });
  });
});

/*
 * src/analytics/testdata/scenario_expected.py output (the script replays the same bars and fills with Python's
 * decimal for the accounting and numpy for the statistics):
 *   final equity 10042.44 fees 7.56
 *   periods 14 ppy 8760.0
 *   mean 0.0003036340188245422 std 0.0015298703479278335 volatility 0.14318801886214835
 *   sharpe 18.436137505641735 (rf 0.02) downside 0.0009422366077282627 sortino 30.160775742203658
 *   best 0.001990762860328177 worst -0.0029719418965545863 total 0.004244 annualized 13.152797159983114
 *   hwm 10094.41 current dd 51.97 dd duration 7200000 longest 7200000
 *   maxdd fraction 0.005148394012131402 peak 11 h trough 13 h not recovered; calmar 2554.737871458665
 *   today pnl 3.96 return 0.00039448203313649077
 *   trade returns 0.02738235294117647 0.04659223300970874 -0.02178217821782178 (avg 0.017397469244354476)
 *   breakout avg/signal 0.001400043680838672 per trade 0.002800087361677344; profit factor 3.450909090909091
 *   order-to-fill mean 3596250000 µs
 */
