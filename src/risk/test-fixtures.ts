/**
 * Shared fixtures for the risk engine tests: fee-free instruments (so equity moves only with
 * prices and the figures in the tests are exact), and a harness that drives the real
 * TradingEngine + SimulatedExchange + SimulatedClock with a RiskEngine attached through
 * attachRiskEngine, records what the engine publishes (order events, denials, trading state
 * changes, alerts, automated actions) and offers short order helpers. Test-only.
 */
import { SimulatedClock } from '../core/clock.js';
import { Money, USD } from '../core/money.js';
import { Quantity } from '../core/quantity.js';
import { TradingEngine } from '../engine/trading-engine.js';
import type { BracketRequest, SubmitResult } from '../execution/execution-engine.js';
import type { LatencyModel } from '../execution/models.js';
import { SimulatedExchange } from '../execution/simulated-exchange.js';
import type { Bar, QuoteTick, TradeTick } from '../model/data.js';
import type { OrderSide, OrderType, TimeInForce } from '../model/enums.js';
import { Instrument } from '../model/instrument.js';
import type { OrderDenied, OrderEvent } from '../model/order-events.js';
import type { OrderRequest } from '../model/order.js';
import type { AlertEvent } from './alerts.js';
import { attachRiskEngine } from './attach.js';
import type { RiskLimits } from './limits.js';
import type { RiskEngine, RiskEngineOptions } from './risk-engine.js';
import type { RiskAction, TradingStateChanged } from './trading-state.js';

/** 2024-01-02 10:00:00 UTC, a Tuesday: 05:00 in New York. */
export const T0 = Date.UTC(2024, 0, 2, 10, 0, 0);
export const SECOND = 1000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

const equity = (symbol: string) => new Instrument({ symbol, assetClass: 'EQUITY', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '1' });

/** Whole shares, cent ticks, no fees. */
export const ACME = equity('ACME');
export const BETA = equity('BETA');
export const GAMMA = equity('GAMMA');
/** A coarse tick (0.5), a 0.005 size step and a 0.01 minimum size. */
export const XBT = new Instrument({ symbol: 'XBT', assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.5', sizeStep: '0.005', minSize: '0.01' });
/** Cent ticks and a 0.001 size step, so notionals land between cents and are rounded. */
export const FINE = new Instrument({ symbol: 'FINE', assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '0.001' });

export const ALL = [ACME, BETA, GAMMA, XBT, FINE] as const;

export const usd = (v: string | number): Money => Money.of(v, USD);

export interface RiskHarnessOptions extends Pick<RiskEngineOptions, 'evaluateEveryMs' | 'fallbackStopFraction' | 'correlation'> {
  limits: RiskLimits;
  instruments?: readonly Instrument[];
  startingCash?: string;
  /** Venue leverage (the venue checks buying power too); defaults to limits.leverage or 1. */
  venueLeverage?: number;
  latencyModel?: LatencyModel;
  start?: number;
}

export interface OrderSpec {
  type?: OrderType;
  price?: string | number;
  trigger?: string | number;
  tif?: TimeInForce;
  reduceOnly?: boolean;
  tags?: string[];
  strategy?: string;
}

export class RiskHarness {
  readonly clock: SimulatedClock;
  readonly exchange: SimulatedExchange;
  readonly engine: TradingEngine;
  readonly risk: RiskEngine;
  readonly events: OrderEvent[] = [];
  readonly denials: OrderDenied[] = [];
  readonly states: TradingStateChanged[] = [];
  readonly alerts: AlertEvent[] = [];
  readonly actions: RiskAction[] = [];

  constructor(opts: RiskHarnessOptions) {
    const instruments = opts.instruments ?? ALL;
    const cash = usd(opts.startingCash ?? '100000');
    this.clock = new SimulatedClock(opts.start ?? T0);
    this.exchange = new SimulatedExchange({
      clock: this.clock,
      instruments,
      startingCash: cash,
      leverage: opts.venueLeverage ?? opts.limits.leverage ?? 1,
      latencyModel: opts.latencyModel,
    });
    this.engine = new TradingEngine({ clock: this.clock, instruments, initialCapital: cash, venue: this.exchange });
    const extra: Pick<RiskEngineOptions, 'evaluateEveryMs' | 'fallbackStopFraction' | 'correlation'> = {};
    if (opts.evaluateEveryMs !== undefined) extra.evaluateEveryMs = opts.evaluateEveryMs;
    if (opts.fallbackStopFraction !== undefined) extra.fallbackStopFraction = opts.fallbackStopFraction;
    if (opts.correlation !== undefined) extra.correlation = opts.correlation;
    this.risk = attachRiskEngine(this.engine, opts.limits, extra);
    const bus = this.engine.bus;
    bus.subscribe('order.event', (e) => {
      this.events.push(e);
      if (e.type === 'OrderDenied') this.denials.push(e);
    });
    bus.subscribe('risk.state', (s) => this.states.push(s));
    bus.subscribe('risk.alert', (a) => this.alerts.push(a));
    bus.subscribe('risk.action', (a) => this.actions.push(a));
    this.engine.start();
  }

  /** Moves the clock to `ts` (firing due timers) and dispatches a quote stamped `ts`. */
  quote(ts: number, bid: string, ask: string = bid, inst: Instrument = ACME): QuoteTick {
    const q: QuoteTick = { kind: 'quote', instrumentId: inst.id, bid: inst.price(bid), ask: inst.price(ask), bidSize: inst.quantity(1_000_000), askSize: inst.quantity(1_000_000), ts };
    this.clock.advanceTo(ts);
    this.engine.dispatch(q);
    return q;
  }

  /** A flat bar (open = high = low = close) closing at `ts`: it marks without touching resting orders far away. */
  bar(ts: number, close: string, inst: Instrument = ACME, range?: { open?: string; high?: string; low?: string }): Bar {
    const b: Bar = {
      kind: 'bar',
      instrumentId: inst.id,
      intervalMs: MINUTE,
      open: inst.price(range?.open ?? close),
      high: inst.price(range?.high ?? close),
      low: inst.price(range?.low ?? close),
      close: inst.price(close),
      volume: inst.quantity(0),
      ts,
    };
    this.clock.advanceTo(ts);
    this.engine.dispatch(b);
    return b;
  }

  trade(ts: number, price: string, inst: Instrument = ACME): TradeTick {
    const t: TradeTick = { kind: 'trade', instrumentId: inst.id, price: inst.price(price), size: inst.quantity(inst.minSize.toString()), aggressor: 'NONE', tradeId: `T${ts}`, ts };
    this.clock.advanceTo(ts);
    this.engine.dispatch(t);
    return t;
  }

  advanceTo(ts: number): void {
    this.clock.advanceTo(ts);
  }

  submit(request: OrderRequest, strategyId = 's1'): SubmitResult {
    return this.engine.run(() => this.engine.execution.submit(strategyId, request));
  }

  submitBracket(bracket: BracketRequest, strategyId = 's1'): SubmitResult {
    return this.engine.run(() => this.engine.execution.submitBracket(strategyId, bracket));
  }

  request(inst: Instrument, side: OrderSide, qty: string | number, spec: OrderSpec = {}): OrderRequest {
    const type = spec.type ?? (spec.price !== undefined ? (spec.trigger !== undefined ? 'STOP_LIMIT' : 'LIMIT') : spec.trigger !== undefined ? 'STOP_MARKET' : 'MARKET');
    return {
      instrumentId: inst.id,
      side,
      type,
      quantity: inst.quantity(qty),
      price: spec.price === undefined ? undefined : inst.price(spec.price),
      triggerPrice: spec.trigger === undefined ? undefined : inst.price(spec.trigger),
      timeInForce: spec.tif,
      reduceOnly: spec.reduceOnly,
      tags: spec.tags,
    };
  }

  /** Submits an order and returns the id and the outcome: 'DENIED <reason>' or the order status. */
  order(inst: Instrument, side: OrderSide, qty: string | number, spec: OrderSpec = {}): Outcome {
    const result = this.submit(this.request(inst, side, qty, spec), spec.strategy ?? 's1');
    if (!result.ok) throw new Error(`submit refused: ${result.reason} ${result.message}`);
    return this.outcome(result.order.clientOrderId);
  }

  buy(qty: string | number, spec: OrderSpec & { inst?: Instrument } = {}): Outcome {
    return this.order(spec.inst ?? ACME, 'BUY', qty, spec);
  }

  sell(qty: string | number, spec: OrderSpec & { inst?: Instrument } = {}): Outcome {
    return this.order(spec.inst ?? ACME, 'SELL', qty, spec);
  }

  outcome(clientOrderId: string): Outcome {
    const order = this.engine.execution.status(clientOrderId)!;
    const denial = this.denials.find((d) => d.clientOrderId === clientOrderId);
    return { id: clientOrderId, status: order.status, reason: denial?.reason, message: denial?.message };
  }

  /** Signed net position as a decimal string ("-3", "0.500"). */
  net(inst: Instrument = ACME): string {
    const raw = this.engine.portfolio.netQtyRaw(inst.id);
    return (raw < 0 ? '-' : '') + Quantity.fromRaw(Math.abs(raw), inst.sizePrecision).toString();
  }

  equity(): string {
    return Money.fromRaw(this.engine.portfolio.equityRaw(), USD).toDecimal();
  }

  get state(): string {
    return this.risk.tradingState;
  }

  /** Working orders as the engine and as the venue see them. */
  working(): { engine: string[]; venue: string[] } {
    return {
      engine: this.engine.execution.workingOrders().map((o) => o.clientOrderId),
      venue: this.exchange.workingOrders().map((o) => o.clientOrderId),
    };
  }
}

export interface Outcome {
  readonly id: string;
  readonly status: string;
  readonly reason: string | undefined;
  readonly message: string | undefined;
}
