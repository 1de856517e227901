/**
 * Test support for strategies (not part of the public API): runs strategies on hand-made market
 * data through a real TradingEngine, SimulatedExchange and SimulatedClock, and records the
 * orders, fills, signals, positions and any denial or rejection, each stamped with the index of
 * the record being dispatched when it happened.
 */
import { Money, USD } from '../core/money.js';
import { Price } from '../core/price.js';
import { Quantity } from '../core/quantity.js';
import { SimulatedClock } from '../core/clock.js';
import { TradingEngine } from '../engine/trading-engine.js';
import { fixedLatency } from '../execution/models.js';
import { SimulatedExchange } from '../execution/simulated-exchange.js';
import type { Bar, MarketData, QuoteTick } from '../model/data.js';
import { Instrument } from '../model/instrument.js';
import type { Order } from '../model/order.js';
import type { Signal } from '../model/signal.js';
import type { Strategy } from './strategy.js';

export const STEP_MS = 60_000;

export function testInstrument(symbol = 'TEST'): Instrument {
  return new Instrument({ symbol, assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '1', minSize: '1' });
}

/** [open, close] (high and low from them) or [open, high, low, close]. */
export type BarSpec = readonly [number, number] | readonly [number, number, number, number];

/** Bars one minute apart; `ts` of bar i is (i + 1) minutes. */
export function bars(specs: readonly BarSpec[], instrumentId = 'TEST'): Bar[] {
  return specs.map((s, i) => {
    const [open, high, low, close] = s.length === 2 ? [s[0], Math.max(...s), Math.min(...s), s[1]] : s;
    const px = (v: number) => Price.nearest(v, 2);
    return { kind: 'bar', instrumentId, intervalMs: STEP_MS, open: px(open), high: px(high), low: px(low), close: px(close), volume: Quantity.of(1_000_000, 0), ts: (i + 1) * STEP_MS };
  });
}

/** Bars whose open is the previous close plus `gap` (the first opens at its close). */
export function barsFromCloses(closes: readonly number[], gap = 0.5, instrumentId = 'TEST'): Bar[] {
  return bars(closes.map((c, i) => [i === 0 ? c : closes[i - 1]! + gap, c] as const), instrumentId);
}

/** Quotes with bid/ask `halfSpread` either side of each mid, one minute apart. */
export function quotes(mids: readonly number[], halfSpread = 0.05, instrumentId = 'TEST'): QuoteTick[] {
  return mids.map((m, i) => ({
    kind: 'quote',
    instrumentId,
    bid: Price.nearest(m - halfSpread, 2),
    ask: Price.nearest(m + halfSpread, 2),
    bidSize: Quantity.of(1000, 0),
    askSize: Quantity.of(1000, 0),
    ts: (i + 1) * STEP_MS,
  }));
}

export interface OrderRecord {
  readonly at: number;
  readonly order: Order;
  /** e.g. "BUY 10 MARKET", "SELL 10 STOP_MARKET @10.45 reduce-only". */
  readonly text: string;
}

export interface FillRecord {
  readonly at: number;
  readonly clientOrderId: string;
  /** e.g. "BUY 10 @11.50". */
  readonly text: string;
}

export interface RunResult {
  readonly engine: TradingEngine;
  readonly orders: OrderRecord[];
  readonly fills: FillRecord[];
  readonly signals: Array<Signal & { readonly at: number }>;
  /** Net position (raw) of each instrument after each record, keyed by instrument id. */
  readonly positions: Map<string, number[]>;
  /** Denials, rejections, invalid transitions and rejected commands: a clean run has none. */
  readonly problems: string[];
}

function describe(o: Order): string {
  const px = o.price ?? o.triggerPrice;
  return `${o.side} ${o.quantity} ${o.type}${px ? ` @${px}` : ''}${o.reduceOnly ? ' reduce-only' : ''}`;
}

export interface RunOptions {
  /** Default: one instrument "TEST" (tick 0.01, size step 1). */
  instruments?: readonly Instrument[];
  /** Venue command latency in clock milliseconds (default 0). */
  latencyMs?: number;
  /** Called before record `index` is dispatched (to pause a strategy, for instance). */
  beforeStep?: (index: number) => void;
}

/** Starts an engine with the strategies, dispatches every record in order, and stops it. */
export function run(strategies: readonly Strategy[], data: readonly MarketData[], opts: RunOptions = {}): RunResult {
  const instruments = opts.instruments ?? [testInstrument()];
  const clock = new SimulatedClock(0);
  const capital = Money.of('1000000', USD);
  const venue = new SimulatedExchange({ clock, instruments, startingCash: capital, latencyModel: fixedLatency(opts.latencyMs ?? 0) });
  const engine = new TradingEngine({ clock, instruments, initialCapital: capital, venue, strategies });
  const result: RunResult = { engine, orders: [], fills: [], signals: [], positions: new Map(), problems: [] };
  let at = -1;
  const bus = engine.bus;
  bus.subscribe('order.created', ({ order }) => result.orders.push({ at, order, text: describe(order) }));
  bus.subscribe('signal', (s) => result.signals.push({ ...s, at }));
  bus.subscribe('order.error', (e) => result.problems.push(`order error: ${e.message}`));
  bus.subscribe('command.rejected', (e) => result.problems.push(`${e.command} rejected: ${e.message}`));
  bus.subscribe('order.event', (e) => {
    if (e.type === 'OrderFilled') result.fills.push({ at, clientOrderId: e.clientOrderId, text: `${e.side} ${e.lastQty} @${e.lastPx}` });
    if (e.type === 'OrderDenied' || e.type === 'OrderRejected') result.problems.push(`${e.type} ${e.clientOrderId}: ${e.message}`);
  });
  for (const inst of instruments) result.positions.set(inst.id, []);
  engine.start();
  for (const record of data) {
    at++;
    opts.beforeStep?.(at);
    clock.advanceTo(record.ts);
    engine.dispatch(record);
    for (const inst of instruments) result.positions.get(inst.id)!.push(engine.portfolio.netQtyRaw(inst.id));
  }
  engine.stop();
  return result;
}
