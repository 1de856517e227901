import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../core/errors.js';
import { DrawdownTracker } from './drawdown.js';
import { ReturnStats, calmar } from './returns.js';

/*
 * Expected values from python3 (numpy 2.4):
 *   r = np.array([0.01, -0.02, 0.015, 0.003, -0.007, 0.012, -0.001, 0.02, -0.015, 0.005])
 *   ppy, rf, tgt = 252, 0.02, 0.001
 *   sd = r.std(ddof=1)                                        -> 0.013036700332352338 (mean 0.0022)
 *   sd * np.sqrt(ppy)                                         -> 0.2069512019776643
 *   (r.mean() - rf / ppy) / sd * np.sqrt(ppy)                 -> 2.582251250020169
 *   dd0 = np.sqrt(np.mean(np.minimum(0, r) ** 2))             -> 0.008215838362577492
 *   r.mean() / dd0 * np.sqrt(ppy)                             -> 4.250803845548902
 *   dd1 = np.sqrt(np.mean(np.minimum(0, r - tgt) ** 2))       -> 0.008746427842267951
 *   (r.mean() - tgt) / dd1 * np.sqrt(ppy)                     -> 2.1779645111352726
 *   g = np.prod(1 + r); g - 1                                 -> 0.02143829951004017
 *   g ** (ppy / len(r)) - 1                                   -> 0.7066555494151967
 *   eq = np.concatenate([[1.0], np.cumprod(1 + r)])
 *   mdd = np.max(1 - eq / np.maximum.accumulate(eq))          -> 0.020000000000000018
 *   (g ** (ppy / len(r)) - 1) / mdd                           -> 35.3327774707598
 */
const R = [0.01, -0.02, 0.015, 0.003, -0.007, 0.012, -0.001, 0.02, -0.015, 0.005];

function fed(returns: number[], options: ConstructorParameters<typeof ReturnStats>[0]): ReturnStats {
  const s = new ReturnStats(options);
  for (const r of returns) s.add(r);
  return s;
}

describe('ReturnStats', () => {
  it('matches numpy on a fixed series', () => {
    const s = fed(R, { periodsPerYear: 252, riskFreeRate: 0.02 });
    expect(s.count).toBe(10);
    expect(s.mean()).toBeCloseTo(0.0022, 15);
    expect(s.std()).toBeCloseTo(0.013036700332352338, 15);
    expect(s.volatility()).toBeCloseTo(0.2069512019776643, 14);
    expect(s.sharpe()).toBeCloseTo(2.582251250020169, 12);
    expect(s.downsideDeviation()).toBeCloseTo(0.008215838362577492, 15);
    expect(s.sortino()).toBeCloseTo(4.250803845548902, 12);
    expect(s.totalReturn()).toBeCloseTo(0.02143829951004017, 14);
    expect(s.annualizedReturn()).toBeCloseTo(0.7066555494151967, 12);
    expect(s.best()).toBe(0.02);
    expect(s.worst()).toBe(-0.02);
  });

  it('measures the downside against a target (MAR)', () => {
    const s = fed(R, { periodsPerYear: 252, target: 0.001 });
    expect(s.downsideDeviation()).toBeCloseTo(0.008746427842267951, 15);
    expect(s.sortino()).toBeCloseTo(2.1779645111352726, 12);
  });

  it('has no statistics before any sample and no ratios with one', () => {
    const s = new ReturnStats({ periodsPerYear: 252 });
    for (const v of [s.mean(), s.best(), s.worst(), s.std(), s.volatility(), s.downsideDeviation(), s.sharpe(), s.sortino(), s.totalReturn(), s.annualizedReturn()]) {
      expect(v).toBeNull();
    }
    s.add(-0.01);
    expect(s.mean()).toBe(-0.01);
    expect(s.std()).toBeNull();
    expect(s.sharpe()).toBeNull();
    expect(s.sortino()).toBeNull();
  });

  it('gives zero volatility and no Sharpe or Sortino for a constant series', () => {
    const s = fed([0.001, 0.001, 0.001, 0.001], { periodsPerYear: 252 });
    expect(s.volatility()).toBe(0);
    expect(s.sharpe()).toBeNull();
    expect(s.sortino()).toBeNull(); // never below the target: no downside
  });

  it('compounds a total loss to -100%', () => {
    const s = fed([0.1, -1.2, 0.5], { periodsPerYear: 12 });
    expect(s.totalReturn()).toBe(-1);
    expect(s.annualizedReturn()).toBe(-1);
  });

  it('rejects bad options and non-finite returns', () => {
    expect(() => new ReturnStats({ periodsPerYear: 0 })).toThrow(ValueError);
    expect(() => new ReturnStats({ periodsPerYear: 252, riskFreeRate: NaN })).toThrow(ValueError);
    expect(() => new ReturnStats({ periodsPerYear: 252 }).add(Infinity)).toThrow(ValueError);
  });

  it('agrees with the batch mean and sample variance (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -0.5, max: 0.5, noNaN: true }), { minLength: 2, maxLength: 300 }), (xs) => {
        const s = fed(xs, { periodsPerYear: 252 });
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
        // Relative to the data's scale: a variance near 0 has no meaningful relative error of its own.
        const scale = Math.max(...xs.map((x) => x * x), Number.MIN_VALUE);
        // Plus an absolute floor: with subnormal inputs 1e-9 × scale underflows to 0.
        expect(Math.abs(s.mean()! - mean)).toBeLessThanOrEqual(1e-9 * Math.sqrt(scale) + 1e-300);
        expect(Math.abs(s.std()! ** 2 - variance)).toBeLessThanOrEqual(1e-9 * scale + 1e-300);
      }),
    );
  });
});

describe('calmar', () => {
  it('divides the annualized return by the max drawdown of the compounded curve', () => {
    const s = fed(R, { periodsPerYear: 252 });
    const dd = new DrawdownTracker();
    let equity = 1;
    dd.update(0, equity);
    R.forEach((r, i) => dd.update(i + 1, (equity *= 1 + r)));
    expect(dd.maxDrawdown!.fraction).toBeCloseTo(0.020000000000000018, 14);
    expect(calmar(s.annualizedReturn()!, dd.maxDrawdown!.fraction!)).toBeCloseTo(35.3327774707598, 10);
  });

  it('is null for a zero drawdown and rejects a negative one', () => {
    expect(calmar(0.1, 0)).toBeNull();
    expect(() => calmar(0.1, -0.2)).toThrow(ValueError);
  });
});
