/**
 * Strategy: the base class every trading strategy extends. The kernel calls its handlers (data,
 * order events, fills, timers) and gives it a context with the clock, instruments, portfolio view
 * and the order gateway. The same strategy code runs in backtest, paper and live modes.
 */
import type { Clock } from '../core/clock.js';
import type { Price } from '../core/price.js';
import type { Quantity } from '../core/quantity.js';
import type { Bar, QuoteTick, TradeTick } from '../model/data.js';
import type { OrderSide } from '../model/enums.js';
import type { Instrument } from '../model/instrument.js';
import type { OrderEvent, OrderFilled } from '../model/order-events.js';
import type { OrderRequest } from '../model/order.js';
import type { Signal } from '../model/signal.js';
import type { OrderGateway, SubmitResult } from '../execution/execution-engine.js';
import type { Portfolio } from '../portfolio/portfolio.js';

export type SignalInput = Omit<Signal, 'id' | 'strategyId' | 'ts'>;

export interface StrategyContext {
  readonly clock: Clock;
  readonly instruments: ReadonlyMap<string, Instrument>;
  readonly portfolio: Portfolio;
  readonly orders: OrderGateway;
  /** Publishes a signal on the bus and returns it with its id and time. */
  publishSignal(signal: SignalInput): Signal;
  /** Calls onTimer(name) at `at` (clock time). */
  setTimer(name: string, at: number): void;
}

export abstract class Strategy {
  /** Unique id in the run, e.g. "ma_cross-1". Prefixes its client order ids. */
  readonly id: string;
  /** Instruments this strategy receives data for (all when empty). */
  readonly instrumentIds: readonly string[];
  private context: StrategyContext | undefined;
  /** Paused strategies receive data but may not submit orders. */
  paused = false;

  constructor(id: string, instrumentIds: readonly string[] = []) {
    this.id = id;
    this.instrumentIds = instrumentIds;
  }

  /** Called once by the kernel before start. */
  attach(ctx: StrategyContext): void {
    this.context = ctx;
  }

  protected get ctx(): StrategyContext {
    if (!this.context) throw new Error(`strategy ${this.id} is not attached to an engine`);
    return this.context;
  }

  onStart(): void {}
  onStop(): void {}
  onQuote(_quote: QuoteTick): void {}
  onTrade(_trade: TradeTick): void {}
  onBar(_bar: Bar): void {}
  onOrderEvent(_event: OrderEvent): void {}
  onFill(_fill: OrderFilled): void {}
  onTimer(_name: string): void {}

  // --- helpers ------------------------------------------------------------------------

  protected instrument(id: string): Instrument {
    const inst = this.ctx.instruments.get(id);
    if (!inst) throw new Error(`strategy ${this.id}: instrument ${id} is unknown`);
    return inst;
  }

  /** Signed raw position size held in an instrument. */
  protected positionRaw(instrumentId: string): number {
    return this.ctx.portfolio.netQtyRaw(instrumentId);
  }

  protected submit(request: OrderRequest): SubmitResult {
    if (this.paused) return { ok: false, reason: 'STRATEGY_PAUSED', message: `strategy ${this.id} is paused` };
    return this.ctx.orders.submit(this.id, request);
  }

  protected market(instrumentId: string, side: OrderSide, quantity: Quantity, reduceOnly = false): SubmitResult {
    return this.submit({ instrumentId, side, type: 'MARKET', quantity, timeInForce: 'GTC', reduceOnly });
  }

  protected limit(instrumentId: string, side: OrderSide, quantity: Quantity, price: Price, timeInForce: OrderRequest['timeInForce'] = 'GTC'): SubmitResult {
    return this.submit({ instrumentId, side, type: 'LIMIT', quantity, price, timeInForce });
  }

  protected bracket(entry: OrderRequest, stopLoss: Price, takeProfit: Price): SubmitResult {
    if (this.paused) return { ok: false, reason: 'STRATEGY_PAUSED', message: `strategy ${this.id} is paused` };
    return this.ctx.orders.submitBracket(this.id, { entry, stopLoss, takeProfit });
  }

  protected signal(signal: SignalInput): Signal {
    return this.ctx.publishSignal(signal);
  }
}
