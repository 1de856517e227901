import { describe, expect, it } from 'vitest';
import { BollingerBreakoutStrategy } from './bollinger-breakout.js';
import { barsFromCloses, run } from './testkit.js';

// Bands over 3 closes, 1 population standard deviation:
//   bar 3: window 10 10 11    mean 10.333 sd 0.471 upper 10.805 → 11 above: long
//   bar 4: window 10 11 10.5  mean 10.5               → 10.5 back at the middle: flat
//   bar 5: window 11 10.5 9   mean 10.167 sd 0.850 lower 9.317 → 9 below: short
//   bar 6: window 10.5 9 10.5 mean 10 sd 0.707 upper 10.707 → 10.5 back above the middle: flat
// Each bar opens 0.5 above the previous close; fills are at the next bar's open.
const CLOSES = [10, 10, 10, 11, 10.5, 9, 10.5, 10.5];
const params = { period: 3, stddev: 1 };

describe('BollingerBreakoutStrategy', () => {
  it('long-only: buys the upper breakout, exits at the middle, stays flat on the lower breakout', () => {
    const r = run([new BollingerBreakoutStrategy('bb', params)], barsFromCloses(CLOSES));
    expect(r.problems).toEqual([]);
    expect(r.orders.map((o) => [o.at, o.text])).toEqual([
      [3, 'BUY 10 MARKET'],
      [4, 'SELL 10 MARKET reduce-only'],
    ]);
    expect(r.fills.map((f) => [f.at, f.text])).toEqual([
      [4, 'BUY 10 @11.50'],
      [5, 'SELL 10 @11.00'],
    ]);
    expect(Math.min(...r.positions.get('TEST')!)).toBe(0);
    const entry = r.signals[0]!;
    expect([entry.signalType, entry.direction, entry.entry, entry.reason]).toEqual(['bb_breakout_up', 'LONG', '11.00', 'price 11 above upper band 10.8047 (BB 3, 1σ): go long']);
    // (11 − 10.333) / (2 × 0.471) = 0.707
    expect(entry.strength).toBeCloseTo(Math.SQRT1_2);
  });

  it('long-short: shorts the lower breakout and covers at the middle', () => {
    const r = run([new BollingerBreakoutStrategy('bb', { ...params, mode: 'long-short' })], barsFromCloses(CLOSES));
    expect(r.problems).toEqual([]);
    expect(r.orders.map((o) => [o.at, o.text])).toEqual([
      [3, 'BUY 10 MARKET'],
      [4, 'SELL 10 MARKET reduce-only'],
      [5, 'SELL 10 MARKET'],
      [6, 'BUY 10 MARKET reduce-only'],
    ]);
    expect(r.fills.map((f) => [f.at, f.text])).toEqual([
      [4, 'BUY 10 @11.50'],
      [5, 'SELL 10 @11.00'],
      [6, 'SELL 10 @9.50'],
      [7, 'BUY 10 @11.00'],
    ]);
    expect(r.signals.map((s) => s.signalType)).toEqual(['bb_breakout_up', 'bb_exit_long', 'bb_breakout_down', 'bb_exit_short']);
  });

  it('brackets a short above and below the signal bar close', () => {
    const r = run([new BollingerBreakoutStrategy('bb', { ...params, mode: 'long-short', stopPct: 0.05, takeProfitPct: 0.1, size: 4 })], barsFromCloses(CLOSES));
    // Bar 5 reference 9: stop 9 × 1.05 = 9.45, take-profit 9 × 0.9 = 8.10.
    expect(r.orders.filter((o) => o.at === 5).map((o) => o.text)).toEqual(['SELL 4 MARKET', 'BUY 4 STOP_MARKET @9.45 reduce-only', 'BUY 4 LIMIT @8.10 reduce-only']);
    expect(r.signals[2]).toMatchObject({ direction: 'SHORT', entry: '9.00', stopLoss: '9.45', takeProfit: '8.10' });
  });
});
