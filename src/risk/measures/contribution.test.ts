import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { riskContributions } from './contribution.js';
import { estimateModel } from './covariance.js';
import { arbitraryBook, BOOK, RETURNS } from './fixture.js';

/*
 * numpy 2.4 on the fixture (R rows BTC-USD, ETH-USD, SPY; w = [100_000, -40_000, 250_000]):
 *   S = np.cov(R); s = np.sqrt(w @ S @ w); m = S @ w / s; ex = w * (R.mean(axis=1) - 0.0001)
 *   s            -> 3607.9958159185676
 *   w * m        -> [3033.1447771232365, -614.7362982628532, 1189.5873370581844]
 *   ex / s       -> [0.5247165175877601, -0.1798533127829564, 0.1964213752336555]
 *   ex.sum() / s -> 0.5412845800384591
 */
describe('riskContributions', () => {
  it('matches numpy on the fixture book', () => {
    const r = riskContributions(BOOK, estimateModel(RETURNS), { riskFreeRate: 0.0001 });
    expect(r.volatility).toBeCloseTo(3607.9958159185676, 8);
    expect(r.sharpe).toBeCloseTo(0.5412845800384591, 12);
    expect(r.positions.map((p) => p.symbol)).toEqual(['BTC-USD', 'ETH-USD', 'SPY']);
    [3033.1447771232365, -614.7362982628532, 1189.5873370581844].forEach((c, i) => expect(r.positions[i]!.volatility).toBeCloseTo(c, 8));
    [0.5247165175877601, -0.1798533127829564, 0.1964213752336555].forEach((c, i) => expect(r.positions[i]!.sharpe).toBeCloseTo(c, 12));
  });

  it('has contributions summing to the portfolio volatility and Sharpe ratio', () => {
    fc.assert(
      fc.property(arbitraryBook, fc.double({ min: -0.001, max: 0.001, noNaN: true }), ({ model, positions }, riskFreeRate) => {
        const r = riskContributions(positions, model, { riskFreeRate });
        const sum = (f: (p: (typeof r.positions)[number]) => number): number => r.positions.reduce((s, p) => s + f(p), 0);
        expect(Math.abs(sum((p) => p.volatility) - r.volatility)).toBeLessThanOrEqual(1e-9 * Math.max(1, r.volatility));
        expect(Math.abs(sum((p) => p.sharpe) - r.sharpe)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(r.sharpe)));
        if (r.volatility > 0) expect(sum((p) => p.volatilityShare)).toBeCloseTo(1, 9);
        for (const p of r.positions) expect(p.volatility).toBeCloseTo(p.value * p.marginalVolatility, 6);
      }),
    );
  });

  it('uses given expected returns and requires one per held symbol', () => {
    const model = estimateModel(RETURNS);
    const expectedReturns = { 'BTC-USD': 0.001, 'ETH-USD': 0.002, SPY: 0.0005 };
    const r = riskContributions(BOOK, model, { expectedReturns });
    expect(r.expectedExcessReturn).toBeCloseTo(100_000 * 0.001 - 40_000 * 0.002 + 250_000 * 0.0005, 9);
    expect(() => riskContributions(BOOK, model, { expectedReturns: { SPY: 0.001 } })).toThrow('no expected return for BTC-USD');
  });

  it('reports zeros for a riskless book and rejects a covariance that is not positive semi-definite', () => {
    const model = { symbols: ['A', 'B'], mean: [0.01, 0], covariance: [[0.01, 0.02], [0.02, 0.01]] };
    const flat = riskContributions([], model);
    expect([flat.volatility, flat.sharpe, flat.positions.length]).toEqual([0, 0, 0]);
    expect(() => riskContributions([{ symbol: 'A', value: 1 }, { symbol: 'B', value: -1 }], model)).toThrow(/covariance is not positive semi-definite/);
  });
});
