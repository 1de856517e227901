import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concentration, correlatedGroups, wouldConcentrate } from './concentration.js';
import type { Correlation } from './covariance.js';

// A~B 0.9 and B~C -0.85 chain A, B, C together at 0.8 although A~C is only 0.5; D is loosely
// correlated; E has zero variance.
const CORR: Correlation = {
  symbols: ['A', 'B', 'C', 'D', 'E'],
  matrix: [
    [1, 0.9, 0.5, 0.1, 0],
    [0.9, 1, -0.85, 0.2, 0],
    [0.5, -0.85, 1, 0.3, 0],
    [0.1, 0.2, 0.3, 1, 0],
    [0, 0, 0, 0, 1],
  ],
  zeroVariance: ['E'],
};
const BOOK = [
  { symbol: 'A', value: 100 },
  { symbol: 'B', value: -50 },
  { symbol: 'D', value: 100 },
];

describe('correlatedGroups', () => {
  it('links through chains, needs a partner and ignores unknown symbols', () => {
    expect(correlatedGroups(['D', 'C', 'A', 'B', 'X'], CORR, 0.8)).toEqual([['C', 'A', 'B']]);
    expect(correlatedGroups(['A', 'C', 'D'], CORR, 0.8)).toEqual([]);
    expect(correlatedGroups(['A', 'C', 'D'], CORR, 0.5)).toEqual([['A', 'C']]);
  });

  it('rejects a threshold outside (0, 1]', () => {
    expect(() => correlatedGroups(['A'], CORR, 0)).toThrow('correlation threshold 0 must be in (0, 1]');
  });
});

describe('concentration', () => {
  it('reports each group share of gross exposure and the largest', () => {
    const report = concentration([...BOOK, { symbol: 'C', value: 30 }, { symbol: 'E', value: 500 }], CORR, 0.8);
    expect(report.totalGross).toBe(780);
    expect(report.groups).toEqual([{ symbols: ['A', 'B', 'C'], gross: 180, share: 180 / 780 }]);
    expect(report.maxShare).toBe(180 / 780);
  });

  it('nets positions and drops symbols netting to zero', () => {
    const report = concentration([...BOOK, { symbol: 'B', value: 50 }], CORR, 0.8);
    expect(report.groups).toEqual([]);
    expect(report.maxShare).toBe(0);
    expect(report.totalGross).toBe(200);
  });
});

describe('wouldConcentrate', () => {
  // The book's {A, B} group holds 150 of 250 gross: a share of 0.6.
  it('denies an order that grows an over-limit group and allows one that shrinks it', () => {
    const grow = wouldConcentrate(BOOK, 'A', 100, CORR, 0.8, 0.5);
    expect(grow).toEqual({ allowed: false, groupShare: 250 / 350, group: ['A', 'B'], maxAllowedValue: 0 });
    const shrink = wouldConcentrate(BOOK, 'A', -50, CORR, 0.8, 0.5);
    expect(shrink).toEqual({ allowed: true, groupShare: 0.5, group: ['A', 'B'], maxAllowedValue: -50 });
  });

  it('cuts an order down to the limit, across a flip of sign and for a new symbol', () => {
    const cut = wouldConcentrate(BOOK, 'A', 100, CORR, 0.8, 0.7);
    expect(cut.allowed).toBe(false);
    expect(cut.maxAllowedValue).toBeCloseTo(250 / 3, 9); // A at 183.33: 233.33 / 333.33 = 0.7
    expect(wouldConcentrate(BOOK, 'A', -300, CORR, 0.8, 0.7).maxAllowedValue).toBeCloseTo(-100 - 550 / 3, 9);
    const fresh = wouldConcentrate(BOOK, 'C', 1000, CORR, 0.8, 0.7);
    expect(fresh.group).toEqual(['C', 'A', 'B']);
    expect(fresh.maxAllowedValue).toBeCloseTo(250 / 3, 9); // 150 + 83.33 of 250 + 83.33
  });

  it('allows any order on a symbol without a correlated partner', () => {
    expect(wouldConcentrate(BOOK, 'D', 1e6, CORR, 0.8, 0.1)).toEqual({ allowed: true, groupShare: 0, group: [], maxAllowedValue: 1e6 });
    expect(wouldConcentrate(BOOK, 'E', 1e6, CORR, 0.8, 0.1).allowed).toBe(true);
  });

  it('gives a cap that passes a re-check and cannot be exceeded', () => {
    const symbols = ['S0', 'S1', 'S2', 'S3'];
    // A symmetric matrix read from the upper triangle of 16 random entries.
    const corr = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 16, maxLength: 16 }).map(
      (v): Correlation => ({
        symbols,
        matrix: symbols.map((_, i) => symbols.map((_, j) => (i === j ? 1 : v[4 * Math.min(i, j) + Math.max(i, j)]!))),
        zeroVariance: [],
      }),
    );
    const position = fc.record({ symbol: fc.constantFrom(...symbols), value: fc.integer({ min: -1e6, max: 1e6 }) });
    const book = fc.array(position, { minLength: 2, maxLength: 8 });
    const order = fc.integer({ min: -2e6, max: 2e6 });
    const limit = fc.double({ min: 0.3, max: 1, noNaN: true });
    fc.assert(
      fc.property(book, corr, fc.constantFrom(...symbols), order, limit, (positions, c, symbol, value, max) => {
        const check = wouldConcentrate(positions, symbol, value, c, 0.6, max);
        if (check.allowed) {
          expect(check.maxAllowedValue).toBe(value);
          return;
        }
        expect(Math.sign(check.maxAllowedValue) * Math.sign(value)).not.toBe(-1);
        expect(Math.abs(check.maxAllowedValue)).toBeLessThan(Math.abs(value));
        expect(wouldConcentrate(positions, symbol, check.maxAllowedValue, c, 0.6, max).allowed).toBe(true);
        const more = check.maxAllowedValue + Math.sign(value) * 1e-3 * (1 + Math.abs(check.maxAllowedValue));
        expect(wouldConcentrate(positions, symbol, more, c, 0.6, max).allowed).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a bad limit or order value', () => {
    expect(() => wouldConcentrate(BOOK, 'A', 1, CORR, 0.8, 1.5)).toThrow('concentration limit 1.5 must be in (0, 1]');
    expect(() => wouldConcentrate(BOOK, 'A', NaN, CORR, 0.8, 0.5)).toThrow('order A value NaN must be finite');
  });
});
