/**
 * TargetPositionStrategy: what the built-in strategies share. A subclass turns each price into
 * the position it wants per instrument (long, short or flat); this class feeds it prices from the
 * configured source, keeps its per-instrument state, and moves the position to the target with
 * one market order (or bracket, when stopPct and takeProfitPct are set) for the difference,
 * publishing a Signal first. While an order for an instrument is in flight no other is sent: a
 * new target is acted on once that order has ended. Targets are edges, not levels: once a target
 * is taken, a stop-out or a denied order is not followed by a new entry until the target changes.
 */
import { Quantity } from '../core/quantity.js';
import type { Price } from '../core/price.js';
import { type Bar, type QuoteTick, type TradeTick, midPrice } from '../model/data.js';
import type { Instrument } from '../model/instrument.js';
import type { OrderEvent } from '../model/order-events.js';
import type { SignalDirection } from '../model/signal.js';
import { type CommonParams, type StrategyInfo, orderSize } from './params.js';
import { Strategy } from './strategy.js';

/** Per-instrument state; subclasses add their indicators. */
export interface InstrumentState {
  readonly instrument: Instrument;
  readonly size: Quantity;
  /** The position last aimed for; undefined until the first view (see `aim`). */
  target: SignalDirection | undefined;
  /** Client order id of the order moving the position, until it ends. */
  inFlight: string | undefined;
  /** Stop-loss and take-profit order ids of the last bracket entry. */
  exits: readonly string[] | undefined;
}

export abstract class TargetPositionStrategy<S extends InstrumentState> extends Strategy {
  private readonly states = new Map<string, S>();

  constructor(
    id: string,
    readonly info: StrategyInfo,
    readonly common: CommonParams,
    instrumentIds: readonly string[],
  ) {
    super(id, instrumentIds);
  }

  /** Builds an instrument's state around the shared part (called once per instrument). */
  protected abstract createState(base: InstrumentState): S;
  /** Updates the indicators with one price and calls `aim` when a rule fires. */
  protected abstract onPrice(state: S, price: number): void;
  /** The signal's reason, from the state's latest indicator values (called only when acting). */
  protected abstract explain(state: S, target: SignalDirection, price: number): string;

  /** Builds the state of every traded instrument. Throws InputError when `size` does not fit one. */
  override onStart(): void {
    const ids = this.instrumentIds.length > 0 ? this.instrumentIds : this.ctx.instruments.keys();
    for (const id of ids) this.state(id);
  }

  override onBar(bar: Bar): void {
    if (this.common.source === 'bar') this.onPrice(this.state(bar.instrumentId), bar.close.toNumber());
  }

  override onQuote(quote: QuoteTick): void {
    if (this.common.source === 'quote') this.onPrice(this.state(quote.instrumentId), midPrice(quote));
  }

  override onTrade(trade: TradeTick): void {
    if (this.common.source === 'trade') this.onPrice(this.state(trade.instrumentId), trade.price.toNumber());
  }

  override onOrderEvent(event: OrderEvent): void {
    const st = this.states.get(event.instrumentId);
    if (st === undefined || st.inFlight !== event.clientOrderId) return;
    if (this.ctx.orders.status(event.clientOrderId)?.isTerminal !== false) st.inFlight = undefined;
  }

  /**
   * Moves towards `wanted` (SHORT means FLAT in long-only mode) unless that is already the
   * target, an order is in flight or the strategy is paused (then the next price tries again).
   * The first view of an instrument only sets its target, without trading. `price` is the
   * entry reference for the signal and the bracket; `strength` is clamped to 0..1 and the
   * signal's confidence is 0.5 + strength / 2 (every call is a full rule match).
   */
  protected aim(st: S, wanted: SignalDirection, price: number, signalType: string, strength: number): void {
    const target = wanted === 'SHORT' && this.common.mode === 'long-only' ? 'FLAT' : wanted;
    if (target === st.target || st.inFlight !== undefined || this.paused) return;
    const first = st.target === undefined;
    st.target = target;
    if (first) return;
    const inst = st.instrument;
    const diffRaw = (target === 'LONG' ? st.size.raw : target === 'SHORT' ? -st.size.raw : 0) - this.positionRaw(inst.id);
    if (diffRaw === 0) return;

    let stopLoss: Price | undefined;
    let takeProfit: Price | undefined;
    const { stopPct, takeProfitPct } = this.common;
    if (target !== 'FLAT' && stopPct !== undefined && takeProfitPct !== undefined) {
      const sign = target === 'LONG' ? 1 : -1;
      stopLoss = inst.nearestPrice(price * (1 - sign * stopPct));
      takeProfit = inst.nearestPrice(price * (1 + sign * takeProfitPct));
    }
    const s = strength > 0 ? Math.min(strength, 1) : 0;
    this.signal({
      instrumentId: inst.id,
      signalType,
      direction: target,
      strength: s,
      confidence: 0.5 + s / 2,
      entry: inst.nearestPrice(price).toString(),
      stopLoss: stopLoss?.toString(),
      takeProfit: takeProfit?.toString(),
      reason: this.explain(st, target, price),
    });

    this.cancelExits(st);
    const side = diffRaw > 0 ? 'BUY' : 'SELL';
    const quantity = Quantity.fromRaw(Math.abs(diffRaw), inst.sizePrecision);
    const result =
      stopLoss && takeProfit
        ? this.bracket({ instrumentId: inst.id, side, type: 'MARKET', quantity, timeInForce: 'GTC' }, stopLoss, takeProfit)
        : this.market(inst.id, side, quantity, target === 'FLAT');
    if (!result.ok) return;
    // A denied order has already ended (its events arrived during submit).
    if (!result.order.isTerminal) st.inFlight = result.order.clientOrderId;
    if (stopLoss) st.exits = result.order.linkedIds;
  }

  private state(instrumentId: string): S {
    let st = this.states.get(instrumentId);
    if (st === undefined) {
      const instrument = this.instrument(instrumentId);
      const size = orderSize(this.info.name, this.common.size, instrument);
      st = this.createState({ instrument, size, target: 'FLAT', inFlight: undefined, exits: undefined });
      this.states.set(instrumentId, st);
    }
    return st;
  }

  /** Cancels the previous bracket's exits, which would otherwise close the next position. */
  private cancelExits(st: S): void {
    const exits = st.exits;
    if (exits === undefined) return;
    st.exits = undefined;
    for (const id of exits) {
      const order = this.ctx.orders.status(id);
      if (order && (order.status === 'INITIALIZED' || (order.isWorking && order.status !== 'PENDING_CANCEL'))) this.ctx.orders.cancel(id);
    }
  }
}

/**
 * Formats an indicator value for a signal reason: 6 significant digits, written as
 * String(Number(value.toPrecision(6))) would write them. toPrecision's fixed form only needs its
 * trailing zeros trimmed to be that: a decimal of at most 6 significant digits is the shortest
 * form of the number it reads as. That skips the parse and the second conversion (which V8 also
 * keeps in its number-to-string cache, see the README) on every signal; the exponent forms, which
 * String writes differently, still take them.
 */
export function formatValue(value: number): string {
  const fixed = value.toPrecision(6);
  if (fixed.includes('e')) return String(Number(fixed));
  if (!fixed.includes('.')) return fixed;
  let end = fixed.length;
  while (fixed.charCodeAt(end - 1) === 48) end--; // '0'
  if (fixed.charCodeAt(end - 1) === 46) end--; // '.'
  return fixed.slice(0, end);
}
