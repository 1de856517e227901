import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../core/errors.js';
import { TradeStats, type ClosedTrade } from './trades.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

/*
 * Expected values from python3 (numpy 2.4):
 *   H = 3_600_000; t0 = 1_700_000_000_000
 *   trades = [(120, 0.012, 0, 30), (-50, -0.005, 40, 55), (80, 0.008, 60, 180), (0, None, 200, 205),
 *             (200, 0.02, 210, 300), (35, 0.0035, 310, 320), (60, 0.006, 330, 420), (-90, -0.009, 430, 440),
 *             (-30, -0.003, 450, 470), (10, None, 480, 600)]   # (pnl, returnPct, entry min, exit min)
 *   pnl = np.array([t[0] for t in trades], float); w, l = pnl[pnl > 0], pnl[pnl < 0]
 *   ent = np.array([t0 + t[2] * 60_000 for t in trades]); ex = np.array([t0 + t[3] * 60_000 for t in trades])
 *   len(w), len(l), np.sum(pnl == 0), len(w) / len(pnl)  -> 6, 3, 1, 0.6
 *   w.mean(), l.mean(), w.sum() / -l.sum()               -> 84.16666666666667, -56.666666666666664, 2.9705882352941178
 *   pnl.mean(), pnl.sum(), w.max(), l.min()              -> 33.5, 335.0, 200.0, -90.0
 *   runs = [(k, len(list(g))) for k, g in itertools.groupby(np.sign(pnl))]
 *     longest win run 3, longest loss run 2, last run (+1, 1)
 *   np.mean([t[1] for t in trades if t[1] is not None]) -> 0.0040625
 *   hold = ex - ent; hold.mean(), np.median(hold), np.median(hold[-3:])  -> 3060000.0, 1500000.0, 1200000.0
 *   span = ex.max() - ent.min(); len(pnl) / (span / H), len(pnl) / (span / (24 * H))  -> 1.0, 24.0
 */
const TRADES: [number, number | undefined, number, number][] = [
  [120, 0.012, 0, 30], [-50, -0.005, 40, 55], [80, 0.008, 60, 180], [0, undefined, 200, 205],
  [200, 0.02, 210, 300], [35, 0.0035, 310, 320], [60, 0.006, 330, 420], [-90, -0.009, 430, 440],
  [-30, -0.003, 450, 470], [10, undefined, 480, 600],
];

function trade(pnl: number, returnPct: number | undefined, entryMin: number, exitMin: number): ClosedTrade {
  return { pnl, ...(returnPct === undefined ? {} : { returnPct }), entryTs: T0 + entryMin * MIN, exitTs: T0 + exitMin * MIN };
}

function fed(trades: ClosedTrade[], medianWindow?: number): TradeStats {
  const s = new TradeStats(medianWindow === undefined ? {} : { medianWindow });
  for (const t of trades) s.add(t);
  return s;
}

describe('TradeStats', () => {
  it('matches numpy on a fixed list of trades', () => {
    const s = fed(TRADES.map((t) => trade(...t)));
    expect([s.count, s.wins, s.losses, s.breakeven]).toEqual([10, 6, 3, 1]);
    expect(s.winRate()).toBe(0.6);
    expect(s.averageWin()).toBeCloseTo(84.16666666666667, 12);
    expect(s.averageLoss()).toBeCloseTo(-56.666666666666664, 12);
    expect(s.profitFactor()).toBeCloseTo(2.9705882352941178, 14);
    expect(s.expectancy()).toBeCloseTo(33.5, 12);
    expect(s.totalPnl()).toBe(335);
    expect(s.largestWin()).toBe(200);
    expect(s.largestLoss()).toBe(-90);
    expect(s.maxConsecutiveWins).toBe(3);
    expect(s.maxConsecutiveLosses).toBe(2);
    expect(s.currentStreak).toBe(1);
    expect(s.averageReturn()).toBeCloseTo(0.0040625, 15);
    expect(s.averageHoldingTime()).toBe(3_060_000);
    expect(s.medianHoldingTime()).toBe(1_500_000);
    expect(s.tradesPerHour()).toBeCloseTo(1, 12);
    expect(s.tradesPerDay()).toBeCloseTo(24, 12);
  });

  it('takes the median holding time over the last N trades only', () => {
    expect(fed(TRADES.map((t) => trade(...t)), 3).medianHoldingTime()).toBe(1_200_000);
  });

  it('has counts of zero and no ratios with no trades', () => {
    const s = new TradeStats();
    expect([s.count, s.wins, s.losses, s.breakeven, s.currentStreak, s.totalPnl()]).toEqual([0, 0, 0, 0, 0, 0]);
    for (const v of [s.winRate(), s.averageWin(), s.averageLoss(), s.profitFactor(), s.expectancy(), s.largestWin(), s.largestLoss(),
      s.averageReturn(), s.averageHoldingTime(), s.medianHoldingTime(), s.tradesPerHour(), s.tradesPerDay()]) {
      expect(v).toBeNull();
    }
  });

  it('handles a single losing trade', () => {
    const s = fed([trade(-25, -0.01, 0, 30)]);
    expect(s.winRate()).toBe(0);
    expect(s.averageLoss()).toBe(-25);
    expect(s.averageWin()).toBeNull();
    expect(s.profitFactor()).toBe(0);
    expect(s.expectancy()).toBe(-25);
    expect(s.currentStreak).toBe(-1);
    expect(s.medianHoldingTime()).toBe(30 * MIN);
    expect(s.tradesPerHour()).toBe(2);
  });

  it('has no profit factor when every trade wins', () => {
    // python3: w = np.array([10., 20., 30.]); w.mean() -> 20.0
    const s = fed([trade(10, undefined, 0, 1), trade(20, undefined, 1, 2), trade(30, undefined, 2, 3)]);
    expect(s.winRate()).toBe(1);
    expect(s.profitFactor()).toBeNull();
    expect(s.averageWin()).toBe(20);
    expect(s.largestLoss()).toBeNull();
    expect(s.maxConsecutiveWins).toBe(3);
    expect(s.maxConsecutiveLosses).toBe(0);
    expect(s.currentStreak).toBe(3);
  });

  it('has no trade rate when every trade opens and closes at the same instant', () => {
    expect(fed([trade(5, undefined, 10, 10)]).tradesPerHour()).toBeNull();
  });

  it('rejects an exit before the entry and a non-finite pnl', () => {
    expect(() => fed([trade(1, undefined, 10, 5)])).toThrow(ValueError);
    expect(() => fed([trade(NaN, undefined, 0, 5)])).toThrow(ValueError);
    expect(() => new TradeStats({ medianWindow: 0 })).toThrow(ValueError);
  });

  it('counts every trade as exactly one of win, loss or breakeven, and streaks match a rescan (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 100 }), (pnls) => {
        const s = fed(pnls.map((p, i) => trade(p, undefined, i, i + 1)));
        expect(s.wins + s.losses + s.breakeven).toBe(pnls.length);
        let run = 0;
        let longestWin = 0;
        let longestLoss = 0;
        for (const p of pnls) {
          run = p === 0 ? 0 : Math.sign(p) === Math.sign(run) ? run + Math.sign(p) : Math.sign(p);
          longestWin = Math.max(longestWin, run);
          longestLoss = Math.max(longestLoss, -run);
        }
        expect([s.currentStreak, s.maxConsecutiveWins, s.maxConsecutiveLosses]).toEqual([run, longestWin, longestLoss]);
      }),
    );
  });
});
