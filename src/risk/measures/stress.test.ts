import { describe, expect, it } from 'vitest';
import { estimateModel } from './covariance.js';
import { BOOK, RETURNS } from './fixture.js';
import { builtInScenario, stressTest, type StressResult, type StressScenario } from './stress.js';
import { parametricVaR } from './var.js';

function pnlOf(result: StressResult): { byPosition: number[]; total: number } {
  if (result.kind !== 'pnl') throw new Error(`expected a P&L result, got ${result.kind}`);
  return { byPosition: result.positions.map((p) => p.pnl), total: result.total };
}

describe('stressTest', () => {
  it('applies a uniform shock to every position, shorts gaining', () => {
    const r = pnlOf(stressTest(BOOK, builtInScenario('all-down-10')));
    expect(r.byPosition).toEqual([-10_000, 4_000, -25_000]);
    expect(r.total).toBe(-31_000);
  });

  it('applies per-symbol shocks, leaving other symbols unchanged, per position as given', () => {
    const scenario: StressScenario = { kind: 'symbols', name: 'eth-pop', shocks: { 'ETH-USD': 0.25 } };
    // 'constructor' checks that a symbol never reads Object.prototype from the shock table.
    const r = pnlOf(stressTest([...BOOK, { symbol: 'ETH-USD', value: 10_000 }, { symbol: 'constructor', value: 1 }], scenario));
    expect(r.byPosition).toEqual([0, -10_000, 0, 2_500, 0]);
    expect(r.total).toBe(-7_500);
  });

  it('crashes crypto pairs by base or quote asset in crypto-crash-30', () => {
    const positions = ['BTC-USD', 'SOL/USDT', 'ETH-BTC', 'BTC', 'SPY', 'AAPL', 'USDT'].map((symbol) => ({ symbol, value: 1000 }));
    expect(pnlOf(stressTest(positions, builtInScenario('crypto-crash-30'))).byPosition).toEqual([-300, -300, -300, -300, 0, 0, 0]);
  });

  it('replays one historical period and requires a return for every position', () => {
    const day = Object.fromEntries(Object.entries(RETURNS).map(([symbol, series]) => [symbol, series[32]!]));
    const r = pnlOf(stressTest(BOOK, { kind: 'replay', name: 'day-32', returns: day }));
    expect(r.total).toBeCloseTo(100_000 * -0.03824 - 40_000 * -0.08665 + 250_000 * -0.00376, 9);
    expect(() => stressTest([{ symbol: 'AAPL', value: 1 }], { kind: 'replay', name: 'day-32', returns: day })).toThrow('scenario day-32 has no return for AAPL');
  });

  it('reports VaR and ES with every volatility doubled in vol-x2', () => {
    const model = estimateModel(RETURNS);
    const options = { confidence: 0.99 };
    const r = stressTest(BOOK, builtInScenario('vol-x2'), { model, options });
    if (r.kind !== 'volatility') throw new Error('expected a volatility result');
    expect(r.baseline).toEqual(parametricVaR(BOOK, model, options));
    expect(r.stressed.valueAtRisk).toBeCloseTo(2 * r.baseline.valueAtRisk, 9);
    expect(r.stressed.expectedShortfall).toBeCloseTo(2 * r.baseline.expectedShortfall, 9);
    const withMean = { confidence: 0.99, includeMean: true };
    const m = stressTest(BOOK, builtInScenario('vol-x2'), { model, options: withMean });
    if (m.kind !== 'volatility') throw new Error('expected a volatility result');
    const base = parametricVaR(BOOK, model, withMean);
    expect(m.stressed.valueAtRisk).toBeCloseTo(2 * base.valueAtRisk + base.expectedPnl, 9); // the mean is not scaled
  });

  it('rejects impossible scenarios and a volatility scenario without a model', () => {
    expect(() => stressTest(BOOK, { kind: 'uniform', name: 'wipe', shock: -1.5 })).toThrow('scenario wipe shock -1.5 for BTC-USD is below -100%');
    expect(() => stressTest(BOOK, { kind: 'volatility', name: 'calm', multiplier: 0 })).toThrow('scenario calm multiplier 0 must be positive');
    expect(() => stressTest(BOOK, builtInScenario('vol-x2'))).toThrow('scenario vol-x2 needs a return model and VaR options');
    expect(() => builtInScenario('toString')).toThrow('stress scenario "toString" is unknown; built-in: all-down-10, all-down-20, crypto-crash-30, vol-x2');
  });
});
