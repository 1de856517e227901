/** HeatTerm: the risk engine's cached per-instrument term of the portfolio heat. */
import { type Exact, exact, truncDiv } from '../core/exact.js';
import type { Instrument } from '../model/instrument.js';
import type { Order } from '../model/order.js';
import type { Position } from '../portfolio/position.js';
import { DAY_MS, FRACTION_SCALE, FRACTION_UNITS, abs } from './fraction.js';
import type { VolatilityEstimator } from './volatility.js';

/**
 * One instrument's term of the portfolio heat: money at risk to the stop, or a volatility-based
 * estimate. The risk engine keeps the sum of the current terms and marks a term dirty when its
 * position's value, its working orders or its volatility change, so a check re-values only those.
 * The term of the position an order would leave is computed apart (`termFor`).
 */
export class HeatTerm {
  /** The current position's term (an Exact: a number while it is a safe integer). */
  current: Exact = 0;
  /** Whether `current` may be out of date (queued in the engine's dirty list). */
  dirty = false;
  /** Whether `current` was computed with a working stop. */
  stopUsed = false;

  constructor(
    readonly inst: Instrument,
    private readonly vol: VolatilityEstimator,
    /** The instrument's position and working orders: the same objects for the engine's life. */
    readonly position: Position | undefined,
    readonly working: readonly Order[],
  ) {}

  /** The term of a position of signed size `qty` valued at `mark`, with the stop (if any): |qty| × distance to the stop, else 2σ over a day (or the fallback fraction) of its market value. */
  termFor(qty: number, mark: number, stopRaw: number | undefined, fallbackFraction: number): Exact {
    const inst = this.inst;
    if (stopRaw !== undefined) {
      const dist = Math.max(0, qty > 0 ? mark - stopRaw : stopRaw - mark);
      return inst.notionalNum(dist, Math.abs(qty)) ?? exact(abs(inst.notionalRaw(dist, Math.abs(qty))));
    }
    const sigma = this.vol.sigma(DAY_MS);
    const f = sigma === undefined ? fallbackFraction : Math.min(1, 2 * sigma);
    // An estimate that changes with every volatility sample: scaled directly (fractionRaw's
    // exact decimal parse, memoized for the fixed limits, would parse a new value each time).
    const units = Math.round(f * FRACTION_UNITS);
    const mv = inst.notionalNum(mark, Math.abs(qty));
    const scaled = mv === undefined ? NaN : mv * units;
    if (Number.isSafeInteger(scaled)) return truncDiv(scaled, FRACTION_UNITS);
    return exact((abs(inst.notionalRaw(mark, qty)) * BigInt(units)) / FRACTION_SCALE);
  }
}
