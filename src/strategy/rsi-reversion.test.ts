import { describe, expect, it } from 'vitest';
import { RsiReversionStrategy } from './rsi-reversion.js';
import { barsFromCloses, run } from './testkit.js';

// RSI(2), Wilder smoothing (first averages are plain means of the first two changes):
//   bar:     0   1    2     3      4      5      6       7
//   close:   10  11   10    9      10     11     10      10
//   avgGain  -   -    0.5   0.25   0.625  0.8125 0.40625
//   avgLoss  -   -    0.5   0.75   0.375  0.1875 0.59375
//   RSI      -   -    50    25     62.5   81.25  40.625
// Bar 3 oversold → long; bar 4 ≥ exit 50 → flat; bar 5 overbought → short; bar 6 ≤ 50 → flat.
// Each bar opens 0.5 above the previous close; fills are at the next bar's open.
const CLOSES = [10, 11, 10, 9, 10, 11, 10, 10];
const params = { period: 2, oversold: 30, overbought: 70, exit: 50 };

describe('RsiReversionStrategy', () => {
  it('long-only: buys when oversold, sells at the exit level, never goes short', () => {
    const r = run([new RsiReversionStrategy('rsi', params)], barsFromCloses(CLOSES));
    expect(r.problems).toEqual([]);
    expect(r.orders.map((o) => [o.at, o.text])).toEqual([
      [3, 'BUY 10 MARKET'],
      [4, 'SELL 10 MARKET reduce-only'],
    ]);
    expect(r.fills.map((f) => [f.at, f.text])).toEqual([
      [4, 'BUY 10 @9.50'],
      [5, 'SELL 10 @10.50'],
    ]);
    expect(r.positions.get('TEST')).toEqual([0, 0, 0, 0, 10, 0, 0, 0]);
    const [entry, exit] = r.signals;
    expect([entry!.signalType, entry!.direction, entry!.entry, entry!.reason]).toEqual(['rsi_oversold', 'LONG', '9.00', 'RSI(2) 25 reached oversold 30: go long']);
    expect(entry!.strength).toBeCloseTo(0.5); // |25 − 50| / 50
    expect(entry!.confidence).toBeCloseTo(0.75);
    expect([exit!.signalType, exit!.direction, exit!.reason]).toEqual(['rsi_exit_long', 'FLAT', 'RSI(2) 62.5 reached exit 50: go flat']);
  });

  it('long-short: shorts when overbought and covers at the exit level', () => {
    const r = run([new RsiReversionStrategy('rsi', { ...params, mode: 'long-short' })], barsFromCloses(CLOSES));
    expect(r.problems).toEqual([]);
    expect(r.orders.map((o) => [o.at, o.text])).toEqual([
      [3, 'BUY 10 MARKET'],
      [4, 'SELL 10 MARKET reduce-only'],
      [5, 'SELL 10 MARKET'],
      [6, 'BUY 10 MARKET reduce-only'],
    ]);
    expect(r.fills.map((f) => [f.at, f.text])).toEqual([
      [4, 'BUY 10 @9.50'],
      [5, 'SELL 10 @10.50'],
      [6, 'SELL 10 @11.50'],
      [7, 'BUY 10 @10.50'],
    ]);
    expect(r.signals.map((s) => s.signalType)).toEqual(['rsi_oversold', 'rsi_exit_long', 'rsi_overbought', 'rsi_exit_short']);
  });

  it('brackets a long from the signal bar close and cancels the exits when it goes flat', () => {
    const r = run([new RsiReversionStrategy('rsi', { ...params, stopPct: 0.1, takeProfitPct: 0.25 })], barsFromCloses(CLOSES.slice(0, 6)));
    // Reference 9: stop 8.10, take-profit 11.25.
    expect(r.orders.map((o) => [o.at, o.text, o.order.status])).toEqual([
      [3, 'BUY 10 MARKET', 'FILLED'],
      [3, 'SELL 10 STOP_MARKET @8.10 reduce-only', 'CANCELED'],
      [3, 'SELL 10 LIMIT @11.25 reduce-only', 'CANCELED'],
      [4, 'SELL 10 MARKET reduce-only', 'FILLED'],
    ]);
    // The exits were sent when the entry filled at bar 4's open and canceled in the same step,
    // before the venue acknowledged them: the acknowledgement arrives while PENDING_CANCEL,
    // which the transition table allows, so no invalid transition is reported.
    expect(r.problems).toEqual([]);
  });
});
