import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normCdf, normInv, normPdf } from './normal.js';

// Reference values: scipy 1.17 `norm.cdf(x)`, `scipy.special.ndtri(p)`, `norm.pdf(1.3)`.
const CDF: [number, number][] = [
  [-30, 4.906713927147908e-198],
  [-8, 6.22096057427174e-16],
  [-3.5, 0.00023262907903552502],
  [-1.96, 0.024997895148220435],
  [-0.5, 0.3085375387259869],
  [0, 0.5],
  [0.7, 0.758036347776927],
  [2.326, 0.9899907246591323],
  [5, 0.9999997133484281],
];
const INV: [number, number][] = [
  [1e-300, -37.0470962993612],
  [1e-12, -7.034483825301131],
  [1e-6, -4.753424308822899],
  [0.001, -3.090232306167813],
  [0.01, -2.3263478740408408],
  [0.025, -1.9599639845400545],
  [0.05, -1.6448536269514729],
  [0.3, -0.5244005127080409],
  [0.5, 0],
  [0.95, 1.6448536269514722],
  [0.975, 1.959963984540054],
  [0.99, 2.3263478740408408],
  [0.999, 3.090232306167813],
  [1 - 1e-9, 5.997807019601637],
];

describe('normal distribution', () => {
  it('normCdf matches scipy to 1e-12 relative, including the far tail', () => {
    for (const [x, p] of CDF) expect(Math.abs(normCdf(x) - p)).toBeLessThanOrEqual(1e-12 * p);
  });

  it('normInv matches scipy ndtri to 1e-12', () => {
    for (const [p, x] of INV) expect(Math.abs(normInv(p) - x)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(x)));
  });

  it('normPdf matches scipy', () => {
    expect(normPdf(1.3)).toBeCloseTo(0.17136859204780736, 15);
  });

  it('normInv inverts normCdf', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-15, max: 1 - 1e-15, noNaN: true }), (p) => {
        expect(Math.abs(normCdf(normInv(p)) - p)).toBeLessThanOrEqual(1e-13 * Math.min(p, 1 - p) + 1e-16);
      }),
    );
  });

  it('rejects a probability outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, 1.5, NaN]) expect(() => normInv(p)).toThrow(`probability ${p} must be in (0, 1)`);
  });
});
