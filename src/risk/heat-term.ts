/** HeatTerm: the risk engine's cached per-instrument term of the portfolio heat. */
import type { Instrument } from '../model/instrument.js';
import type { Order } from '../model/order.js';
import type { Position } from '../portfolio/position.js';
import { DAY_MS, FRACTION_SCALE, FRACTION_UNITS, abs } from './fraction.js';
import type { VolatilityEstimator } from './volatility.js';

/**
 * One instrument's term of the portfolio heat: money at risk to the stop, or a volatility-based
 * estimate. Checks sum every instrument's term per order while usually one price has moved, so
 * the term is kept with what it was computed from (size, mark, stop, volatility version).
 */
export class HeatTerm {
  /** The term as a safe integer, or undefined when only `big` holds it. */
  num: number | undefined;
  big: bigint | undefined;
  private qty = 0;
  private mark = NaN;
  private stop: number | undefined = NaN;
  private volVersion = -1;

  constructor(
    readonly inst: Instrument,
    private readonly vol: VolatilityEstimator,
    /** The instrument's position and working orders: the same objects for the engine's life. */
    readonly position: Position | undefined,
    readonly working: readonly Order[],
  ) {}

  update(qty: number, mark: number, stopRaw: number | undefined, fallbackFraction: number): void {
    if (qty === this.qty && mark === this.mark && stopRaw === this.stop && this.vol.version === this.volVersion) return;
    this.qty = qty;
    this.mark = mark;
    this.stop = stopRaw;
    this.volVersion = this.vol.version;
    const inst = this.inst;
    this.big = undefined;
    if (stopRaw !== undefined) {
      const dist = Math.max(0, qty > 0 ? mark - stopRaw : stopRaw - mark);
      this.num = inst.notionalNum(dist, Math.abs(qty));
      if (this.num === undefined) this.big = abs(inst.notionalRaw(dist, Math.abs(qty)));
      return;
    }
    const sigma = this.vol.sigma(DAY_MS);
    const f = sigma === undefined ? fallbackFraction : Math.min(1, 2 * sigma);
    // An estimate that changes with every volatility sample: scaled directly (fractionRaw's
    // exact decimal parse, memoized for the fixed limits, would parse a new value each time).
    const units = Math.round(f * FRACTION_UNITS);
    const mv = inst.notionalNum(mark, Math.abs(qty));
    const scaled = mv === undefined ? NaN : mv * units;
    if (Number.isSafeInteger(scaled)) {
      this.num = (scaled - (scaled % FRACTION_UNITS)) / FRACTION_UNITS;
    } else {
      this.num = undefined;
      this.big = (abs(inst.notionalRaw(mark, qty)) * BigInt(units)) / FRACTION_SCALE;
    }
  }
}
