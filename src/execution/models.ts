/**
 * The simulated exchange's pluggable models, each one method taking one parameter object
 * (as LEAN's IFillModel / IFeeModel / ISlippageModel): how much of an order can fill, at what
 * price after slippage, what it costs, and how long a command takes to reach the venue.
 */
import type { Money } from '../core/money.js';
import { Price } from '../core/price.js';
import type { LiquiditySide, OrderSide } from '../model/enums.js';
import type { Instrument } from '../model/instrument.js';
import type { Quantity } from '../core/quantity.js';

export interface FillQuantityParams {
  readonly instrument: Instrument;
  readonly side: OrderSide;
  /** Raw quantity still wanted. */
  readonly wantedRaw: number;
  /** Raw size displayed on the opposite side (quote) or traded in the bar; undefined if unknown. */
  readonly availableRaw: number | undefined;
  /** Raw quantity of it the venue's orders already filled (earlier orders at the same quote or bar). */
  readonly takenRaw: number;
}

export interface FillModel {
  /** Raw quantity that can fill now (0..wantedRaw). */
  fillableRaw(p: FillQuantityParams): number;
}

/** Fills everything wanted: unlimited liquidity at the touch. */
export const fullFillModel: FillModel = { fillableRaw: (p) => p.wantedRaw };

/**
 * Volume participation: all the venue's orders together fill at most `rate` of the displayed
 * size (a quote) or volume (a bar), rounded down to the size step; an order gets what earlier
 * ones left of that. With no size information it fills everything.
 */
export function participationFillModel(rate: number): FillModel {
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`participation rate ${rate} must be in (0, 1]`);
  return {
    fillableRaw: (p) => {
      if (p.availableRaw === undefined) return p.wantedRaw;
      const step = p.instrument.sizeStep.raw;
      const cap = Math.floor((p.availableRaw * rate) / step) * step - p.takenRaw;
      return Math.max(0, Math.min(p.wantedRaw, cap));
    },
  };
}

export interface SlippageParams {
  readonly instrument: Instrument;
  readonly side: OrderSide;
  /** The touch price the order would fill at without slippage. */
  readonly price: Price;
  readonly quantityRaw: number;
}

export interface SlippageModel {
  /** The fill price after slippage (never better than `price` for the taker). */
  fillPrice(p: SlippageParams): Price;
}

export const noSlippage: SlippageModel = { fillPrice: (p) => p.price };

/** A fixed number of ticks against the taker. */
export function fixedTickSlippage(ticks: number): SlippageModel {
  if (!Number.isInteger(ticks) || ticks < 0) throw new RangeError(`slippage ticks ${ticks} must be a non-negative integer`);
  return {
    fillPrice: (p) => {
      const shift = (p.side === 'BUY' ? ticks : -ticks) * p.instrument.tickSize.raw;
      return Price.fromRaw(Math.max(p.instrument.tickSize.raw, p.price.raw + shift), p.price.precision);
    },
  };
}

export interface FeeParams {
  readonly instrument: Instrument;
  readonly price: Price;
  readonly quantity: Quantity;
  readonly liquidity: LiquiditySide;
}

export interface FeeModel {
  fee(p: FeeParams): Money;
}

/** The instrument's maker/taker rates. */
export const instrumentFeeModel: FeeModel = { fee: (p) => p.instrument.fee(p.price, p.quantity, p.liquidity) };

export interface LatencyParams {
  readonly command: 'submit' | 'cancel' | 'modify';
  readonly instrumentId: string;
}

export interface LatencyModel {
  /** Milliseconds of clock time between sending a command and the venue acting on it. */
  latencyMs(p: LatencyParams): number;
}

export function fixedLatency(ms: number): LatencyModel {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency ${ms} ms must be a non-negative number`);
  return { latencyMs: () => ms };
}
