/**
 * Test fixtures: 40 aligned periods of simple returns for three symbols, drawn once with numpy
 * (`default_rng(20240611).multivariate_normal(...)`, rounded to 5 decimals) and frozen here so the
 * tests' expected figures can be recomputed in Python from the same numbers; and a generator of
 * random books for property tests.
 */
import fc from 'fast-check';
import type { ReturnModel, ReturnSeries } from './inputs.js';

export const RETURNS: ReturnSeries = {
  'BTC-USD': [-0.00715, 0.06106, 0.0259, -0.01469, -0.03682, 0.02198, -0.01768, 0.03206, -0.012, 0.0329, -0.01575, 0.08264, 0.0266, 0.02206, 0.03249, -0.01334, 0.04859, -0.01463, 0.05398, 0.02567, 0.03142, 0.02563, 0.01587, 0.09327, 0.03537, -0.05062, 0.0482, 0.02011, 0.03323, 0.06114, 0.03852, 0.05664, -0.03824, -0.04588, 0.05177, -0.02734, 0.0305, 0.03866, 0.02275, -0.0136],
  'ETH-USD': [0.01914, 0.08, 0.03434, 0.02012, -0.00381, 0.08279, -0.04372, 0.03851, -0.00792, -0.03206, -0.04008, 0.07854, 0.04272, 0.06549, 0.10497, 0.01799, 0.0052, 0.00546, 0.03207, 0.07403, 0.08058, -0.01331, -0.03138, 0.01542, 0.0191, -0.00902, 0.05365, 0.02187, 0.02867, 0.02693, 0.04953, 0.02429, -0.08665, -0.08777, 0.06471, -0.05418, -0.02793, -0.02482, -0.02441, 0.05385],
  SPY: [0.00261, 0.0099, -0.00941, 0.00412, -0.00997, 0.01213, -0.00504, 5e-5, 0.00502, -0.00355, 0.00804, 0.00603, -0.00522, 0.00562, 0.0115, 0.00088, -0.00187, 0.00609, -0.00182, 0.00985, 0.01017, 0.00674, 0.00547, 0.00817, 0.00091, 0.00107, 0.00725, -0.0006, 0.02, 0.01546, 0.01173, 0.01333, -0.00376, -0.01539, 0.00059, -0.00088, -0.0037, -0.00887, -0.00853, 0.01327],
};

/** A long/short book over the fixture's symbols. */
export const BOOK = [
  { symbol: 'BTC-USD', value: 100_000 },
  { symbol: 'ETH-USD', value: -40_000 },
  { symbol: 'SPY', value: 250_000 },
];

/** Random books over random positive semi-definite return models of 1 to 5 symbols. */
export const arbitraryBook = fc.integer({ min: 1, max: 5 }).chain((n) => {
  const symbols = Array.from({ length: n }, (_, i) => `S${i}`);
  // Whole numbers scaled to realistic magnitudes (no subnormal noise): returns to 4 decimals.
  const vector = (bound: number, scale: number) =>
    fc.array(fc.integer({ min: -bound, max: bound }).map((i) => i * scale), { minLength: n, maxLength: n });
  const factor = fc.array(vector(500, 1e-4), { minLength: n, maxLength: n });
  return fc.record({ factor, mean: vector(100, 1e-4), values: vector(1e6, 1) }).map(({ factor, mean, values }) => {
    // covariance = A·Aᵀ is positive semi-definite by construction.
    const covariance = factor.map((a) => factor.map((b) => a.reduce((s, x, k) => s + x * b[k]!, 0)));
    const model: ReturnModel = { symbols, mean, covariance };
    return { model, positions: symbols.map((symbol, i) => ({ symbol, value: values[i]! })) };
  });
});
