import { describe, expect, it } from 'vitest';
import { checkConfidence, checkHorizon, checkModel, exposureVector, netExposures } from './inputs.js';

describe('inputs', () => {
  it('nets positions per symbol in order of first appearance and lays them out by symbol', () => {
    const positions = [
      { symbol: 'B', value: 5 },
      { symbol: 'A', value: 2 },
      { symbol: 'B', value: -1 },
    ];
    expect([...netExposures(positions)]).toEqual([
      ['B', 4],
      ['A', 2],
    ]);
    expect(exposureVector(positions, ['A', 'C', 'B'])).toEqual([2, 0, 4]);
    expect(() => exposureVector(positions, ['A'])).toThrow('position B has no return data');
  });

  it('name the offending value', () => {
    expect(() => checkConfidence(1)).toThrow('confidence 1 must be in (0, 1)');
    expect(() => checkHorizon(0)).toThrow('horizon 0 must be a positive integer');
    expect(() => netExposures([{ symbol: 'A', value: Infinity }])).toThrow('position A value Infinity must be finite');
    expect(() => checkModel({ symbols: ['A', 'A'], mean: [0, 0], covariance: [[1, 0], [0, 1]] })).toThrow('return model symbols A, A are not distinct');
    expect(() => checkModel({ symbols: ['A'], mean: [0], covariance: [[NaN]] })).toThrow('covariance[0][0] NaN must be finite');
    expect(() => checkModel({ symbols: ['A', 'B'], mean: [0, 0], covariance: [[1, 0], [0]] })).toThrow('covariance row 1 has 1 columns for 2 symbols');
  });
});
