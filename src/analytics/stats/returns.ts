/**
 * Risk-adjusted return statistics over a stream of periodic returns (0.01 = +1% in one period),
 * updated in O(1) time and memory per sample. Conventions:
 * - volatility = sample standard deviation (n-1) × sqrt(periodsPerYear);
 * - Sharpe = mean(r - rf/periodsPerYear) / std(r) × sqrt(periodsPerYear), where rf is the annual
 *   risk-free rate given to the constructor (simple division, not compounding);
 * - Sortino = mean(r - target) / DD × sqrt(periodsPerYear), with the downside deviation
 *   DD = sqrt(mean(min(0, r - target)²)) taken over ALL periods (n, not n-1) and `target` the
 *   per-period minimum acceptable return (MAR, default 0);
 * - totalReturn / annualizedReturn compound the returns geometrically (a return ≤ -100% wipes out).
 * Ratios are null, never NaN or ±∞: with fewer than 2 samples, or a zero denominator.
 */
import { ValueError } from '../../core/errors.js';

export interface ReturnStatsOptions {
  /** Periods in a year: 252 for trading days, 365 for calendar days, 8760 for hours... */
  periodsPerYear: number;
  /** Annual risk-free rate (0.04 = 4%); default 0. */
  riskFreeRate?: number;
  /** Per-period minimum acceptable return for the Sortino ratio; default 0. */
  target?: number;
}

export class ReturnStats {
  readonly periodsPerYear: number;
  readonly riskFreeRate: number;
  readonly target: number;
  private n = 0;
  private mu = 0;
  private m2 = 0;
  private downsideSq = 0;
  private logGrowth = 0;
  private hi = -Infinity;
  private lo = Infinity;

  /** Throws ValueError when periodsPerYear is not positive or a rate is not finite. */
  constructor(options: ReturnStatsOptions) {
    const { periodsPerYear, riskFreeRate = 0, target = 0 } = options;
    if (!(periodsPerYear > 0) || !Number.isFinite(periodsPerYear)) throw new ValueError(`periodsPerYear ${periodsPerYear} is not a positive number`);
    if (!Number.isFinite(riskFreeRate)) throw new ValueError(`riskFreeRate ${riskFreeRate} is not finite`);
    if (!Number.isFinite(target)) throw new ValueError(`target ${target} is not finite`);
    this.periodsPerYear = periodsPerYear;
    this.riskFreeRate = riskFreeRate;
    this.target = target;
  }

  /** Adds one period's return. Throws ValueError on NaN/±∞. */
  add(r: number): void {
    if (!Number.isFinite(r)) throw new ValueError(`return ${r} is not a finite number`);
    this.n++;
    const delta = r - this.mu;
    this.mu += delta / this.n;
    this.m2 += delta * (r - this.mu);
    const shortfall = Math.min(0, r - this.target);
    this.downsideSq += shortfall * shortfall;
    this.logGrowth += Math.log1p(Math.max(r, -1));
    if (r > this.hi) this.hi = r;
    if (r < this.lo) this.lo = r;
  }

  get count(): number {
    return this.n;
  }

  /** Mean per-period return; null when empty. */
  mean(): number | null {
    return this.n === 0 ? null : this.mu;
  }

  /** Best single period; null when empty. */
  best(): number | null {
    return this.n === 0 ? null : this.hi;
  }

  /** Worst single period; null when empty. */
  worst(): number | null {
    return this.n === 0 ? null : this.lo;
  }

  /** Per-period sample standard deviation (n-1); null with fewer than 2 samples. */
  std(): number | null {
    return this.n < 2 ? null : Math.sqrt(this.m2 / (this.n - 1));
  }

  /** Annualized volatility: std × sqrt(periodsPerYear); null with fewer than 2 samples. */
  volatility(): number | null {
    const sd = this.std();
    return sd === null ? null : sd * Math.sqrt(this.periodsPerYear);
  }

  /** Per-period downside deviation below `target` over all periods; null when empty. */
  downsideDeviation(): number | null {
    return this.n === 0 ? null : Math.sqrt(this.downsideSq / this.n);
  }

  /** Annualized Sharpe ratio; null with fewer than 2 samples or zero volatility. */
  sharpe(): number | null {
    const sd = this.std();
    if (sd === null || sd === 0) return null;
    return ((this.mu - this.riskFreeRate / this.periodsPerYear) / sd) * Math.sqrt(this.periodsPerYear);
  }

  /** Annualized Sortino ratio; null with fewer than 2 samples or no period below target. */
  sortino(): number | null {
    const dd = this.downsideDeviation();
    if (this.n < 2 || dd === null || dd === 0) return null;
    return ((this.mu - this.target) / dd) * Math.sqrt(this.periodsPerYear);
  }

  /** Compounded return over all periods: Π(1 + r) - 1; null when empty. */
  totalReturn(): number | null {
    return this.n === 0 ? null : Math.expm1(this.logGrowth);
  }

  /** Compound annual growth rate: Π(1 + r)^(periodsPerYear / n) - 1; null when empty. */
  annualizedReturn(): number | null {
    return this.n === 0 ? null : Math.expm1((this.logGrowth * this.periodsPerYear) / this.n);
  }
}

/**
 * Calmar ratio: annualized return over maximum drawdown, both as fractions (0.25 = 25%; the
 * drawdown is a positive depth). Null when the drawdown is 0. Throws ValueError on non-finite
 * inputs or a negative drawdown.
 */
export function calmar(annualizedReturn: number, maxDrawdown: number): number | null {
  if (!Number.isFinite(annualizedReturn)) throw new ValueError(`annualized return ${annualizedReturn} is not finite`);
  if (!Number.isFinite(maxDrawdown) || maxDrawdown < 0) throw new ValueError(`max drawdown ${maxDrawdown} is not a non-negative depth`);
  return maxDrawdown === 0 ? null : annualizedReturn / maxDrawdown;
}
