/**
 * Exponentially weighted volatility of log returns from irregularly spaced price samples, kept
 * as a variance rate per millisecond so it scales to any horizon (σ over h = sqrt(rate × h)).
 */

export class VolatilityEstimator {
  // Number fields (NaN = none yet): a field that also held undefined would box every double stored.
  private lastTs = NaN;
  private lastPrice = NaN;
  private varianceRate = NaN;
  private samples = 0;
  /** Changes whenever the estimate does (readers cache what they derive from it). */
  version = 0;

  /** `lambda` is the weight of the previous estimate (RiskMetrics uses 0.94). */
  constructor(
    private readonly lambda = 0.94,
    private readonly minSamples = 5,
  ) {}

  update(ts: number, price: number): void {
    if (!(price > 0)) return;
    const first = Number.isNaN(this.lastTs);
    if (!first && ts > this.lastTs) {
      const r = Math.log(price / this.lastPrice);
      const rate = (r * r) / (ts - this.lastTs);
      this.varianceRate = Number.isNaN(this.varianceRate) ? rate : this.lambda * this.varianceRate + (1 - this.lambda) * rate;
      this.samples++;
      this.version++;
    }
    if (first || ts > this.lastTs) {
      this.lastTs = ts;
      this.lastPrice = price;
    }
  }

  /** σ of log returns over `horizonMs`, or undefined before enough samples. */
  sigma(horizonMs: number): number | undefined {
    if (Number.isNaN(this.varianceRate) || this.samples < this.minSamples) return undefined;
    return Math.sqrt(this.varianceRate * horizonMs);
  }
}
