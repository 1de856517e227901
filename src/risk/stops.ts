/**
 * StopManager: every open position gets a protective stop as a real order at the venue, and the
 * stop follows the position.
 *
 * - Placement: when a position is open without a protective stop (no working reduce-only stop on
 *   the exit side, and no bracket stop about to be sent), a reduce-only STOP_MARKET for the whole
 *   position is submitted as strategy 'risk', tagged 'risk:stop', at entry ∓ k × volatility: k × ATR
 *   when the instrument has bar data, else k × σ × price with σ from the risk engine, else a
 *   fallback fraction of the price. Distances are rounded up to the tick. A denied stop is retried
 *   after one interval, and not at all while the risk engine is HALTED.
 * - Trailing: on each bar (bar data) or each clock interval (quote or trade data), never per tick,
 *   the stop is amended to (best price since entry) ∓ k × volatility (σ and the fallback measured
 *   at the best price) if that is tighter; it never
 *   loosens, and never moves through the current price. Optionally it moves to break-even (the
 *   entry, rounded to the safe side of the tick) once the best price has gained `breakEvenR` times
 *   the initial risk R = |entry − initial stop|.
 * - Follow-up: the stop is resized when the position changes size, canceled when the position
 *   closes by other means, replaced when the position reverses.
 * Each placement, amendment and cancellation is published as a `risk.action` (PLACE_STOP or
 * AMEND_STOP; a cancellation is an AMEND_STOP whose detail starts with "cancel").
 */
import { InputError } from '../core/errors.js';
import { repeatEvery } from '../core/clock.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { Bar } from '../model/data.js';
import type { OrderSide } from '../model/enums.js';
import type { Instrument } from '../model/instrument.js';
import type { OrderEvent } from '../model/order-events.js';
import type { Order } from '../model/order.js';
import type { Position } from '../portfolio/position.js';
import { FLATTEN_STRATEGY, PROTECTIVE_STOP_TAG, type RiskEngine } from './risk-engine.js';
import { distanceToTicks, stopAtDistance } from './sizing.js';
import type { RiskAction } from './trading-state.js';

/** Tag on every stop order the StopManager places. */
export const STOP_TAG = PROTECTIVE_STOP_TAG;
/** Strategy id the StopManager's orders are submitted under. */
export const STOP_STRATEGY_ID = FLATTEN_STRATEGY;

const DAY_MS = 86_400_000;

export interface StopManagerOptions {
  engine: TradingEngine;
  /** Source of σ for instruments without bar data, and of the trading state. */
  risk?: Pick<RiskEngine, 'volatility' | 'tradingState'> | undefined;
  /** Stop distance in multiples of the volatility (default 2). */
  k?: number | undefined;
  /** Wilder ATR period in bars (default 14); ATR is used once this many bars are seen. */
  atrPeriod?: number | undefined;
  /** Horizon of the σ asked from the risk engine (default one day, as its heat estimate). */
  sigmaHorizonMs?: number | undefined;
  /** Stop distance as a fraction of the price when no volatility is known (default 0.02). */
  fallbackFraction?: number | undefined;
  /** Trail the stop as the price moves in favour (default true). */
  trail?: boolean | undefined;
  /** Clock interval of trailing for instruments without bars, and of protection retries (default 60 s). */
  intervalMs?: number | undefined;
  /** Gain, in multiples of the initial risk R, after which the stop moves to the entry (off when absent). */
  breakEvenR?: number | undefined;
  /** Instruments to protect (default all of the engine's). */
  instrumentIds?: readonly string[] | undefined;
}

/**
 * Wilder's average true range over `period` bars, in raw price units: the mean of the first
 * `period` true ranges, then ATR = (ATR × (period − 1) + TR) / period.
 */
export class AverageTrueRange {
  private prevClose: number | undefined;
  private atr: number | undefined;
  private seen = 0;
  private sum = 0;

  /** Throws InputError unless `period` is a positive integer. */
  constructor(readonly period = 14) {
    if (!(Number.isInteger(period) && period >= 1)) throw new InputError(`ATR period ${period} must be a positive integer`);
  }

  update(bar: Bar): void {
    const h = bar.high.raw;
    const l = bar.low.raw;
    const pc = this.prevClose;
    const tr = pc === undefined ? h - l : Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
    this.prevClose = bar.close.raw;
    this.seen++;
    if (this.seen <= this.period) {
      this.sum += tr;
      if (this.seen === this.period) this.atr = this.sum / this.period;
    } else {
      this.atr = (this.atr! * (this.period - 1) + tr) / this.period;
    }
  }

  /** ATR in raw price units, undefined before `period` bars. */
  valueRaw(): number | undefined {
    return this.atr;
  }
}

interface Protection {
  readonly inst: Instrument;
  readonly atr: AverageTrueRange;
  /** Our working stop, if any. */
  stopId: string | undefined;
  /** Average entry of the protected position (raw, may be off tick). */
  entryRaw: number;
  /** Initial entry-to-stop distance R (raw). */
  riskRaw: number;
  /** Most favourable price since the stop was placed (raw). */
  bestRaw: number;
  /** Clock time of placement: a bar stamped at or before it does not trail the stop. */
  placedAt: number;
  /** No placement before this clock time (after a denial). */
  retryAt: number;
  barDriven: boolean;
}

const TERMINAL_EVENTS: ReadonlySet<OrderEvent['type']> = new Set(['OrderDenied', 'OrderRejected', 'OrderCanceled', 'OrderExpired']);

export class StopManager {
  private readonly engine: TradingEngine;
  private readonly risk: StopManagerOptions['risk'];
  private readonly k: number;
  private readonly sigmaHorizonMs: number;
  private readonly fallbackFraction: number;
  private readonly trail: boolean;
  private readonly intervalMs: number;
  private readonly breakEvenR: number | undefined;
  private readonly state = new Map<string, Protection>();
  private readonly unsubscribe: Array<() => void> = [];
  private timer: { cancel(): void } | undefined;
  /** Set while this manager submits, amends or cancels, so it ignores the events of its own commands. */
  private busy = false;

  /** Throws InputError for an option out of range or an unknown instrument. */
  constructor(opts: StopManagerOptions) {
    this.engine = opts.engine;
    this.risk = opts.risk;
    this.k = positive(opts.k ?? 2, 'stop multiple k');
    this.sigmaHorizonMs = positive(opts.sigmaHorizonMs ?? DAY_MS, 'sigmaHorizonMs');
    this.fallbackFraction = positive(opts.fallbackFraction ?? 0.02, 'fallbackFraction');
    if (this.fallbackFraction >= 1) throw new InputError(`fallbackFraction ${this.fallbackFraction} must be below 1`);
    this.trail = opts.trail ?? true;
    this.intervalMs = positive(opts.intervalMs ?? 60_000, 'intervalMs');
    this.breakEvenR = opts.breakEvenR === undefined ? undefined : positive(opts.breakEvenR, 'breakEvenR');
    const period = opts.atrPeriod ?? 14;
    for (const id of opts.instrumentIds ?? [...this.engine.instruments.keys()]) {
      const inst = this.engine.instruments.get(id);
      if (!inst) throw new InputError(`stop manager: instrument ${id} is unknown`);
      this.state.set(id, { inst, atr: new AverageTrueRange(period), stopId: undefined, entryRaw: 0, riskRaw: 0, bestRaw: 0, placedAt: -Infinity, retryAt: -Infinity, barDriven: false });
    }
    const bus = this.engine.bus;
    this.unsubscribe.push(
      bus.subscribe('order.event', (e) => this.onOrderEvent(e)),
      bus.subscribe('data.bar', (b) => this.onBar(b)),
      bus.subscribe('engine.status', (s) => {
        if (s.state === 'RUNNING') this.start();
        else if (s.state === 'STOPPED') this.stop();
      }),
    );
    if (this.engine.isRunning) this.start();
  }

  /** Starts the interval checks on the engine clock (called when the engine runs). */
  start(): void {
    if (this.timer) return;
    this.timer = repeatEvery(this.engine.clock, this.intervalMs, () => this.engine.run(() => this.onInterval()));
  }

  /** Stops the interval checks; stops already placed stay at the venue. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Stops and unsubscribes from the bus. */
  dispose(): void {
    this.stop();
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** The working stop this manager keeps for an instrument, if any. */
  stopOrder(instrumentId: string): Readonly<Order> | undefined {
    const id = this.state.get(instrumentId)?.stopId;
    const order = id === undefined ? undefined : this.engine.execution.status(id);
    return order?.isWorking ? order : undefined;
  }

  /** The instrument's ATR in price units, undefined before enough bars. */
  atr(instrumentId: string): number | undefined {
    const st = this.state.get(instrumentId);
    const raw = st?.atr.valueRaw();
    return st === undefined || raw === undefined ? undefined : raw / 10 ** st.inst.pricePrecision;
  }

  // --- events -------------------------------------------------------------------------------

  private onOrderEvent(e: OrderEvent): void {
    if (this.busy) return;
    const st = this.state.get(e.instrumentId);
    if (!st) return;
    if (e.type === 'OrderFilled') {
      this.reconcile(st, this.engine.execution.status(e.clientOrderId));
      return;
    }
    if (!TERMINAL_EVENTS.has(e.type)) return;
    const order = this.engine.execution.status(e.clientOrderId);
    if (!order || !isProtective(order)) return;
    if (order.clientOrderId === st.stopId) {
      st.stopId = undefined;
      if (e.type === 'OrderDenied' || e.type === 'OrderRejected') st.retryAt = this.engine.clock.now() + this.intervalMs;
    }
    this.reconcile(st, undefined);
  }

  private onBar(bar: Bar): void {
    const st = this.state.get(bar.instrumentId);
    if (!st) return;
    st.atr.update(bar);
    st.barDriven = true;
    const pos = this.engine.portfolio.position(bar.instrumentId);
    if (!pos || pos.qtyRaw === 0) return;
    if (st.stopId === undefined) this.reconcile(st, undefined);
    const long = pos.qtyRaw > 0;
    this.updateBest(st, long, long ? bar.high.raw : bar.low.raw);
    // One amendment per bar at most, and none in the bar the stop was placed in.
    if (bar.ts > st.placedAt) this.tighten(st, pos, bar.close.raw);
  }

  private onInterval(): void {
    for (const st of this.state.values()) {
      const pos = this.engine.portfolio.position(st.inst.id);
      if (!pos || pos.qtyRaw === 0) continue;
      this.reconcile(st, undefined);
      if (st.barDriven || pos.markRaw === undefined) continue;
      this.updateBest(st, pos.qtyRaw > 0, pos.markRaw);
      this.tighten(st, pos, pos.markRaw);
    }
  }

  // --- protection -----------------------------------------------------------------------------

  /** Brings the stop in line with the position: cancel, resize, replace or place. */
  private reconcile(st: Protection, filled: Readonly<Order> | undefined): void {
    const execution = this.engine.execution;
    const pos = this.engine.portfolio.position(st.inst.id);
    const q = pos?.qtyRaw ?? 0;
    let own = st.stopId === undefined ? undefined : execution.status(st.stopId);
    if (own && !own.isWorking) {
      st.stopId = undefined;
      own = undefined;
    }
    if (q === 0 || !pos) {
      if (own) this.cancelOwn(st, own, `position in ${st.inst.id} closed`);
      return;
    }
    const exitSide: OrderSide = q > 0 ? 'SELL' : 'BUY';
    if (own && own.side !== exitSide) {
      this.cancelOwn(st, own, `position in ${st.inst.id} reversed`);
      own = undefined;
    }
    if (own) {
      st.entryRaw = entryRaw(pos);
      this.resize(st, own, Math.abs(q));
      return;
    }
    if (this.protectedByOther(st.inst.id, exitSide, filled)) return;
    const now = this.engine.clock.now();
    if (now < st.retryAt || this.risk?.tradingState === 'HALTED') return;
    this.place(st, pos);
  }

  /** A working reduce-only stop on the exit side, or a bracket stop the filled entry is about to send. */
  private protectedByOther(instrumentId: string, exitSide: OrderSide, filled: Readonly<Order> | undefined): boolean {
    const execution = this.engine.execution;
    for (const o of execution.workingOrders()) {
      if (o.instrumentId === instrumentId && o.side === exitSide && isProtective(o) && o.status !== 'PENDING_CANCEL') return true;
    }
    if (filled?.contingency === 'OTO') {
      for (const id of filled.linkedIds) {
        const child = execution.status(id);
        if (child && !child.isTerminal && child.side === exitSide && child.triggerPrice) return true;
      }
    }
    return false;
  }

  private place(st: Protection, pos: Position): void {
    const inst = st.inst;
    const q = pos.qtyRaw;
    const long = q > 0;
    const entry = entryRaw(pos);
    const mark = pos.markRaw ?? Math.round(entry);
    const { distance, basis } = this.distance(st, mark);
    const entrySide: OrderSide = long ? 'BUY' : 'SELL';
    let stop = stopAtDistance(inst, entrySide, Price.fromRaw(Math.round(entry), inst.pricePrecision), distance);
    // Already through the stop level: measure from the current price so the stop is not triggered at once.
    if (long ? stop.raw >= mark : stop.raw <= mark) stop = stopAtDistance(inst, entrySide, Price.fromRaw(mark, inst.pricePrecision), distance);
    const quantity = Quantity.fromRaw(Math.abs(q), inst.sizePrecision);
    const exitSide: OrderSide = long ? 'SELL' : 'BUY';
    const result = this.command(() =>
      this.engine.execution.submit(STOP_STRATEGY_ID, {
        instrumentId: inst.id,
        side: exitSide,
        type: 'STOP_MARKET',
        quantity,
        triggerPrice: stop,
        timeInForce: 'GTC',
        reduceOnly: true,
        tags: [STOP_TAG],
      }),
    );
    const now = this.engine.clock.now();
    if (!result.ok || result.order.isTerminal) {
      st.retryAt = now + this.intervalMs;
      return;
    }
    st.stopId = result.order.clientOrderId;
    st.entryRaw = entry;
    st.riskRaw = Math.abs(entry - stop.raw);
    st.bestRaw = long ? Math.max(entry, mark) : Math.min(entry, mark);
    st.placedAt = now;
    this.publish('PLACE_STOP', `protective stop for ${long ? 'LONG' : 'SHORT'} ${quantity} ${inst.id} at ${basis} from ${fmtPrice(inst, entry)}`, inst.id, `${exitSide} ${quantity} STOP_MARKET @${stop}`);
  }

  private resize(st: Protection, own: Readonly<Order>, absQty: number): void {
    const leaves = own.quantity.raw - own.filledQty.raw;
    if (leaves === absQty || own.status === 'PENDING_UPDATE' || own.status === 'PENDING_CANCEL') return;
    const total = Quantity.fromRaw(own.filledQty.raw + absQty, own.quantity.precision);
    const leavesQty = Quantity.fromRaw(absQty, own.quantity.precision);
    if (this.command(() => this.engine.execution.modify(own.clientOrderId, { quantity: total }))) {
      this.publish('AMEND_STOP', `position in ${st.inst.id} is now ${leavesQty}`, st.inst.id, `${own.side} ${leavesQty} STOP_MARKET @${own.triggerPrice}`);
    }
  }

  private cancelOwn(st: Protection, own: Readonly<Order>, reason: string): void {
    st.stopId = undefined;
    if (own.status === 'PENDING_CANCEL') return;
    if (this.command(() => this.engine.execution.cancel(own.clientOrderId))) {
      this.publish('AMEND_STOP', reason, st.inst.id, `cancel ${own.side} ${own.leavesQty} STOP_MARKET @${own.triggerPrice}`);
    }
  }

  // --- trailing -------------------------------------------------------------------------------

  private updateBest(st: Protection, long: boolean, priceRaw: number): void {
    if (st.stopId === undefined) return;
    st.bestRaw = long ? Math.max(st.bestRaw, priceRaw) : Math.min(st.bestRaw, priceRaw);
  }

  /** Amends the stop to the tightest of its trail and break-even levels, if tighter than now and not through `markRaw`. */
  private tighten(st: Protection, pos: Position, markRaw: number): void {
    const own = st.stopId === undefined ? undefined : this.engine.execution.status(st.stopId);
    if (!own || own.status !== 'ACCEPTED' || !own.triggerPrice) return;
    const inst = st.inst;
    const long = pos.qtyRaw > 0;
    const tighter = (a: number, b: number) => (long ? a > b : a < b);
    const current = own.triggerPrice.raw;
    let target = current;
    let reason = '';
    if (this.trail) {
      const { distance, basis } = this.distance(st, st.bestRaw);
      const trailed = stopAtDistance(inst, long ? 'BUY' : 'SELL', Price.fromRaw(st.bestRaw, inst.pricePrecision), distance).raw;
      if (tighter(trailed, target)) {
        target = trailed;
        reason = `trailing ${basis} behind ${fmtPrice(inst, st.bestRaw)}`;
      }
    }
    if (this.breakEvenR !== undefined && st.riskRaw > 0) {
      const gain = long ? st.bestRaw - st.entryRaw : st.entryRaw - st.bestRaw;
      const tick = inst.tickSize.raw;
      const breakEven = long ? Math.ceil(st.entryRaw / tick) * tick : Math.floor(st.entryRaw / tick) * tick;
      if (gain >= this.breakEvenR * st.riskRaw && tighter(breakEven, target)) {
        target = breakEven;
        reason = `break-even after a gain of ${(gain / st.riskRaw).toFixed(2)} R`;
      }
    }
    if (target === current) return;
    // A level at or through the current price would trigger at once: wait for the price.
    if (long ? target >= markRaw : target <= markRaw) return;
    const trigger = Price.fromRaw(target, inst.pricePrecision);
    if (this.command(() => this.engine.execution.modify(own.clientOrderId, { triggerPrice: trigger }))) {
      this.publish('AMEND_STOP', reason, inst.id, `${own.side} ${own.leavesQty} STOP_MARKET @${own.triggerPrice} -> @${trigger}`);
    }
  }

  /** k × ATR with bars, else k × σ × price from the risk engine, else the fallback fraction of the price. */
  private distance(st: Protection, refRaw: number): { distance: Price; basis: string } {
    const inst = st.inst;
    const atr = st.atr.valueRaw();
    if (atr !== undefined && atr > 0) return { distance: distanceToTicks(inst, this.k * atr), basis: `${this.k} × ATR ${fmtPrice(inst, atr)}` };
    const sigma = this.risk?.volatility(inst.id, this.sigmaHorizonMs);
    if (sigma !== undefined && sigma > 0) return { distance: distanceToTicks(inst, this.k * sigma * refRaw), basis: `${this.k} × σ ${(sigma * 100).toFixed(2)}%` };
    return { distance: distanceToTicks(inst, this.fallbackFraction * refRaw), basis: `${(this.fallbackFraction * 100).toFixed(2)}% of price` };
  }

  private command<T>(fn: () => T): T {
    this.busy = true;
    try {
      return fn();
    } finally {
      this.busy = false;
    }
  }

  private publish(action: RiskAction['action'], reason: string, symbol: string, detail: string): void {
    this.engine.bus.publish('risk.action', { action, reason, symbol, detail, ts: this.engine.clock.now() });
  }
}

/** A reduce-only order with a trigger price: a protective stop, whoever placed it. */
function isProtective(o: Readonly<Order>): boolean {
  return o.reduceOnly && o.triggerPrice !== undefined;
}

/** Average entry of the open quantity in raw price units (may be off tick). */
function entryRaw(pos: Position): number {
  const avg = pos.avgPx();
  return avg === undefined ? (pos.markRaw ?? 0) : Price.of(avg, pos.instrument.pricePrecision).raw;
}

function fmtPrice(inst: Instrument, raw: number): string {
  return (raw / 10 ** inst.pricePrecision).toFixed(inst.pricePrecision);
}

function positive(x: number, name: string): number {
  if (!(Number.isFinite(x) && x > 0)) throw new InputError(`${name} ${x} must be a positive number`);
  return x;
}
