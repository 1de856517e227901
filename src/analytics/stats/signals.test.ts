import { describe, expect, it } from 'vitest';
import { ValueError } from '../../core/errors.js';
import { SignalEffectiveness } from './signals.js';

/*
 * Expected values from python3 (numpy 2.4):
 *   conf = np.array([0.1, 0.2, 0.35, 0.4, 0.6, 0.79, 0.8, 0.95, 1.0])          # signal confidences
 *   outs = [(0.2, 0.01), (0.35, -0.02), (0.6, 0.03), (0.79, 0.0), (0.8, 0.015), (0.95, -0.005), (1.0, 0.02)]
 *   edges = [0, 0.2, 0.4, 0.6, 0.8]; b = lambda c: min(np.searchsorted(edges, c, side='right') - 1, 4)
 *   np.bincount([b(c) for c in conf], minlength=5)             -> [1 2 1 2 3]   signals per bucket
 *   oc = np.array([b(c) for c, _ in outs]); r = np.array([x for _, x in outs])
 *   np.bincount(oc, minlength=5), np.bincount(oc[r > 0], minlength=5)  -> [0 2 0 2 3], [0 1 0 1 2]
 *   (r > 0).sum(), (r < 0).sum(), r.sum() / len(conf), r.mean(), (r > 0).mean()
 *     -> 4, 2, 0.005555555555555555, 0.007142857142857143, 0.5714285714285714
 */
const KEY = { strategy: 'mom', signalType: 'cross' };
const CONFIDENCES = [0.1, 0.2, 0.35, 0.4, 0.6, 0.79, 0.8, 0.95, 1.0];
const OUTCOMES: [number, number][] = [[0.2, 0.01], [0.35, -0.02], [0.6, 0.03], [0.79, 0.0], [0.8, 0.015], [0.95, -0.005], [1.0, 0.02]];

function scenario(): SignalEffectiveness {
  const s = new SignalEffectiveness();
  for (const c of CONFIDENCES) s.recordSignal(KEY, c);
  for (let i = 0; i < 8; i++) s.recordOrder(KEY);
  s.recordDenied(KEY, 'MAX_NOTIONAL');
  s.recordDenied(KEY, 'TRADING_HALTED');
  s.recordDenied(KEY, 'MAX_NOTIONAL');
  for (const [c, r] of OUTCOMES) s.recordOutcome(KEY, c, r);
  return s;
}

describe('SignalEffectiveness', () => {
  it('matches numpy on a fixed scenario', () => {
    const r = scenario().report(KEY)!;
    expect(r).toMatchObject({ ...KEY, signals: 9, ordersCreated: 8, ordersDenied: 3, won: 4, lost: 2 });
    expect(r.deniedByReason).toEqual({ MAX_NOTIONAL: 2, TRADING_HALTED: 1 });
    expect(r.averageReturnPerSignal).toBeCloseTo(0.005555555555555555, 15);
    expect(r.averageReturnPerTrade).toBeCloseTo(0.007142857142857143, 15);
    expect(r.hitRate).toBeCloseTo(0.5714285714285714, 15);
    expect(r.byConfidence.map((b) => [b.lower, b.upper, b.signals, b.outcomes, b.wins])).toEqual([
      [0, 0.2, 1, 0, 0], [0.2, 0.4, 2, 2, 1], [0.4, 0.6, 1, 0, 0], [0.6, 0.8, 2, 2, 1], [0.8, 1, 3, 3, 2],
    ]);
    expect(r.byConfidence.map((b) => b.hitRate)).toEqual([null, 0.5, null, 0.5, 2 / 3]);
  });

  it('keeps strategies and signal types apart', () => {
    const s = scenario();
    s.recordSignal({ strategy: 'mom', signalType: 'breakout' }, 0.5);
    s.recordSignal({ strategy: 'meanrev', signalType: 'cross' }, 0.5);
    expect(s.reports().map((r) => [r.strategy, r.signalType, r.signals])).toEqual([['mom', 'cross', 9], ['mom', 'breakout', 1], ['meanrev', 'cross', 1]]);
  });

  it('counts through a key from key() and a plain key alike, and lists a key once made', () => {
    const s = new SignalEffectiveness();
    const key = s.key('mom', 'cross');
    expect(s.reports().map((r) => [r.strategy, r.signalType, r.signals])).toEqual([['mom', 'cross', 0]]);
    s.recordSignal(key, 0.5);
    s.recordSignal(KEY, 0.9);
    s.recordOrder(key);
    s.recordDenied(key, 'MAX_NOTIONAL');
    s.recordOutcome(key, 0.5, 0.01);
    s.recordOutcome(KEY, 0.9, -0.02);
    expect(s.report(KEY)).toMatchObject({ signals: 2, ordersCreated: 1, ordersDenied: 1, won: 1, lost: 1 });
    expect(s.report(key)).toEqual(s.report(KEY));
    expect(s.key('mom', 'cross')).not.toBe(key);
    s.recordSignal(s.key('mom', 'cross'), 0.1);
    expect(s.report(KEY)!.signals).toBe(3);
  });

  it('has no rates before any outcome and no report for an unseen key', () => {
    const s = new SignalEffectiveness();
    expect(s.report(KEY)).toBeUndefined();
    expect(s.reports()).toEqual([]);
    s.recordOrder(KEY);
    expect(s.report(KEY)).toMatchObject({ signals: 0, ordersCreated: 1, averageReturnPerSignal: null, averageReturnPerTrade: null, hitRate: null });
  });

  it('rejects a confidence outside [0, 1] and a non-finite return without recording anything', () => {
    const s = new SignalEffectiveness();
    expect(() => s.recordSignal(KEY, 1.01)).toThrow(ValueError);
    expect(() => s.recordOutcome(KEY, -0.1, 0.01)).toThrow(ValueError);
    expect(() => s.recordOutcome(KEY, 0.5, NaN)).toThrow(ValueError);
    expect(s.report(KEY)).toBeUndefined();
  });
});
