import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { correlationFromCovariance, estimateCorrelation, estimateModel, RollingCorrelation, sampleCovariance } from './covariance.js';
import { RETURNS } from './fixture.js';

/*
 * numpy 2.4 on the fixture's series R (rows BTC-USD, ETH-USD, SPY):
 *   R.mean(axis=1)  -> [0.01903175, 0.01632275, 0.00293475]
 *   np.cov(R)       -> [[1.2058775378846151e-03, 8.9347638480769237e-04, 9.8348153012820500e-05],
 *                       [8.9347638480769237e-04, 2.1629807230128199e-03, 2.1048296096153851e-04],
 *                       [9.8348153012820500e-05, 2.1048296096153851e-04, 6.3010430705128201e-05]]
 *   np.corrcoef(R)  -> off-diagonal 0.5532292719868674, 0.3567864737670845, 0.5701437868678256
 */
const MEAN = [0.01903175, 0.01632275, 0.00293475];
const COV = [
  [1.2058775378846151e-3, 8.9347638480769237e-4, 9.83481530128205e-5],
  [8.9347638480769237e-4, 2.1629807230128199e-3, 2.1048296096153851e-4],
  [9.83481530128205e-5, 2.1048296096153851e-4, 6.3010430705128201e-5],
];

function expectMatrixClose(actual: number[][], expected: number[][], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((x, j) => expect(Math.abs(x - expected[i]![j]!)).toBeLessThanOrEqual(tolerance)));
}

describe('sample statistics', () => {
  it('match numpy on the fixture', () => {
    const model = estimateModel(RETURNS);
    expect(model.symbols).toEqual(['BTC-USD', 'ETH-USD', 'SPY']);
    model.mean.forEach((m, i) => expect(m).toBeCloseTo(MEAN[i]!, 15));
    expectMatrixClose(model.covariance, COV, 1e-17);
    const corr = estimateCorrelation(RETURNS, ['SPY', 'BTC-USD']);
    expect(corr.symbols).toEqual(['SPY', 'BTC-USD']);
    expectMatrixClose(corr.matrix, [[1, 0.3567864737670845], [0.3567864737670845, 1]], 1e-14);
    expect(corr.zeroVariance).toEqual([]);
  });

  it('give a constant series exactly zero variance, zero correlation and a flag', () => {
    const cov = sampleCovariance([[0.1, 0.1, 0.1], [0.01, -0.02, 0.03]]);
    expect(cov[0]).toEqual([0, 0]);
    const corr = estimateCorrelation({ USDT: [0.1, 0.1, 0.1], BTC: [0.01, -0.02, 0.03], ETH: [0.02, -0.01, 0.05] });
    expect(corr.zeroVariance).toEqual(['USDT']);
    expect(corr.matrix[0]).toEqual([1, 0, 0]);
    expect(corr.matrix[1]![2]).toBeGreaterThan(0.9);
  });

  it('reject misaligned or too short series and a misshapen covariance', () => {
    expect(() => estimateModel({ A: [0.1, 0.2], B: [0.1] })).toThrow('return series B has 1 periods, expected 2 like A');
    expect(() => estimateModel({ A: [0.1] })).toThrow('return series have 1 periods, need at least 2');
    expect(() => estimateModel({ A: [0.1, Infinity] })).toThrow('return A[1] Infinity must be finite');
    expect(() => sampleCovariance([[1, 2], [1]])).toThrow('series 1 has 1 observations, expected 2');
    expect(() => correlationFromCovariance(['A', 'B'], [[1, 0]])).toThrow('covariance has 1 rows for 2 symbols');
  });
});

describe('RollingCorrelation', () => {
  // Returns to 4 decimals from a narrow range, so that windows with a constant series are common.
  const value = fc.integer({ min: -30, max: 30 }).map((i) => i / 1e4);

  it('equals the batch statistics of the last `window` vectors after every push', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.tuple(value, value, value), { minLength: 1, maxLength: 60 }),
        (window, stream) => {
          const rolling = new RollingCorrelation(['A', 'B', 'C'], window);
          stream.forEach((vector, t) => {
            rolling.push(vector);
            const recent = stream.slice(Math.max(0, t + 1 - window), t + 1);
            expect(rolling.count).toBe(recent.length);
            if (recent.length < 2) return;
            const series = [0, 1, 2].map((i) => recent.map((v) => v[i]!));
            const batch = correlationFromCovariance(['A', 'B', 'C'], sampleCovariance(series));
            expectMatrixClose(rolling.covariance(), sampleCovariance(series), 1e-15);
            const corr = rolling.correlation();
            expect(corr.zeroVariance).toEqual(batch.zeroVariance);
            expectMatrixClose(corr.matrix, batch.matrix, 1e-6);
            rolling.model().mean.forEach((m, i) => expect(m).toBeCloseTo(series[i]!.reduce((s, x) => s + x, 0) / recent.length, 12));
          });
        },
      ),
    );
  });

  it('stays accurate over a long stream with a large common offset', () => {
    const rng = new Random(11);
    const window = 50;
    const rolling = new RollingCorrelation(['A', 'B'], window);
    const kept: number[][] = [];
    for (let t = 0; t < 20_000; t++) {
      const z = rng.normal();
      const vector = [0.5 + 0.01 * z, 0.5 + 0.01 * (0.6 * z + 0.8 * rng.normal())];
      rolling.push(vector);
      kept.push(vector);
    }
    const recent = kept.slice(-window);
    const batch = sampleCovariance([recent.map((v) => v[0]!), recent.map((v) => v[1]!)]);
    rolling.covariance().forEach((row, i) => row.forEach((c, j) => expect(Math.abs(c / batch[i]![j]! - 1)).toBeLessThan(1e-8)));
  });

  it('rejects bad construction, bad vectors and too few observations', () => {
    expect(() => new RollingCorrelation(['A', 'A'], 5)).toThrow('symbols A, A are not distinct');
    expect(() => new RollingCorrelation(['A'], 1)).toThrow('window 1 must be an integer ≥ 2');
    const rolling = new RollingCorrelation(['A', 'B'], 5);
    expect(() => rolling.push([0.1])).toThrow('return vector has 1 entries for 2 symbols');
    expect(() => rolling.push([0.1, NaN])).toThrow('return B NaN must be finite');
    rolling.push([0.1, 0.2]);
    expect(() => rolling.correlation()).toThrow('rolling covariance has 1 observation(s), needs at least 2');
  });
});
