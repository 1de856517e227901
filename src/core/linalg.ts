/**
 * Small dense linear algebra for correlation work: Cholesky factorisation (used to draw
 * correlated shocks for the synthetic market and Monte Carlo VaR) and a matrix-vector product.
 */
import { ValueError } from './errors.js';

export type Matrix = number[][];

/**
 * Lower-triangular L with L·Lᵀ = m. Throws ValueError when m is not square, not symmetric or not
 * positive definite (naming the offending row).
 */
export function cholesky(m: Matrix): Matrix {
  const n = m.length;
  const L: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const row = m[i];
    if (!row || row.length !== n) throw new ValueError(`matrix row ${i} has ${row?.length ?? 0} columns, expected ${n}`);
    for (let j = 0; j <= i; j++) {
      const mij = row[j]!;
      const mji = m[j]![i]!;
      if (Math.abs(mij - mji) > 1e-12) throw new ValueError(`matrix is not symmetric at (${i}, ${j}): ${mij} vs ${mji}`);
      let sum = mij;
      for (let k = 0; k < j; k++) sum -= L[i]![k]! * L[j]![k]!;
      if (i === j) {
        if (sum <= 0) throw new ValueError(`matrix is not positive definite (pivot ${i} is ${sum})`);
        L[i]![j] = Math.sqrt(sum);
      } else {
        L[i]![j] = sum / L[j]![j]!;
      }
    }
  }
  return L;
}

/** out = L·z for a lower-triangular L (out may be a reused buffer). */
export function lowerTimesVector(L: Matrix, z: ArrayLike<number>, out: number[] | Float64Array): void {
  const n = L.length;
  for (let i = 0; i < n; i++) {
    const row = L[i]!;
    let s = 0;
    for (let k = 0; k <= i; k++) s += row[k]! * z[k]!;
    out[i] = s;
  }
}
