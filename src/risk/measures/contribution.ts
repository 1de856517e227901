/**
 * Portfolio volatility and its Euler decomposition: each position's marginal volatility, its
 * contribution (value × marginal, summing to σ_p) and its contribution to the portfolio Sharpe
 * ratio (its expected excess P&L over σ_p, summing to the portfolio Sharpe ratio).
 *
 * Weights are position values, so volatility and expected return are in account currency per
 * period; pass fractions of equity as values to get them in return units. The Sharpe ratio is per
 * period and the same either way.
 */
import { ValueError } from '../../core/errors.js';
import type { Matrix } from '../../core/linalg.js';
import { checkFinite, checkModel, exposureVector, netExposures, own, type Position, type ReturnModel } from './inputs.js';

/** Rounding slack, relative to Σ|wᵢ·Σᵢⱼ·wⱼ|, below which a negative wᵀΣw is read as 0. */
const PSD_TOLERANCE = 1e-12;

/**
 * σ = √(wᵀΣw) and ∂σ/∂wᵢ = (Σw)ᵢ/σ (all 0 when σ = 0). Throws ValueError when the sizes differ or
 * wᵀΣw is negative beyond rounding, i.e. the covariance is not positive semi-definite.
 */
export function marginalVolatility(weights: readonly number[], covariance: Matrix): { volatility: number; marginal: number[] } {
  if (weights.length !== covariance.length) throw new ValueError(`${weights.length} weights for a ${covariance.length}-row covariance`);
  const sw = covariance.map((row) => row.reduce((s, c, j) => s + c * weights[j]!, 0));
  let variance = 0;
  let scale = 0;
  weights.forEach((w, i) => {
    variance += w * sw[i]!;
    covariance[i]!.forEach((c, j) => (scale += Math.abs(w * c * weights[j]!)));
  });
  if (variance < -PSD_TOLERANCE * scale) throw new ValueError(`covariance is not positive semi-definite (wᵀΣw = ${variance})`);
  const volatility = Math.sqrt(Math.max(0, variance));
  return { volatility, marginal: sw.map((x) => (volatility > 0 ? x / volatility : 0)) };
}

export interface PositionContribution {
  readonly symbol: string;
  readonly value: number;
  /** ∂σ_p/∂value. */
  readonly marginalVolatility: number;
  /** value × marginalVolatility; these sum to the portfolio volatility. */
  readonly volatility: number;
  /** volatility / portfolio volatility (0 when the portfolio has none); these sum to 1. */
  readonly volatilityShare: number;
  /** value × (μ − risk-free rate). */
  readonly expectedExcessReturn: number;
  /** expectedExcessReturn / portfolio volatility; these sum to the portfolio Sharpe ratio. */
  readonly sharpe: number;
}

export interface ContributionReport {
  readonly volatility: number;
  readonly expectedExcessReturn: number;
  /** Expected excess return over volatility, 0 when the portfolio has no volatility. */
  readonly sharpe: number;
  /** One entry per symbol held (positions netted), in order of first appearance. */
  readonly positions: readonly PositionContribution[];
}

export interface ContributionOptions {
  /** Expected per-period returns by symbol; defaults to the model's mean. */
  readonly expectedReturns?: Readonly<Record<string, number>>;
  /** Per-period risk-free rate subtracted from each expected return; default 0. */
  readonly riskFreeRate?: number;
}

/**
 * Each position's share of portfolio volatility and Sharpe ratio. Throws ValueError for an invalid
 * model, a position outside it, an expected return missing for a held symbol or a non-finite rate.
 */
export function riskContributions(positions: readonly Position[], model: ReturnModel, options: ContributionOptions = {}): ContributionReport {
  checkModel(model);
  const riskFree = options.riskFreeRate ?? 0;
  checkFinite('risk-free rate', riskFree);
  const w = exposureVector(positions, model.symbols);
  const { volatility, marginal } = marginalVolatility(w, model.covariance);
  const perUnit = (x: number): number => (volatility > 0 ? x / volatility : 0);
  const rows = [...netExposures(positions)].map(([symbol, value]) => {
    const i = model.symbols.indexOf(symbol);
    const expected = options.expectedReturns ? own(options.expectedReturns, symbol) : model.mean[i];
    if (expected === undefined) throw new ValueError(`no expected return for ${symbol}`);
    checkFinite(`expected return of ${symbol}`, expected);
    const contribution = value * marginal[i]!;
    const excess = value * (expected - riskFree);
    return {
      symbol,
      value,
      marginalVolatility: marginal[i]!,
      volatility: contribution,
      volatilityShare: perUnit(contribution),
      expectedExcessReturn: excess,
      sharpe: perUnit(excess),
    };
  });
  const expectedExcessReturn = rows.reduce((s, r) => s + r.expectedExcessReturn, 0);
  return { volatility, expectedExcessReturn, sharpe: perUnit(expectedExcessReturn), positions: rows };
}
