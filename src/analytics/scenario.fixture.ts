/**
 * Test fixture for the analytics tests: a real TradingEngine on a SimulatedClock and a
 * SimulatedExchange, fed hourly bars, with a strategy that follows a script of signals and
 * market orders (an order decided on a bar's close fills at the next bar's open).
 */
import { SimulatedClock } from '../core/clock.js';
import { Money, USD } from '../core/money.js';
import { TradingEngine } from '../engine/trading-engine.js';
import { SimulatedExchange } from '../execution/simulated-exchange.js';
import type { Bar } from '../model/data.js';
import type { OrderSide } from '../model/enums.js';
import { Instrument } from '../model/instrument.js';
import type { SignalDirection } from '../model/signal.js';
import type { PreTradeGate } from '../risk/gate.js';
import { Strategy } from '../strategy/strategy.js';

export const HOUR_MS = 3_600_000;
/** 2026-01-05T00:00:00Z, a Monday. */
export const T0 = Date.UTC(2026, 0, 5);

export function testInstrument(symbol: string): Instrument {
  return new Instrument({ symbol, assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '1', makerFee: '0', takerFee: '0.001' });
}

export function bar(inst: Instrument, ts: number, open: number, close: number, intervalMs = HOUR_MS): Bar {
  return {
    kind: 'bar',
    instrumentId: inst.id,
    intervalMs,
    open: inst.price(open),
    high: inst.price(Math.max(open, close) + 1),
    low: inst.price(Math.min(open, close) - 1),
    close: inst.price(close),
    volume: inst.quantity(1_000_000),
    ts,
  };
}

export interface ScriptStep {
  signal?: { type: string; direction: SignalDirection; confidence: number };
  order?: { side: OrderSide; qty: number; delayMs?: number };
}

/** Follows a script keyed by bar index ((bar.ts − T0) / HOUR_MS) on one instrument. */
export class ScriptedStrategy extends Strategy {
  private pending: { side: OrderSide; qty: number } | undefined;

  constructor(
    id: string,
    private readonly instrumentId: string,
    private readonly script: Readonly<Record<number, ScriptStep>>,
  ) {
    super(id, [instrumentId]);
  }

  override onBar(b: Bar): void {
    const step = this.script[Math.round((b.ts - T0) / HOUR_MS)];
    if (step === undefined) return;
    if (step.signal) {
      this.signal({ instrumentId: this.instrumentId, signalType: step.signal.type, direction: step.signal.direction, strength: 1, confidence: step.signal.confidence, reason: 'script' });
    }
    if (step.order) {
      if (step.order.delayMs !== undefined) {
        this.pending = step.order;
        this.ctx.setTimer('delayed-order', b.ts + step.order.delayMs);
      } else {
        this.place(step.order);
      }
    }
  }

  override onTimer(): void {
    if (this.pending) this.place(this.pending);
    this.pending = undefined;
  }

  private place(o: { side: OrderSide; qty: number }): void {
    this.market(this.instrumentId, o.side, this.instrument(this.instrumentId).quantity(o.qty));
  }
}

/** Denies any order above `maxQty` units with MAX_ORDER_QTY. */
export function maxQtyGate(maxQty: number): PreTradeGate {
  return {
    check: (order) => (order.quantity.toNumber() > maxQty ? { reason: 'MAX_ORDER_QTY', message: `quantity ${order.quantity} exceeds ${maxQty}` } : undefined),
  };
}

export interface Rig {
  readonly clock: SimulatedClock;
  readonly engine: TradingEngine;
  readonly instruments: readonly Instrument[];
}

export function rig(instruments: readonly Instrument[], strategies: readonly Strategy[], capital = '10000'): Rig {
  const clock = new SimulatedClock(0);
  const venue = new SimulatedExchange({ clock, instruments, startingCash: Money.of(capital, USD) });
  const engine = new TradingEngine({ clock, instruments, initialCapital: Money.of(capital, USD), venue, strategies });
  return { clock, engine, instruments };
}

/** Starts the engine at `start`, dispatches the records in order on the clock, and stops it. */
export function drive(r: Rig, start: number, records: readonly Bar[]): void {
  r.clock.advanceTo(start);
  r.engine.start();
  for (const rec of records) {
    r.clock.advanceTo(rec.ts);
    r.engine.dispatch(rec);
  }
  r.engine.stop();
}
