import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../core/errors.js';
import { DrawdownTracker } from './drawdown.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

function fed(equity: number[]): DrawdownTracker {
  const d = new DrawdownTracker();
  equity.forEach((e, i) => d.update(T0 + i * MIN, e));
  return d;
}

/*
 * Expected values from python3 (numpy 2.4), a naive scan independent of the tracker:
 *   t0, step = 1_700_000_000_000, 60_000
 *   eq = np.array([100, 90, 80, 95, 100, 150, 200, 185, 170, 190, 180, 175], float)
 *   ts = t0 + step * np.arange(len(eq))
 *   hwm = np.maximum.accumulate(eq); dd = hwm - eq; frac = dd / hwm
 *   peak = np.array([max(j for j in range(i + 1) if eq[j] == hwm[i]) for i in range(len(eq))])
 *   def episode(i):
 *       p = peak[i]; rec = [k for k in range(i + 1, len(eq)) if eq[k] >= eq[p]]
 *       return dict(amount=dd[i], fraction=frac[i], peakTs=ts[p], troughTs=ts[i],
 *                   recoveryTs=ts[rec[0]] if rec else None, ttr=(ts[rec[0]] - ts[i]) if rec else None)
 *   hwm[-1], dd[-1], frac[-1], ts[-1] - ts[peak[-1]]  -> 200.0, 25.0, 0.125, 300000
 *   episode(np.argmax(frac)) -> amount 20, fraction 0.2, peakTs t0, troughTs t0+120000, recoveryTs t0+240000, ttr 120000
 *   episode(np.argmax(dd))   -> amount 30, fraction 0.15, peakTs t0+360000, troughTs t0+480000, recoveryTs None, ttr None
 *   max(ts[i] - ts[peak[i - 1]] for i in range(1, len(eq)) if dd[i] > 0 or dd[i - 1] > 0)  -> 300000
 */
describe('DrawdownTracker', () => {
  const EQUITY = [100, 90, 80, 95, 100, 150, 200, 185, 170, 190, 180, 175];

  it('tracks a drawdown that recovers and a deeper-in-amount one that does not', () => {
    const d = fed(EQUITY);
    expect(d.highWaterMark).toBe(200);
    expect(d.drawdown).toBe(25);
    expect(d.drawdownFraction).toBe(0.125);
    expect(d.drawdownDuration).toBe(300_000);
    expect(d.longestDrawdownDuration).toBe(300_000);
    expect(d.maxDrawdown).toEqual({ amount: 20, fraction: 0.2, peakTs: T0, troughTs: T0 + 120_000, recoveryTs: T0 + 240_000, timeToRecovery: 120_000 });
    expect(d.maxDrawdownAmount).toEqual({ amount: 30, fraction: 0.15, peakTs: T0 + 360_000, troughTs: T0 + 480_000, recoveryTs: null, timeToRecovery: null });
  });

  it('records the recovery of the open max drawdown when equity regains the peak', () => {
    const d = fed([...EQUITY, 205]);
    expect(d.maxDrawdownAmount!.recoveryTs).toBe(T0 + 12 * MIN);
    expect(d.maxDrawdownAmount!.timeToRecovery).toBe(T0 + 12 * MIN - (T0 + 480_000));
    expect(d.drawdown).toBe(0);
    expect(d.drawdownDuration).toBe(0);
    expect(d.longestDrawdownDuration).toBe(360_000);
  });

  it('has no drawdown on a flat equity curve', () => {
    const d = fed([100, 100, 100, 100]);
    expect(d.highWaterMark).toBe(100);
    expect(d.drawdown).toBe(0);
    expect(d.drawdownFraction).toBe(0);
    expect(d.drawdownDuration).toBe(0);
    expect(d.longestDrawdownDuration).toBe(0);
    expect(d.maxDrawdown).toBeNull();
    expect(d.maxDrawdownAmount).toBeNull();
  });

  it('starts empty', () => {
    const d = new DrawdownTracker();
    expect(d.highWaterMark).toBeNull();
    expect(d.drawdownFraction).toBeNull();
    expect(d.maxDrawdown).toBeNull();
  });

  it('has amounts but no fractions for a P&L curve that peaks at or below 0', () => {
    const d = fed([0, -10, -30, -5]);
    expect(d.drawdown).toBe(5);
    expect(d.drawdownFraction).toBeNull();
    expect(d.maxDrawdown).toBeNull();
    expect(d.maxDrawdownAmount).toMatchObject({ amount: 30, fraction: null, peakTs: T0, troughTs: T0 + 2 * MIN });
  });

  it('rejects time going backwards and non-finite equity', () => {
    const d = fed([100, 90]);
    expect(() => d.update(T0, 95)).toThrow(ValueError);
    expect(() => d.update(T0 + 5 * MIN, NaN)).toThrow(ValueError);
  });

  it('never reports a current drawdown deeper than the max, and the max equals the batch value (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), (equity) => {
        const d = new DrawdownTracker();
        let peak = -Infinity;
        let maxAmount = 0;
        let maxFraction = 0;
        equity.forEach((e, i) => {
          d.update(i, e);
          peak = Math.max(peak, e);
          maxAmount = Math.max(maxAmount, peak - e);
          maxFraction = Math.max(maxFraction, (peak - e) / peak);
          expect(d.maxDrawdownAmount?.amount ?? 0).toBeGreaterThanOrEqual(d.drawdown);
          expect(d.maxDrawdown?.fraction ?? 0).toBeGreaterThanOrEqual(d.drawdownFraction!);
          expect(d.longestDrawdownDuration).toBeGreaterThanOrEqual(d.drawdownDuration);
        });
        expect(d.maxDrawdownAmount?.amount ?? 0).toBe(maxAmount);
        expect(d.maxDrawdown?.fraction ?? 0).toBe(maxFraction);
      }),
    );
  });
});
