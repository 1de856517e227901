/**
 * Golden backtest on the shipped real data (S&P 500 daily bars): a long-only SMA(10)/SMA(30)
 * crossover. The expected fills and final equity come from an independent re-implementation,
 * test/golden/sp500_ma_cross.py (plain Python with Decimal, no Bourse code):
 *   python3 test/golden/sp500_ma_cross.py data/sp500-2019-2020.csv
 */
import { describe, expect, it } from 'vitest';
import { Money, USD } from '../src/core/money.js';
import { SPX, loadBarsCsv } from '../src/data/index.js';
import { runBacktest } from '../src/engine/backtest.js';
import { createStrategy } from '../src/strategy/registry.js';

const EXPECTED_FILLS = [
  ['2019-06-17', 'BUY', '10', '2889.75', '14.45'],
  ['2019-08-07', 'SELL', '10', '2858.65', '14.29'],
  ['2019-09-10', 'BUY', '10', '2971.01', '14.86'],
  ['2019-10-07', 'SELL', '10', '2944.23', '14.72'],
  ['2019-10-23', 'BUY', '10', '2994.01', '14.97'],
  ['2020-02-28', 'SELL', '10', '2916.90', '14.58'],
  ['2020-04-15', 'BUY', '10', '2795.64', '13.98'],
];

function golden() {
  return runBacktest({
    source: loadBarsCsv('data/sp500-2019-2020.csv', SPX),
    strategies: [createStrategy('ma_cross', 'ma_cross-1', { fast: 10, slow: 30, size: 10 })],
    initialCapital: Money.of('100000', USD),
  });
}

describe('golden backtest: SPX daily bars, long-only SMA 10/30 crossover', () => {
  it('produces the independently computed fills: next-bar open prices and rounded taker fees', () => {
    const { fills } = golden();
    // A daily bar dated D is stamped at its close, D + 1 day; the fill happens on bar D's open.
    const got = fills.map((f) => [new Date(f.ts - 86_400_000).toISOString().slice(0, 10), f.side, f.lastQty.toString(), f.lastPx.toString(), f.fee.toDecimal()]);
    expect(got).toEqual(EXPECTED_FILLS);
  });

  it('ends with the independently computed cash and equity, three round trips and one open position', () => {
    const r = golden();
    const snap = r.engine.portfolio.snapshot(0);
    expect(snap.cash.toDecimal()).toBe('70591.85');
    expect(r.summary.finalEquity).toBe('99337.45');
    expect(r.summary.roundTrips).toBe(3);
    expect(r.closedPositions.map((c) => c.netPnl.toDecimal())).toEqual([
      // (2858.65 − 2889.75) × 10 − 14.45 − 14.29 = −339.74, and so on for each round trip.
      '-339.74',
      '-297.38',
      '-800.65',
    ]);
    expect(r.engine.portfolio.netQtyRaw('SPX')).toBe(10);
  });
});
