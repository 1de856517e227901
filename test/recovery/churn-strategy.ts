/**
 * ChurnStrategy: a seeded load generator for journal and recovery tests and benchmarks, not a
 * trading idea. On every quote it sends `ordersPerQuote` random commands: market orders, resting
 * and marketable limits, brackets (an entry with stop-loss and take-profit exits), cancels and
 * amends of its own working orders — every path the journal and reconciliation must get right.
 * Positions stay within ±`maxSteps` minimum sizes per instrument, and its working orders within
 * `maxOpen`.
 */
import { Random } from '../../src/core/random.js';
import { Quantity } from '../../src/core/quantity.js';
import type { QuoteTick } from '../../src/model/data.js';
import type { OrderEvent } from '../../src/model/order-events.js';
import { Strategy } from '../../src/strategy/strategy.js';

export interface ChurnOptions {
  readonly seed: number;
  /** Commands per quote (default 1). */
  readonly ordersPerQuote?: number;
  /** Position bound in minimum sizes (default 20). */
  readonly maxSteps?: number;
  /** Share of brackets among new orders (default 0.05). */
  readonly bracketShare?: number;
  /** Working orders it keeps at most: beyond, it cancels instead of sending (default 50). */
  readonly maxOpen?: number;
}

export class ChurnStrategy extends Strategy {
  private readonly rng: Random;
  private readonly perQuote: number;
  private readonly maxSteps: number;
  private readonly bracketShare: number;
  private readonly maxOpen: number;
  private readonly open: string[] = [];
  private readonly index = new Map<string, number>();
  /** Commands sent (submits, cancels, amends), for benchmarks. */
  sent = 0;

  constructor(id: string, opts: ChurnOptions, instrumentIds: readonly string[] = []) {
    super(id, instrumentIds);
    this.rng = new Random(opts.seed);
    this.perQuote = opts.ordersPerQuote ?? 1;
    this.maxSteps = opts.maxSteps ?? 20;
    this.bracketShare = opts.bracketShare ?? 0.05;
    this.maxOpen = opts.maxOpen ?? 50;
  }

  /** Adopts its working orders restored from a journal, so it keeps churning (canceling) them. */
  override onStart(): void {
    for (const o of this.ctx.orders.workingOrders()) if (o.strategyId === this.id) this.remember(o.clientOrderId);
  }

  override onQuote(q: QuoteTick): void {
    for (let k = 0; k < this.perQuote; k++) this.act(q);
  }

  override onOrderEvent(e: OrderEvent): void {
    const order = this.ctx.orders.status(e.clientOrderId);
    if (!order || order.isTerminal) this.forget(e.clientOrderId);
  }

  private act(q: QuoteTick): void {
    const inst = this.instrument(q.instrumentId);
    const r = this.rng.next();
    const orders = this.ctx.orders;
    if ((r < 0.15 || this.open.length >= this.maxOpen) && this.open.length > 0) {
      const order = orders.status(this.pick());
      if (order && order.isWorking && order.status !== 'PENDING_CANCEL') {
        orders.cancel(order.clientOrderId);
        this.sent++;
      }
      return;
    }
    if (r < 0.25 && this.open.length > 0) {
      const order = orders.status(this.pick());
      if (order && order.type === 'LIMIT' && order.price && (order.status === 'ACCEPTED' || order.status === 'PARTIALLY_FILLED')) {
        const ticks = this.rng.next() < 0.5 ? -1 : 1;
        const price = order.price.addTicks(ticks, inst.tickSize.raw);
        if (price.raw > 0) {
          orders.modify(order.clientOrderId, { price });
          this.sent++;
        }
      }
      return;
    }
    const pos = this.positionRaw(inst.id);
    const limit = this.maxSteps * inst.minSize.raw;
    const side = pos > limit ? 'SELL' : pos < -limit ? 'BUY' : this.rng.next() < 0.5 ? 'BUY' : 'SELL';
    const quantity = Quantity.fromRaw(inst.minSize.raw * this.rng.int(1, 3), inst.sizePrecision);
    const tick = inst.tickSize.raw;
    let result;
    if (r < 0.25 + this.bracketShare) {
      const sign = side === 'BUY' ? 1 : -1;
      const ref = side === 'BUY' ? q.ask : q.bid;
      const stop = ref.addTicks(-sign * 20, tick);
      const take = ref.addTicks(sign * 20, tick);
      if (stop.raw <= 0 || take.raw <= 0) return;
      result = this.bracket({ instrumentId: inst.id, side, type: 'MARKET', quantity, timeInForce: 'GTC' }, stop, take);
    } else if (r < 0.6) {
      result = this.market(inst.id, side, quantity);
    } else {
      // Mostly resting limits a few ticks away; one in five crosses the touch.
      const away = this.rng.next() < 0.2 ? -1 : this.rng.int(1, 5);
      const price = side === 'BUY' ? q.bid.addTicks(-away, tick) : q.ask.addTicks(away, tick);
      if (price.raw <= 0) return;
      result = this.limit(inst.id, side, quantity, price);
    }
    this.sent++;
    if (!result.ok) return;
    if (!result.order.isTerminal) this.remember(result.order.clientOrderId);
    // A bracket's exits are its orders too: churned (canceled) like the others once working.
    for (const id of result.order.contingency === 'OTO' ? result.order.linkedIds : []) this.remember(id);
  }

  private pick(): string {
    return this.open[this.rng.int(0, this.open.length - 1)]!;
  }

  private remember(id: string): void {
    if (this.index.has(id)) return;
    this.index.set(id, this.open.length);
    this.open.push(id);
  }

  private forget(id: string): void {
    const i = this.index.get(id);
    if (i === undefined) return;
    const last = this.open.pop()!;
    this.index.delete(id);
    if (last !== id) {
      this.open[i] = last;
      this.index.set(last, i);
    }
  }
}
