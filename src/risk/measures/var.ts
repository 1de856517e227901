/**
 * Value at Risk and Expected Shortfall of a book of positions, by historical simulation, the
 * normal variance-covariance model and Monte Carlo, plus the per-position breakdown of parametric
 * VaR (stand-alone, marginal and Euler component VaR).
 *
 * Both figures are losses in account currency, positive when the tail is a loss (a negative figure
 * means even the tail outcome is a gain). Conventions:
 * - Empirical quantile (historical and Monte Carlo): VaR = −Q(1 − c), where Q linearly interpolates
 *   the sorted P&L x₀ ≤ … ≤ xₙ₋₁ at position h = (n − 1)(1 − c), exactly numpy's default
 *   `np.quantile(pnl, 1 - c, method='linear')`; ES = −mean{xᵢ : xᵢ ≤ Q(1 − c)}.
 * - Horizon h periods: historical and parametric scale the one-period figures by √h (parametric
 *   drift by h); Monte Carlo simulates the horizon by summing h per-period draws.
 * - Parametric: VaR = z_c·σ_p·√h − μ_p·h, ES = σ_p·√h·φ(z_c)/(1 − c) − μ_p·h, where the μ_p term
 *   is included only with `includeMean` (default off: conservative when the drift is positive).
 */
import { ValueError } from '../../core/errors.js';
import { cholesky, lowerTimesVector } from '../../core/linalg.js';
import { Random } from '../../core/random.js';
import { marginalVolatility } from './contribution.js';
import {
  alignedSeries,
  checkConfidence,
  checkFinite,
  checkHorizon,
  checkModel,
  exposureVector,
  netExposures,
  type Position,
  type ReturnModel,
  type ReturnSeries,
} from './inputs.js';
import { normInv, normPdf } from './normal.js';

export interface TailOptions {
  /** Confidence level in (0, 1), e.g. 0.99. */
  readonly confidence: number;
  /** Horizon in periods of the return data; default 1. */
  readonly horizon?: number;
}

export interface ModelOptions extends TailOptions {
  /** Subtract the expected P&L over the horizon; default false. */
  readonly includeMean?: boolean;
}

export interface MonteCarloOptions extends ModelOptions {
  readonly paths: number;
  readonly seed: number;
}

export interface RiskEstimate {
  readonly valueAtRisk: number;
  readonly expectedShortfall: number;
}

export interface ParametricEstimate extends RiskEstimate {
  /** Per-period standard deviation of portfolio P&L. */
  readonly volatility: number;
  /** Per-period expected portfolio P&L. */
  readonly expectedPnl: number;
}

export interface MonteCarloEstimate extends RiskEstimate {
  /** Standard error of `valueAtRisk` as an estimate of the model's true VaR. */
  readonly standardError: number;
}

export interface PositionVar {
  readonly symbol: string;
  readonly value: number;
  /** Parametric VaR of this position held alone. */
  readonly standalone: number;
  /** ∂VaR/∂value. */
  readonly marginal: number;
  /** value × marginal (Euler allocation); these sum to the portfolio VaR. */
  readonly component: number;
}

export interface VarBreakdown {
  /** Parametric portfolio VaR. */
  readonly portfolio: number;
  /** One entry per symbol held (positions netted), in order of first appearance. */
  readonly positions: readonly PositionVar[];
}

/**
 * VaR and ES of a sample of P&L outcomes under the empirical quantile convention above (no horizon
 * scaling). Throws ValueError for an empty sample, a non-finite outcome or a bad confidence.
 */
export function empiricalRisk(pnl: readonly number[], confidence: number): RiskEstimate {
  checkConfidence(confidence);
  if (pnl.length === 0) throw new ValueError('P&L sample is empty');
  pnl.forEach((x, i) => checkFinite(`P&L[${i}]`, x));
  return tailOfSorted(Float64Array.from(pnl).sort(), confidence);
}

/**
 * Historical-simulation VaR and ES: scenario t has P&L Σᵢ valueᵢ·rᵢ,ₜ over the positions' aligned
 * return series (one position needs one series); one-period figures are scaled by √horizon. Throws
 * ValueError for a bad option, a missing, misaligned or empty series, or a non-finite value.
 */
export function historicalVaR(positions: readonly Position[], returns: ReturnSeries, options: TailOptions): RiskEstimate {
  const horizon = options.horizon ?? 1;
  checkConfidence(options.confidence);
  checkHorizon(horizon);
  const net = [...netExposures(positions)];
  if (net.length === 0) return { valueAtRisk: 0, expectedShortfall: 0 };
  const series = alignedSeries(returns, net.map(([s]) => s), 1);
  const pnl = series[0]!.map((_, t) => net.reduce((sum, [, value], i) => sum + value * series[i]![t]!, 0));
  const onePeriod = empiricalRisk(pnl, options.confidence);
  const root = Math.sqrt(horizon);
  return { valueAtRisk: onePeriod.valueAtRisk * root, expectedShortfall: onePeriod.expectedShortfall * root };
}

/**
 * Variance-covariance VaR and ES under normal returns (formulas above). Throws ValueError for a bad
 * option, an invalid model, a position outside the model or a non-finite value.
 */
export function parametricVaR(positions: readonly Position[], model: ReturnModel, options: ModelOptions): ParametricEstimate {
  const { w, z, root, meanPeriods } = setUp(positions, model, options);
  const { volatility } = marginalVolatility(w, model.covariance);
  const expectedPnl = dot(w, model.mean);
  const mean = meanPeriods * expectedPnl;
  return {
    valueAtRisk: z * volatility * root - mean,
    expectedShortfall: (volatility * root * normPdf(z)) / (1 - options.confidence) - mean,
    volatility,
    expectedPnl,
  };
}

/**
 * Parametric portfolio VaR with each position's stand-alone, marginal and component VaR; the
 * components sum to the portfolio VaR. Throws as `parametricVaR`.
 */
export function varBreakdown(positions: readonly Position[], model: ReturnModel, options: ModelOptions): VarBreakdown {
  const { w, z, root, meanPeriods } = setUp(positions, model, options);
  const { volatility, marginal } = marginalVolatility(w, model.covariance);
  const rows = [...netExposures(positions)].map(([symbol, value]) => {
    const i = model.symbols.indexOf(symbol);
    const sigma = Math.sqrt(Math.max(0, model.covariance[i]![i]!));
    const mu = meanPeriods * model.mean[i]!;
    const marginalVar = z * root * marginal[i]! - mu;
    const standalone = z * root * sigma * Math.abs(value) - mu * value;
    return { symbol, value, standalone, marginal: marginalVar, component: value * marginalVar };
  });
  return { portfolio: z * root * volatility - meanPeriods * dot(w, model.mean), positions: rows };
}

/**
 * Monte Carlo VaR and ES under the normal model: each path sums `horizon` per-period P&Ls on fixed
 * position values, the correlated returns drawn as L·ε (plus μ with `includeMean`) with L the
 * Cholesky factor of the covariance over the held symbols with non-zero variance (the others can
 * only add their mean) and ε from `Random(seed)`. Costs paths × horizon × n² operations. The standard error is
 * (Q(p + δ) − Q(p − δ))/2 with p = 1 − c and δ = √(p(1 − p)/paths) (interval cut at [0, 1]):
 * the asymptotic √(p(1 − p)/N)/f(VaR) with the density f read off the simulated quantiles. Throws as
 * `parametricVaR`, for a bad path count or seed, and when the held covariance is not positive
 * definite.
 */
export function monteCarloVaR(positions: readonly Position[], model: ReturnModel, options: MonteCarloOptions): MonteCarloEstimate {
  const { w, meanPeriods } = setUp(positions, model, options);
  const { paths, seed, confidence } = options;
  const horizon = options.horizon ?? 1;
  if (!(Number.isInteger(paths) && paths >= 1)) throw new ValueError(`paths ${paths} must be a positive integer`);
  if (!Number.isInteger(seed)) throw new ValueError(`seed ${seed} must be an integer`);
  const stochastic = model.symbols.flatMap((_, i) => (w[i] !== 0 && model.covariance[i]![i]! > 0 ? [i] : []));
  const L = cholesky(stochastic.map((i) => stochastic.map((j) => model.covariance[i]![j]!)));
  const exposure = stochastic.map((i) => w[i]!);
  const meanPnl = meanPeriods * dot(w, model.mean);
  const rng = new Random(seed);
  const eps = new Float64Array(stochastic.length);
  const shock = new Float64Array(stochastic.length);
  const pnl = new Float64Array(paths);
  for (let p = 0; p < paths; p++) {
    let total = meanPnl;
    for (let t = 0; t < horizon; t++) {
      for (let i = 0; i < eps.length; i++) eps[i] = rng.normal();
      lowerTimesVector(L, eps, shock);
      for (let i = 0; i < shock.length; i++) total += exposure[i]! * shock[i]!;
    }
    pnl[p] = total;
  }
  pnl.sort();
  const q = 1 - confidence;
  const delta = Math.sqrt((q * (1 - q)) / paths);
  const lo = Math.max(0, q - delta);
  const hi = Math.min(1, q + delta);
  const standardError = (delta * (quantileOfSorted(pnl, hi) - quantileOfSorted(pnl, lo))) / (hi - lo);
  return { ...tailOfSorted(pnl, confidence), standardError };
}

/** Validated inputs shared by the model-based measures. */
function setUp(positions: readonly Position[], model: ReturnModel, options: ModelOptions) {
  const horizon = options.horizon ?? 1;
  checkConfidence(options.confidence);
  checkHorizon(horizon);
  checkModel(model);
  return {
    w: exposureVector(positions, model.symbols),
    z: normInv(options.confidence),
    root: Math.sqrt(horizon),
    /** Periods of expected P&L subtracted from the loss figures. */
    meanPeriods: options.includeMean ? horizon : 0,
  };
}

/** VaR and ES of ascending P&L outcomes. */
function tailOfSorted(sorted: Float64Array, confidence: number): RiskEstimate {
  const q = quantileOfSorted(sorted, 1 - confidence);
  let sum = 0;
  let count = 0;
  for (; count < sorted.length && sorted[count]! <= q; count++) sum += sorted[count]!;
  return { valueAtRisk: -q, expectedShortfall: -sum / count };
}

/** numpy's 'linear' quantile of ascending values, including its two-sided interpolation. */
function quantileOfSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const t = h - lo;
  const a = sorted[lo]!;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t);
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, x, i) => s + x * b[i]!, 0);
}
