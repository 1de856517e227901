/*
 * Golden backtest on the shipped real data (data/sp500-2019-2020.csv, 326 daily S&P 500 bars):
 * a 10/30-day moving-average crossover, long 10 units, with the performance monitor attached
 * through runBacktest's attach hook. Expected figures come from an independent re-simulation in
 * Python (decimal accounting, numpy statistics): src/analytics/testdata/sp500_expected.py, whose
 * output is quoted next to each figure. The monitor must also agree with runBacktest's summary.
 */
import { describe, expect, it } from 'vitest';
import { Money, USD } from '../core/money.js';
import { DAY_MS, SPX, loadBarsCsv } from '../data/index.js';
import { runBacktest } from '../engine/backtest.js';
import type { Bar } from '../model/data.js';
import { Strategy } from '../strategy/strategy.js';
import { attachPerformanceMonitor } from './backtest-report.js';
import type { PerformanceMonitor } from './performance-monitor.js';

const FAST = 10;
const SLOW = 30;

/** Long 10 units while the 10-day mean close is above the 30-day mean (integer cents, exact). */
class SmaCross extends Strategy {
  private readonly closes: number[] = [];

  override onBar(b: Bar): void {
    this.closes.push(b.close.raw);
    const n = this.closes.length;
    if (n < SLOW) return;
    let fast = 0;
    let slow = 0;
    for (let i = n - SLOW; i < n; i++) {
      slow += this.closes[i]!;
      if (i >= n - FAST) fast += this.closes[i]!;
    }
    const above = fast * SLOW > slow * FAST;
    const pos = this.positionRaw(b.instrumentId);
    const inst = this.instrument(b.instrumentId);
    if (above && pos === 0) {
      this.signal({ instrumentId: b.instrumentId, signalType: 'sma_cross_up', direction: 'LONG', strength: 1, confidence: 0.7, reason: 'fast above slow' });
      this.market(b.instrumentId, 'BUY', inst.quantity(10));
    } else if (!above && pos > 0) {
      this.signal({ instrumentId: b.instrumentId, signalType: 'sma_cross_down', direction: 'FLAT', strength: 1, confidence: 0.4, reason: 'fast below slow' });
      this.market(b.instrumentId, 'SELL', inst.quantity(pos));
    }
  }
}

describe('golden backtest: S&P 500 2019-2020 with the performance monitor', () => {
  let monitor: PerformanceMonitor | undefined;
  const result = runBacktest({
    source: loadBarsCsv('data/sp500-2019-2020.csv', SPX),
    strategies: [new SmaCross('sma-1')],
    initialCapital: Money.of('100000', USD),
    attach: (engine) => {
      monitor = attachPerformanceMonitor(engine, { equitySampleMs: DAY_MS, periodsPerYear: 252 });
    },
  });
  const s = monitor!.snapshot();

  it('agrees with the backtest summary', () => {
    const sum = result.summary;
    expect(s.pnl.equity).toBe(sum.finalEquity);
    expect(s.pnl.realized).toBe(sum.realizedPnl);
    expect(s.pnl.unrealized).toBe(sum.unrealizedPnl);
    expect(s.pnl.fees).toBe(sum.fees);
    expect(s.trades.count).toBe(sum.roundTrips);
    expect(s.trades.wins).toBe(sum.winningTrips);
    expect(s.orders.created).toBe(sum.orders);
    expect(s.orders.fills).toBe(sum.fills);
    expect(s.health.events.marketData).toBe(sum.records);
  });

  it('P&L: final equity 100075.83, fees 129.67, cash 71330.23, 10 units open', () => {
    expect(s.pnl).toMatchObject({ equity: '100075.83', fees: '129.67', cash: '71330.23', openPositions: 1, total: '75.83' });
    expect(s.pnl.byInstrument[0]).toMatchObject({ instrumentId: 'SPX', quantity: '10', markPx: '2874.56' });
  });

  it('returns: 326 daily periods annualized with 252 (sharpe 0.03437829878321089)', () => {
    const r = s.returns;
    expect(r.periods).toBe(326);
    expect(r.mean).toBeCloseTo(4.257411786838451e-6, 15);
    expect(r.std).toBeCloseTo(0.0019659005620610804, 14);
    expect(r.volatility).toBeCloseTo(0.031207703936974317, 12);
    expect(r.sharpe).toBeCloseTo(0.03437829878321089, 10);
    expect(r.sortino).toBeCloseTo(0.041887176548445926, 10);
    expect(r.best).toBeCloseTo(0.007551920333230822, 14);
    expect(r.worst).toBeCloseTo(-0.01358502395960759, 14);
    expect(r.totalReturn).toBeCloseTo(0.0007583, 12);
    expect(r.annualizedReturn).toBeCloseTo(0.0005861201191807996, 12);
    expect(r.calmar).toBeCloseTo(0.01258521089761464, 10);
  });

  it('drawdown: 4843.86 (4.657%) from 2020-02-21 to 2020-04-16, not recovered; longest 146 days', () => {
    expect(s.equity.highWaterMark).toBe('104007.69');
    expect(s.equity.points).toBe(336);
    expect(s.equity.longestDrawdownDurationMs).toBe(146 * DAY_MS);
    expect(s.equity.maxDrawdown).toEqual({
      amount: '4843.86',
      fraction: expect.closeTo(0.04657213327206864, 12),
      peakTs: Date.UTC(2020, 1, 21),
      troughTs: Date.UTC(2020, 3, 16),
      recoveryTs: null,
      timeToRecoveryMs: null,
    });
  });

  it('trades: 4 round trips, 1 win, profit factor 0.5135591923603915', () => {
    expect(s.trades).toMatchObject({
      count: 4,
      wins: 1,
      losses: 3,
      netPnl: '-699.39',
      averageWin: '738.38',
      averageLoss: '-479.26',
      largestWin: '738.38',
      largestLoss: '-800.65',
      expectancy: '-174.85',
      maxConsecutiveWins: 1,
      maxConsecutiveLosses: 3,
      averageHoldingMs: 73.75 * DAY_MS,
      medianHoldingMs: 70 * DAY_MS,
    });
    expect(s.trades.profitFactor).toBeCloseTo(0.5135591923603915, 12);
    expect(s.trades.averageReturn).toBeCloseTo(-0.005398512127547104, 12);
  });

  it('signals: 5 crosses up (every trade came from one), 4 crosses down', () => {
    const up = s.signals.find((x) => x.signalType === 'sma_cross_up')!;
    const down = s.signals.find((x) => x.signalType === 'sma_cross_down')!;
    expect(up).toMatchObject({ signals: 5, ordersCreated: 5, won: 1, lost: 3, hitRate: 0.25 });
    expect(up.averageReturnPerSignal).toBeCloseTo(-0.004318809702037683, 12);
    expect(down).toMatchObject({ signals: 4, ordersCreated: 4, won: 0, lost: 0, hitRate: null });
  });
});
