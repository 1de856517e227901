/**
 * Position sizing from risk per trade: how much to buy or sell so that a move from the entry to
 * the stop loses a chosen fraction of equity, scaled by the signal's confidence and cut to the
 * configured limits. The answer is always an on-step Quantity of the instrument (rounded down),
 * or undefined when even the minimum size would break the budget or a cap.
 *
 * Formulas (q = order quantity, m = contract multiplier, s = ±1 for BUY/SELL, c = current signed
 * position):
 * - risk budget  B = equity × riskFraction × confidence
 * - budget size  q ≤ B / (|entry − stop| × m)
 * - position cap |c + s·q| ≤ maxPositionQty and notional(entry, |c + s·q|) ≤ maxPositionNotional;
 *   as in the risk engine, an order that only reduces the position is not bound by them, so a
 *   cap A allows q ≤ A − |c| when adding and q ≤ |c| + A when crossing a position on the other side
 * - gross cap    notional(entry, |c + s·q|) ≤ grossHeadroom + currentValue
 * - order caps   q ≤ maxOrderQty and notional(entry, q) ≤ maxOrderNotional
 * - volatility stop distance d = k × ATR, or d = k × σ × price, rounded UP to the tick (a wider
 *   stop gives a smaller size), and the stop is entry ∓ d.
 *
 * Every bound is solved exactly in integers (bigint) from the raw price, size, multiplier and
 * currency precisions, so the result never risks more than the budget and its notional, computed
 * by `Instrument.notionalRaw` as the risk engine does, never exceeds a cap. Fractions (risk
 * fraction, confidence, leverage) are read at 9 decimal places, as the risk engine reads its
 * limits. The budget sizes the order itself (risk per trade); when the current position is on the
 * other side the order first reduces it, so the risk past flat is smaller than the budget.
 */
import { parseDecimal, pow10Big } from '../core/decimal.js';
import { CurrencyMismatchError, ValueError } from '../core/errors.js';
import { Money } from '../core/money.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import type { OrderSide } from '../model/enums.js';
import type { Instrument } from '../model/instrument.js';
import type { RiskLimits } from './limits.js';

const FRACTION_PRECISION = 9;
const FRACTION_SCALE = pow10Big(FRACTION_PRECISION);
/** Float slack when turning k × volatility into whole ticks (so 4.000000000001 ticks is 4). */
const TICK_EPSILON = 1e-9;

/** Limits the size is cut to; each is optional. Money is in the instrument's quote currency. */
export interface SizingCaps {
  /** Largest single order. */
  readonly maxOrderQty?: Quantity | undefined;
  /** Largest single order notional at the entry price. */
  readonly maxOrderNotional?: Money | undefined;
  /** Largest absolute position after the order. */
  readonly maxPositionQty?: Quantity | undefined;
  /** Largest absolute position notional after the order, at the entry price. */
  readonly maxPositionNotional?: Money | undefined;
  /** Gross exposure the book may still add: its limit (or buying power) minus the current gross exposure. */
  readonly grossHeadroom?: Money | undefined;
  /**
   * |Market value| of the current position as counted in that gross exposure; the order may take
   * the position's notional up to grossHeadroom + currentValue. Defaults to the current quantity's
   * notional at the entry price.
   */
  readonly currentValue?: Money | undefined;
}

export interface RiskSizingInput {
  readonly instrument: Instrument;
  readonly side: OrderSide;
  readonly equity: Money;
  /** Fraction of equity at risk between entry and stop, in (0, 1]. */
  readonly riskFraction: number;
  readonly entry: Price;
  /** Below the entry for a BUY, above it for a SELL. */
  readonly stop: Price;
  /** Signal confidence in [0, 1] scaling the budget; default 1. */
  readonly confidence?: number | undefined;
  /** Signed current position in raw size units (Position.qtyRaw); default 0. */
  readonly currentQtyRaw?: number | undefined;
  readonly caps?: SizingCaps | undefined;
}

/** Which bound set the size. */
export type SizeBound = 'risk' | 'maxOrderQty' | 'maxOrderNotional' | 'maxPositionQty' | 'maxPositionNotional' | 'grossHeadroom';

export interface SizeDecision {
  /** On the size step and at least the minimum size; undefined when nothing can be traded. */
  readonly quantity: Quantity | undefined;
  /** The bound that set the size (or left less than the minimum size). */
  readonly boundBy: SizeBound;
  /** equity × riskFraction × confidence, rounded down to the minor unit. */
  readonly budget: Money;
  /** Money lost if the stop is hit with `quantity` (|entry − stop| × quantity × multiplier, rounded up). */
  readonly risk: Money;
  readonly stop: Price;
}

/** A volatility measure for the stop distance: ATR in price units, or σ of returns over the holding horizon. */
export type VolatilityInput = { readonly kind: 'atr'; readonly atr: number } | { readonly kind: 'sigma'; readonly sigma: number; readonly price: Price };

export interface VolatilitySizingInput extends Omit<RiskSizingInput, 'stop'> {
  /** Stop distance in multiples of the volatility (e.g. 2). */
  readonly k: number;
  readonly volatility: VolatilityInput;
}

/**
 * Fixed-fractional sizing: the largest on-step quantity whose loss from entry to stop is within
 * equity × riskFraction × confidence and which keeps every cap. Throws ValueError for a fraction
 * outside (0, 1], a confidence outside [0, 1], a price of another precision, a stop on the wrong
 * side of (or at) the entry, or a cap of another precision; CurrencyMismatchError for money in
 * another currency than the instrument's quote currency.
 */
export function sizeByRisk(input: RiskSizingInput): SizeDecision {
  const inst = input.instrument;
  const { entry, stop, side } = input;
  checkPrice(inst, entry, 'entry');
  checkPrice(inst, stop, 'stop');
  if (entry.raw <= 0) throw new ValueError(`entry ${entry} for ${inst.id} must be positive`);
  const distRaw = side === 'BUY' ? entry.raw - stop.raw : stop.raw - entry.raw;
  if (distRaw <= 0) {
    throw new ValueError(`stop ${stop} must be ${side === 'BUY' ? 'below' : 'above'} the entry ${entry} for a ${side} of ${inst.id}`);
  }
  if (!(input.riskFraction > 0 && input.riskFraction <= 1)) throw new ValueError(`risk fraction ${input.riskFraction} must be in (0, 1]`);
  const confidence = input.confidence ?? 1;
  if (!(confidence >= 0 && confidence <= 1)) throw new ValueError(`confidence ${confidence} must be in [0, 1]`);
  const ccy = inst.quoteCurrency;
  checkMoney(inst, input.equity, 'equity');
  const current = input.currentQtyRaw ?? 0;
  if (!Number.isSafeInteger(current)) throw new ValueError(`current position ${current} must be a raw integer quantity`);

  const g = geometry(inst);
  // Budget in minor units × 10^18 (two 9-decimal fractions).
  const budgetNum = input.equity.raw * fractionRaw(input.riskFraction, 'risk fraction') * fractionRaw(confidence, 'confidence');
  const budget = Money.fromRaw(budgetNum > 0n ? budgetNum / (FRACTION_SCALE * FRACTION_SCALE) : 0n, ccy);
  const bounds: [SizeBound, bigint][] = [];
  // dist × q × m / 10^(pp+sp+mp) ≤ budget / 10^(cp+18)
  bounds.push(['risk', budgetNum <= 0n ? 0n : (budgetNum * g.scale) / (BigInt(distRaw) * inst.multiplierRaw * g.ccyScale * FRACTION_SCALE * FRACTION_SCALE)]);

  const caps = input.caps ?? {};
  const sameWay = current === 0 || (current > 0) === (side === 'BUY');
  const held = BigInt(Math.abs(current));
  // A bound A on |position after| allows q ≤ A − |c| when adding, q ≤ A + |c| when the order crosses the position.
  const afterBound = (a: bigint): bigint => (sameWay ? a - held : a + held);
  if (caps.maxOrderQty) bounds.push(['maxOrderQty', BigInt(qtyRaw(inst, caps.maxOrderQty, 'maxOrderQty'))]);
  if (caps.maxOrderNotional) bounds.push(['maxOrderNotional', qtyForNotional(inst, g, entry.raw, moneyRaw(inst, caps.maxOrderNotional, 'maxOrderNotional'))]);
  if (caps.maxPositionQty) bounds.push(['maxPositionQty', afterBound(BigInt(qtyRaw(inst, caps.maxPositionQty, 'maxPositionQty')))]);
  if (caps.maxPositionNotional) {
    bounds.push(['maxPositionNotional', afterBound(qtyForNotional(inst, g, entry.raw, moneyRaw(inst, caps.maxPositionNotional, 'maxPositionNotional')))]);
  }
  if (caps.grossHeadroom) {
    const currentValue = caps.currentValue ? moneyRaw(inst, caps.currentValue, 'currentValue') : abs(inst.notionalRaw(entry.raw, Math.abs(current)));
    const room = moneyRaw(inst, caps.grossHeadroom, 'grossHeadroom') + abs(currentValue);
    bounds.push(['grossHeadroom', afterBound(qtyForNotional(inst, g, entry.raw, room))]);
  }

  let [boundBy, best] = bounds[0]!;
  for (const [name, value] of bounds) {
    if (value < best) [boundBy, best] = [name, value];
  }
  const step = BigInt(inst.sizeStep.raw);
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  const onStep = best <= 0n ? 0n : ((best < safe ? best : safe) / step) * step;
  if (onStep === 0n || onStep < BigInt(inst.minSize.raw)) return { quantity: undefined, boundBy, budget, risk: Money.zero(ccy), stop };
  const quantity = Quantity.fromRaw(Number(onStep), inst.sizePrecision);
  // Exact loss, rounded up to the minor unit so it is never understated.
  const riskExact = BigInt(distRaw) * onStep * inst.multiplierRaw * g.ccyScale;
  const risk = Money.fromRaw((riskExact + g.scale - 1n) / g.scale, ccy);
  return { quantity, boundBy, budget, risk, stop };
}

/**
 * Volatility-based sizing: the stop is entry ∓ `volatilityStopDistance`, then `sizeByRisk`.
 * Throws as both.
 */
export function sizeByVolatility(input: VolatilitySizingInput): SizeDecision {
  const { k, volatility, ...rest } = input;
  const distance = volatilityStopDistance(input.instrument, volatility, k);
  return sizeByRisk({ ...rest, stop: stopAtDistance(input.instrument, input.side, input.entry, distance) });
}

/**
 * k × ATR, or k × σ × price, as a price distance rounded up to a whole number of ticks (at least
 * one). Throws ValueError unless k and the volatility are positive and finite.
 */
export function volatilityStopDistance(instrument: Instrument, volatility: VolatilityInput, k: number): Price {
  if (!(Number.isFinite(k) && k > 0)) throw new ValueError(`stop multiple k ${k} must be positive`);
  let distance: number;
  if (volatility.kind === 'atr') {
    if (!(Number.isFinite(volatility.atr) && volatility.atr > 0)) throw new ValueError(`ATR ${volatility.atr} for ${instrument.id} must be positive`);
    distance = k * volatility.atr;
  } else {
    if (!(Number.isFinite(volatility.sigma) && volatility.sigma > 0)) throw new ValueError(`volatility ${volatility.sigma} for ${instrument.id} must be positive`);
    checkPrice(instrument, volatility.price, 'price');
    distance = k * volatility.sigma * volatility.price.toNumber();
  }
  return distanceToTicks(instrument, distance * 10 ** instrument.pricePrecision);
}

/**
 * A raw price distance (a float in raw price units) rounded up to whole ticks, at least one tick.
 * Throws ValueError for a distance that is not finite and positive.
 */
export function distanceToTicks(instrument: Instrument, distanceRaw: number): Price {
  if (!(Number.isFinite(distanceRaw) && distanceRaw > 0)) throw new ValueError(`stop distance ${distanceRaw} (raw) for ${instrument.id} must be positive`);
  const tick = instrument.tickSize.raw;
  const ticks = Math.max(1, Math.ceil(distanceRaw / tick - TICK_EPSILON));
  return Price.fromRaw(ticks * tick, instrument.pricePrecision);
}

/**
 * The stop `distance` away from `entry` on the losing side of a `side` entry, on the tick grid
 * (rounded away from the entry) and at least one tick above zero for a long.
 */
export function stopAtDistance(instrument: Instrument, side: OrderSide, entry: Price, distance: Price): Price {
  const tick = instrument.tickSize.raw;
  const raw = side === 'BUY' ? Math.max(tick, floorTo(entry.raw - distance.raw, tick)) : ceilTo(entry.raw + distance.raw, tick);
  return Price.fromRaw(raw, instrument.pricePrecision);
}

/**
 * The caps the risk engine would enforce for `instrument`, from its limits: per-instrument order
 * and position limits (overrides first), and gross headroom = min(maxGrossExposure, equity ×
 * leverage) − gross exposure (not below zero), with the current position's |market value|.
 * Throws ValueError for a limit the instrument or currency cannot express.
 */
export function capsFromLimits(
  limits: RiskLimits,
  instrument: Instrument,
  book: { readonly equity: Money; readonly grossExposure: Money; readonly currentValue: Money },
): SizingCaps {
  const o = { ...limits, ...limits.perInstrument?.[instrument.id] };
  const ccy = instrument.quoteCurrency;
  const money = (v: string | undefined) => (v === undefined ? undefined : Money.of(v, ccy));
  const qty = (v: string | undefined) => (v === undefined ? undefined : instrument.quantity(v));
  const leverage = limits.leverage ?? 1;
  const buyingPower = (book.equity.raw * BigInt(Math.round(leverage * 1000))) / 1000n;
  const gross = money(limits.maxGrossExposure);
  const ceiling = gross === undefined || buyingPower < gross.raw ? buyingPower : gross.raw;
  const room = ceiling - book.grossExposure.raw;
  return {
    maxOrderQty: qty(o.maxOrderQty),
    maxOrderNotional: money(o.maxOrderNotional),
    maxPositionQty: qty(o.maxPositionQty),
    maxPositionNotional: money(o.maxPositionNotional),
    grossHeadroom: Money.fromRaw(room > 0n ? room : 0n, ccy),
    currentValue: Money.fromRaw(abs(book.currentValue.raw), ccy),
  };
}

// --- internals ----------------------------------------------------------------------------

interface Geometry {
  /** 10^(price + size + multiplier precision): the scale of price × size × multiplier. */
  readonly scale: bigint;
  /** 10^(currency precision). */
  readonly ccyScale: bigint;
}

function geometry(inst: Instrument): Geometry {
  return {
    scale: pow10Big(inst.pricePrecision + inst.sizePrecision + inst.multiplierPrecision),
    ccyScale: pow10Big(inst.quoteCurrency.precision),
  };
}

/** Largest raw size whose exact notional at `priceRaw` is at most `capRaw` minor units (its rounded notional is then too). */
function qtyForNotional(inst: Instrument, g: Geometry, priceRaw: number, capRaw: bigint): bigint {
  if (capRaw <= 0n) return 0n;
  return (capRaw * g.scale) / (BigInt(priceRaw) * inst.multiplierRaw * g.ccyScale);
}

function fractionRaw(f: number, name: string): bigint {
  return parseDecimal(f.toFixed(FRACTION_PRECISION), FRACTION_PRECISION, name);
}

function checkPrice(inst: Instrument, p: Price, name: string): void {
  if (p.precision !== inst.pricePrecision) throw new ValueError(`${name} ${p} has precision ${p.precision}, ${inst.id} uses ${inst.pricePrecision}`);
}

function checkMoney(inst: Instrument, m: Money, name: string): void {
  if (m.currency !== inst.quoteCurrency) throw new CurrencyMismatchError(`${name} is in ${m.currency.code}, ${inst.id} is quoted in ${inst.quoteCurrency.code}`);
}

function moneyRaw(inst: Instrument, m: Money, name: string): bigint {
  checkMoney(inst, m, name);
  return m.raw;
}

function qtyRaw(inst: Instrument, q: Quantity, name: string): number {
  if (q.precision !== inst.sizePrecision) throw new ValueError(`${name} ${q} has precision ${q.precision}, ${inst.id} uses ${inst.sizePrecision}`);
  return q.raw;
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

function floorTo(raw: number, step: number): number {
  return Math.floor(raw / step) * step;
}

function ceilTo(raw: number, step: number): number {
  return Math.ceil(raw / step) * step;
}
