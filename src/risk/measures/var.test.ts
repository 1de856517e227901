import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateModel } from './covariance.js';
import { arbitraryBook, BOOK, RETURNS } from './fixture.js';
import type { ReturnModel } from './inputs.js';
import { normInv, normPdf } from './normal.js';
import { empiricalRisk, historicalVaR, monteCarloVaR, parametricVaR, varBreakdown } from './var.js';

/*
 * Expected figures computed independently with numpy 2.4 / scipy 1.17, R being the fixture's
 * three series as rows (BTC-USD, ETH-USD, SPY) and w = [100_000, -40_000, 250_000]:
 *
 *   def hist(pnl, c, h=1):
 *       q = np.quantile(pnl, 1 - c, method='linear')
 *       return -q * np.sqrt(h), -pnl[pnl <= q].mean() * np.sqrt(h)
 *   def param(w, R, c, h=1, mean=False):
 *       mu, S = R.mean(axis=1) @ w, np.sqrt(w @ np.cov(R) @ w)
 *       z, d = norm.ppf(c), (mu * h if mean else 0)
 *       return z * S * np.sqrt(h) - d, S * np.sqrt(h) * norm.pdf(z) / (1 - c) - d
 *
 *   hist(1e5 * R[0], 0.95)           -> 3862.199999999999, 4825.0
 *   hist(w @ R, 0.95)                -> 4458.249999999999, 5473.4
 *   hist(w @ R, 0.99, 10)            -> 17690.141730635172, 19043.5522973
 *   param(w, R, 0.99)                -> 8393.453395910408, 9616.081755534335
 *   param(w, R, 0.95, 10, mean=True) -> -1072.5929288820007, 3694.9649427084587
 */
const close = (actual: number, expected: number): void => expect(actual).toBeCloseTo(expected, 6);

describe('historicalVaR', () => {
  it('matches numpy for a single position', () => {
    const r = historicalVaR([{ symbol: 'BTC-USD', value: 100_000 }], RETURNS, { confidence: 0.95 });
    close(r.valueAtRisk, 3862.2);
    close(r.expectedShortfall, 4825.0);
  });

  it('matches numpy for a long/short book, with √h scaling', () => {
    const one = historicalVaR(BOOK, RETURNS, { confidence: 0.95 });
    close(one.valueAtRisk, 4458.25);
    close(one.expectedShortfall, 5473.4);
    const ten = historicalVaR(BOOK, RETURNS, { confidence: 0.99, horizon: 10 });
    close(ten.valueAtRisk, 17690.141730635172);
    close(ten.expectedShortfall, 19043.5522973);
  });

  it('nets positions in the same symbol and is zero for an empty book', () => {
    const split = [...BOOK, { symbol: 'SPY', value: -50_000 }, { symbol: 'SPY', value: 50_000 }];
    expect(historicalVaR(split, RETURNS, { confidence: 0.95 })).toEqual(historicalVaR(BOOK, RETURNS, { confidence: 0.95 }));
    expect(historicalVaR([], RETURNS, { confidence: 0.95 })).toEqual({ valueAtRisk: 0, expectedShortfall: 0 });
  });

  it('rejects bad options and data with named values', () => {
    expect(() => historicalVaR(BOOK, RETURNS, { confidence: 1.2 })).toThrow('confidence 1.2 must be in (0, 1)');
    expect(() => historicalVaR(BOOK, RETURNS, { confidence: 0.99, horizon: 2.5 })).toThrow('horizon 2.5 must be a positive integer');
    expect(() => historicalVaR([{ symbol: 'AAPL', value: 1 }], RETURNS, { confidence: 0.99 })).toThrow('symbol AAPL has no return series');
    const ragged = { ...RETURNS, SPY: [0.01] };
    expect(() => historicalVaR(BOOK, ragged, { confidence: 0.99 })).toThrow('return series SPY has 1 periods, expected 40');
    expect(() => historicalVaR([{ symbol: 'SPY', value: NaN }], RETURNS, { confidence: 0.99 })).toThrow('position SPY value NaN must be finite');
  });
});

describe('empiricalRisk', () => {
  it('interpolates like numpy and averages the outcomes at or below the quantile', () => {
    // np.quantile([-5, -3, -1, 0, 2], 0.2) = -3.4 (h = 0.8 between -5 and -3); tail = {-5}.
    const r = empiricalRisk([0, -3, 2, -5, -1], 0.8);
    expect(r.valueAtRisk).toBeCloseTo(3.4, 12);
    expect(r.expectedShortfall).toBe(5);
  });

  it('has ES ≥ VaR', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0.5, max: 0.999, noNaN: true }),
        (pnl, c) => {
          const r = empiricalRisk(pnl, c);
          expect(r.expectedShortfall).toBeGreaterThanOrEqual(r.valueAtRisk - 1e-9 * Math.abs(r.valueAtRisk));
        },
      ),
    );
  });

  it('rejects an empty sample', () => {
    expect(() => empiricalRisk([], 0.99)).toThrow('P&L sample is empty');
  });
});

describe('parametricVaR', () => {
  const model = estimateModel(RETURNS);

  it('matches scipy without the mean', () => {
    const r = parametricVaR(BOOK, model, { confidence: 0.99 });
    close(r.valueAtRisk, 8393.453395910408);
    close(r.expectedShortfall, 9616.081755534335);
  });

  it('matches scipy with the mean over 10 periods (a negative VaR: the drift outweighs the risk)', () => {
    const r = parametricVaR(BOOK, model, { confidence: 0.95, horizon: 10, includeMean: true });
    close(r.valueAtRisk, -1072.5929288820007);
    close(r.expectedShortfall, 3694.9649427084587);
  });

  it('rejects a position outside the model and a malformed model', () => {
    expect(() => parametricVaR([{ symbol: 'AAPL', value: 1 }], model, { confidence: 0.99 })).toThrow('position AAPL has no return data');
    const bad: ReturnModel = { ...model, mean: [0] };
    expect(() => parametricVaR(BOOK, bad, { confidence: 0.99 })).toThrow('return model mean has 1 entries for 3 symbols');
  });
});

describe('varBreakdown', () => {
  it('has components summing to the parametric portfolio VaR, and stand-alone VaR per position', () => {
    fc.assert(
      fc.property(arbitraryBook, fc.boolean(), fc.integer({ min: 1, max: 20 }), ({ model, positions }, includeMean, horizon) => {
        const options = { confidence: 0.99, horizon, includeMean };
        const b = varBreakdown(positions, model, options);
        expect(b.portfolio).toBeCloseTo(parametricVaR(positions, model, options).valueAtRisk, 6);
        const sum = b.positions.reduce((s, p) => s + p.component, 0);
        expect(Math.abs(sum - b.portfolio)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b.portfolio)));
        for (const p of b.positions) {
          expect(p.standalone).toBeCloseTo(parametricVaR([p], model, options).valueAtRisk, 6);
        }
      }),
    );
  });

  it('never exceeds the sum of stand-alone VaRs without the mean (diversification)', () => {
    fc.assert(
      fc.property(arbitraryBook, ({ model, positions }) => {
        const b = varBreakdown(positions, model, { confidence: 0.99 });
        const undiversified = b.positions.reduce((s, p) => s + p.standalone, 0);
        expect(b.portfolio).toBeLessThanOrEqual(undiversified * (1 + 1e-9) + 1e-9);
      }),
    );
  });

  it('gives the marginal VaR as the derivative of portfolio VaR', () => {
    const model = estimateModel(RETURNS);
    const b = varBreakdown(BOOK, model, { confidence: 0.99 });
    const bumped = BOOK.map((p) => (p.symbol === 'SPY' ? { ...p, value: p.value + 1 } : p));
    const spy = b.positions.find((p) => p.symbol === 'SPY')!;
    expect(varBreakdown(bumped, model, { confidence: 0.99 }).portfolio - b.portfolio).toBeCloseTo(spy.marginal, 6);
  });
});

describe('monteCarloVaR', () => {
  const model = estimateModel(RETURNS);

  it('lands within 3 standard errors of the parametric VaR of the same normal model', () => {
    for (const options of [
      { confidence: 0.99, paths: 20_000, seed: 1 },
      { confidence: 0.95, horizon: 5, includeMean: true, paths: 20_000, seed: 2 },
    ]) {
      const mc = monteCarloVaR(BOOK, model, options);
      const exact = parametricVaR(BOOK, model, options);
      expect(Math.abs(mc.valueAtRisk - exact.valueAtRisk)).toBeLessThan(3 * mc.standardError);
      // The ES estimate's standard error is about 1.4% here; allow 3 of them.
      expect(Math.abs(mc.expectedShortfall / exact.expectedShortfall - 1)).toBeLessThan(0.04);
    }
  });

  it('reports a standard error close to the asymptotic √(p(1−p)/N)/f and covering the truth', () => {
    const options = { confidence: 0.99, paths: 4000 };
    const exact = parametricVaR(BOOK, model, options);
    const p = 0.01;
    const asymptotic = (Math.sqrt((p * (1 - p)) / options.paths) * exact.volatility) / normPdf(normInv(0.99));
    let covered = 0;
    let ratio = 0;
    const seeds = 40;
    for (let seed = 0; seed < seeds; seed++) {
      const mc = monteCarloVaR(BOOK, model, { ...options, seed });
      ratio += mc.standardError / asymptotic / seeds;
      if (Math.abs(mc.valueAtRisk - exact.valueAtRisk) <= 2 * mc.standardError) covered++;
    }
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
    expect(covered / seeds).toBeGreaterThanOrEqual(0.85); // nominal 95%
  });

  it('is reproducible from its seed', () => {
    const options = { confidence: 0.99, paths: 1000, seed: 7 };
    expect(monteCarloVaR(BOOK, model, options)).toEqual(monteCarloVaR(BOOK, model, options));
    expect(monteCarloVaR(BOOK, model, { ...options, seed: 8 }).valueAtRisk).not.toBe(monteCarloVaR(BOOK, model, options).valueAtRisk);
  });

  it('simulates only held symbols with variance, adding the mean of riskless ones', () => {
    const withCash: ReturnModel = {
      symbols: ['A', 'CASH', 'B'],
      mean: [0.001, 0.0001, 0.002],
      covariance: [
        [0.0004, 0, 0.0001],
        [0, 0, 0],
        [0.0001, 0, 0.0009],
      ],
    };
    const positions = [
      { symbol: 'A', value: 1000 },
      { symbol: 'CASH', value: 5000 },
    ];
    const options = { confidence: 0.99, includeMean: true, paths: 20_000, seed: 3 };
    const mc = monteCarloVaR(positions, withCash, options);
    expect(Math.abs(mc.valueAtRisk - parametricVaR(positions, withCash, options).valueAtRisk)).toBeLessThan(3 * mc.standardError);
  });

  it('rejects a bad path count or seed', () => {
    expect(() => monteCarloVaR(BOOK, model, { confidence: 0.99, paths: 0, seed: 1 })).toThrow('paths 0 must be a positive integer');
    expect(() => monteCarloVaR(BOOK, model, { confidence: 0.99, paths: 10, seed: 0.5 })).toThrow('seed 0.5 must be an integer');
  });
});
