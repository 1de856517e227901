import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { MaCrossStrategy } from './ma-cross.js';
import { bars, barsFromCloses, quotes, run, testInstrument } from './testkit.js';

// SMA(2) against SMA(3) on these closes (each bar opens 0.5 above the previous close):
//   bar 3: 9.5 < 9.67 (first view: fast below, no trade)
//   bar 6: 10 > 9.33  cross up      bar 9: 11 < 11.33 cross down      bar 12: 10 > 9.33 cross up
// Orders decided on a bar's close fill at the next bar's open: bars 7, 10 and 13.
const CLOSES = [10, 10, 10, 9, 8, 9, 11, 12, 12, 10, 8, 9, 11, 12];

const orderLog = (r: ReturnType<typeof run>) => r.orders.map((o) => [o.at, o.text]);
const fillLog = (r: ReturnType<typeof run>) => r.fills.map((f) => [f.at, f.text]);

describe('MaCrossStrategy', () => {
  it('long-only: buys on a cross up, sells out on a cross down, fills at the next open', () => {
    const r = run([new MaCrossStrategy('ma', { fast: 2, slow: 3 })], barsFromCloses(CLOSES));
    expect(r.problems).toEqual([]);
    expect(orderLog(r)).toEqual([
      [6, 'BUY 10 MARKET'],
      [9, 'SELL 10 MARKET reduce-only'],
      [12, 'BUY 10 MARKET'],
    ]);
    expect(fillLog(r)).toEqual([
      [7, 'BUY 10 @11.50'],
      [10, 'SELL 10 @10.50'],
      [13, 'BUY 10 @11.50'],
    ]);
    expect(Math.min(...r.positions.get('TEST')!)).toBe(0);
    expect(r.signals.map((s) => [s.at, s.direction, s.signalType, s.entry])).toEqual([
      [6, 'LONG', 'ma_cross_up', '11.00'],
      [9, 'FLAT', 'ma_cross_down', '10.00'],
      [12, 'LONG', 'ma_cross_up', '11.00'],
    ]);
    const first = r.signals[0]!;
    expect(first.reason).toBe('SMA(2) 10 crossed above SMA(3) 9.33333: go long');
    // Gap (10 − 9.33) / 9.33 = 7% is past the 1% full-strength gap.
    expect([first.strength, first.confidence, first.stopLoss, first.takeProfit]).toEqual([1, 1, undefined, undefined]);
  });

  it('long-short: flips with one order for the difference', () => {
    const r = run([new MaCrossStrategy('ma', { fast: 2, slow: 3, mode: 'long-short' })], barsFromCloses(CLOSES));
    expect(r.problems).toEqual([]);
    expect(orderLog(r)).toEqual([
      [6, 'BUY 10 MARKET'],
      [9, 'SELL 20 MARKET'],
      [12, 'BUY 20 MARKET'],
    ]);
    expect(fillLog(r)).toEqual([
      [7, 'BUY 10 @11.50'],
      [10, 'SELL 20 @10.50'],
      [13, 'BUY 20 @11.50'],
    ]);
    const pos = r.positions.get('TEST')!;
    expect([pos[6], pos[7], pos[9], pos[10], pos[12], pos[13]]).toEqual([0, 10, 10, -10, -10, 10]);
    expect(r.signals.map((s) => s.direction)).toEqual(['LONG', 'SHORT', 'LONG']);
  });

  it('places brackets at entry ± the percentages on the tick, and a take-profit exit is not re-entered', () => {
    const specs = barsFromCloses(CLOSES).map((b) => [b.open.toNumber(), b.high.toNumber(), b.low.toNumber(), b.close.toNumber()] as const);
    specs[8] = [11.9, 12.2, 11.8, 12]; // reaches the take-profit 12.10 inside the bar
    const r = run([new MaCrossStrategy('ma', { fast: 2, slow: 3, stopPct: 0.05, takeProfitPct: 0.1 })], bars(specs));
    expect(r.problems).toEqual([]);
    // Entry reference 11 (the cross bar's close): stop 11 × 0.95 = 10.45, take-profit 11 × 1.1 = 12.10.
    expect(orderLog(r)).toEqual([
      [6, 'BUY 10 MARKET'],
      [6, 'SELL 10 STOP_MARKET @10.45 reduce-only'],
      [6, 'SELL 10 LIMIT @12.10 reduce-only'],
      [12, 'BUY 10 MARKET'],
      [12, 'SELL 10 STOP_MARKET @10.45 reduce-only'],
      [12, 'SELL 10 LIMIT @12.10 reduce-only'],
    ]);
    // The cross down at bar 9 finds the position already flat: no order.
    expect(fillLog(r)).toEqual([
      [7, 'BUY 10 @11.50'],
      [8, 'SELL 10 @12.10'],
      [13, 'BUY 10 @11.50'],
    ]);
    expect(r.orders[1]!.order.status).toBe('CANCELED'); // the stop, by OCO
    expect(r.signals.map((s) => [s.at, s.direction, s.entry, s.stopLoss, s.takeProfit])).toEqual([
      [6, 'LONG', '11.00', '10.45', '12.10'],
      [12, 'LONG', '11.00', '10.45', '12.10'],
    ]);
  });

  it('cancels the old bracket exits when the target flips, and brackets a short the other way round', () => {
    const r = run([new MaCrossStrategy('ma', { fast: 2, slow: 3, mode: 'long-short', stopPct: 0.2, takeProfitPct: 0.5 })], barsFromCloses(CLOSES));
    expect(r.problems).toEqual([]);
    expect(orderLog(r)).toEqual([
      [6, 'BUY 10 MARKET'],
      [6, 'SELL 10 STOP_MARKET @8.80 reduce-only'],
      [6, 'SELL 10 LIMIT @16.50 reduce-only'],
      [9, 'SELL 20 MARKET'],
      [9, 'BUY 20 STOP_MARKET @12.00 reduce-only'],
      [9, 'BUY 20 LIMIT @5.00 reduce-only'],
      [12, 'BUY 20 MARKET'],
      [12, 'SELL 20 STOP_MARKET @8.80 reduce-only'],
      [12, 'SELL 20 LIMIT @16.50 reduce-only'],
    ]);
    expect(r.orders.map((o) => o.order.status)).toEqual(['FILLED', 'CANCELED', 'CANCELED', 'FILLED', 'CANCELED', 'CANCELED', 'FILLED', 'ACCEPTED', 'ACCEPTED']);
    expect(fillLog(r)).toEqual([
      [7, 'BUY 10 @11.50'],
      [10, 'SELL 20 @10.50'],
      [13, 'BUY 20 @11.50'],
    ]);
  });

  it('with kind ema, trades on EMA crosses', () => {
    // EMA(n) = p·k + previous·(1 − k), k = 2 / (n + 1), seeded with the first price; stable from bar 2.
    // EMA(2): 10 10 10 9.333 8.444 8.815 10.272 11.424 11.808 10.603
    // EMA(3): 10 10 10 9.5   8.75  8.875 9.938  10.969 11.484 10.742
    // Bar 3 is the first view (below); bar 6 crosses up, bar 9 crosses down.
    const r = run([new MaCrossStrategy('ma', { fast: 2, slow: 3, kind: 'ema' })], barsFromCloses(CLOSES.slice(0, 11)));
    expect(orderLog(r)).toEqual([
      [6, 'BUY 10 MARKET'],
      [9, 'SELL 10 MARKET reduce-only'],
    ]);
    expect(r.signals[0]!.reason).toBe('EMA(2) 10.2716 crossed above EMA(3) 9.9375: go long');
  });

  it('reads quote mids when source is quote (and fills at once at the touch)', () => {
    const r = run([new MaCrossStrategy('ma', { fast: 2, slow: 3, source: 'quote' })], quotes(CLOSES.slice(0, 8)));
    expect(r.problems).toEqual([]);
    expect(orderLog(r)).toEqual([[6, 'BUY 10 MARKET']]);
    expect(fillLog(r)).toEqual([[6, 'BUY 10 @11.05']]);
  });

  it('ignores data other than its source', () => {
    const r = run([new MaCrossStrategy('ma', { fast: 2, slow: 3, source: 'quote' })], barsFromCloses(CLOSES));
    expect(r.orders).toEqual([]);
  });

  it('keeps separate state per instrument', () => {
    const a = barsFromCloses(CLOSES, 0.5, 'A');
    const b = barsFromCloses(CLOSES.map((c) => c * 2), 1, 'B');
    const data = a.flatMap((bar, i) => [bar, b[i]!]);
    const r = run([new MaCrossStrategy('ma', { fast: 2, slow: 3, size: '3' })], data, { instruments: [testInstrument('A'), testInstrument('B')] });
    expect(r.problems).toEqual([]);
    expect(r.fills.map((f) => f.text)).toEqual(['BUY 3 @11.50', 'BUY 3 @23.00', 'SELL 3 @10.50', 'SELL 3 @21.00', 'BUY 3 @11.50', 'BUY 3 @23.00']);
  });

  it('only trades the instruments it is given', () => {
    const data = barsFromCloses(CLOSES, 0.5, 'A').flatMap((bar) => [bar, { ...bar, instrumentId: 'B' }]);
    const r = run([new MaCrossStrategy('ma', { fast: 2, slow: 3 }, ['B'])], data, { instruments: [testInstrument('A'), testInstrument('B')] });
    expect(new Set(r.orders.map((o) => o.order.instrumentId))).toEqual(new Set(['B']));
  });

  it('sends nothing while an order is in flight, then acts on the target it still wants', () => {
    // 200 s latency: the bar-6 buy reaches the venue after bar 9 and fills at bar 10's open, so the
    // bar-9 cross down waits; at bar 10 the averages still point down and the flip goes out.
    const r = run([new MaCrossStrategy('ma', { fast: 2, slow: 3, mode: 'long-short' })], barsFromCloses(CLOSES), { latencyMs: 200_000 });
    expect(r.problems).toEqual([]);
    expect(orderLog(r)).toEqual([
      [6, 'BUY 10 MARKET'],
      [10, 'SELL 20 MARKET'],
    ]);
    expect(fillLog(r)).toEqual([[10, 'BUY 10 @10.50']]);
  });

  it('sends nothing while paused, then follows the current view', () => {
    const s = new MaCrossStrategy('ma', { fast: 2, slow: 3 });
    const r = run([s], barsFromCloses(CLOSES), { beforeStep: (i) => (s.paused = i >= 6 && i <= 7) });
    expect(orderLog(r)).toEqual([
      [8, 'BUY 10 MARKET'],
      [9, 'SELL 10 MARKET reduce-only'],
      [12, 'BUY 10 MARKET'],
    ]);
    expect(r.signals.map((x) => x.at)).toEqual([8, 9, 12]);
  });

  it('defaults the size to 10 × the minimum size and rejects a size off the step at start', () => {
    expect(() => run([new MaCrossStrategy('ma', { size: '0.5' })], [])).toThrow(
      new InputError('ma_cross param size: "0.5" does not fit TEST: quantity 0.5 is not a multiple of step 1 for TEST'),
    );
  });
});
