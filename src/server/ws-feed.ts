/**
 * The hub's feed: follows the engine's bus and turns it into the one ordered stream every fan-out
 * reads (ws-stream.ts). Bus handlers only append (a queued-channel update, its view taken when the
 * stream is drained) or mark a coalesced key changed (latest wins); the JSON is made when the
 * stream is drained, off the engine's path, once whatever the number of fan-outs and clients.
 * Snapshots and clock readings are answered at the point of the stream where they were asked
 * for, so that a client gets its snapshot and then exactly the updates that follow it.
 *
 * Work is only done for channels some fan-out is interested in (has a subscriber or a pending
 * snapshot on). Risk summaries follow each trading-state change and an interval; performance
 * snapshots come from the bus topic 'analytics.snapshot' once the monitor publishes them, else
 * from polling it on that interval. An exception in any of this is logged and that update skipped:
 * the dashboard never fails the engine's dispatch or a timer.
 */
import type { Topic, TopicPayload } from '../core/topics.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { Logger } from '../infra/logger.js';
import type { QuoteTick } from '../model/data.js';
import type { PortfolioSnapshot, PositionSnapshot } from '../portfolio/snapshots.js';
import type { RiskEngine } from '../risk/risk-engine.js';
import { CHANNELS, type Channel } from './protocol.js';
import type { SnapshotBuilder } from './snapshots.js';
import { alertEventView, fillView, orderEventView, orderView, portfolioView, positionView, priceTickView, riskActionView, riskSummaryView, signalView, stateChangeView } from './views.js';
import type { FanOutId, FeedItem, FeedRequest } from './ws-stream.js';

export interface HubFeedDeps {
  engine: TradingEngine;
  risk: RiskEngine;
  snapshots: SnapshotBuilder;
  logger: Logger;
}

/** A queued-channel update whose data is made JSON when the stream is drained. */
interface PendingUpdate {
  kind: 'pending';
  channel: Channel;
  ts: number;
  value: unknown;
  view: (value: unknown) => unknown;
}

/** The keys of a coalesced channel changed since the stream was last drained, with their latest values. */
class ChangedValues<V> {
  readonly changed = new Map<string, V>();

  constructor(
    readonly channel: Channel,
    readonly view: (value: V) => unknown,
    readonly tsOf: (value: V) => number,
  ) {}
}

export class HubFeed {
  private readonly stream: (FeedItem | PendingUpdate)[] = [];
  private readonly coalesced: ChangedValues<never>[] = [];
  private readonly prices: ChangedValues<QuoteTick>;
  private readonly positions: ChangedValues<PositionSnapshot>;
  private readonly pnl: ChangedValues<PortfolioSnapshot>;
  private readonly performanceState: ChangedValues<{ snapshot: unknown; ts: number }>;
  /** The channels each fan-out is interested in, and how many fan-outs are, per channel. */
  private readonly interest = new Map<FanOutId, Set<Channel>>();
  private readonly interested = Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>;
  private readonly unsubscribers: (() => void)[] = [];
  private summaryTimer: NodeJS.Timeout | undefined;
  private riskSummaryDirty = false;
  private performanceOnBus = false;
  /** Told whenever the stream has something new (the consumer schedules a drain). */
  private onAppend: () => void = () => {};

  constructor(
    private readonly deps: HubFeedDeps,
    private readonly summaryIntervalMs: number,
  ) {
    this.prices = this.addCoalesced('prices', priceTickView, (q) => q.ts);
    this.positions = this.addCoalesced('portfolio', positionView, (p) => p.ts);
    this.pnl = this.addCoalesced('pnl', portfolioView, (s) => s.ts);
    this.performanceState = this.addCoalesced('performance', (p: { snapshot: unknown; ts: number }) => p.snapshot, (p) => p.ts);
    this.follow();
  }

  /** Sets the one consumer's wake-up call. */
  listen(onAppend: () => void): void {
    this.onAppend = onAppend;
  }

  /** Starts the periodic risk-summary and performance updates. */
  start(): void {
    if (this.summaryTimer) return;
    this.summaryTimer = setInterval(() => this.refreshPeriodic(), this.summaryIntervalMs);
    this.summaryTimer.unref();
  }

  stop(): void {
    for (const off of this.unsubscribers.splice(0)) off();
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    this.summaryTimer = undefined;
  }

  /** Answers a fan-out's request by appending to the stream (snapshot, clock) or by updating its interest. */
  handle(from: FanOutId, request: FeedRequest): void {
    switch (request.op) {
      case 'snapshot': {
        this.addInterest(from, request.channel);
        // Changes made before the snapshot go before it: the snapshot already holds them.
        this.stageChanges();
        this.stream.push(this.snapshot(from, request.requestId, request.channel));
        break;
      }
      case 'clock':
        this.stream.push({ kind: 'clock', to: from, requestId: request.requestId, ts: this.deps.engine.clock.now() });
        break;
      case 'uninterested':
        this.removeInterest(from, request.channel);
        return;
    }
    this.onAppend();
  }

  /** Forgets a fan-out that is gone (its interest no longer counts). */
  forget(from: FanOutId): void {
    for (const channel of [...(this.interest.get(from) ?? [])]) this.removeInterest(from, channel);
    this.interest.delete(from);
  }

  /** Whether a fan-out is interested in a channel (has a subscriber or a pending snapshot on it). */
  wants(fanOut: FanOutId, channel: Channel): boolean {
    return this.interest.get(fanOut)?.has(channel) ?? false;
  }

  /**
   * Everything appended since the last drain, in order, with its data as JSON. It does not call
   * the consumer's wake-up for what it adds itself (the risk summary): the consumer is draining.
   */
  drain(): FeedItem[] {
    if (this.riskSummaryDirty) {
      this.riskSummaryDirty = false;
      this.guarded('risk summary', () => this.appendSummary());
    }
    this.stageChanges();
    const out: FeedItem[] = [];
    for (const item of this.stream) {
      if (item.kind !== 'pending') {
        out.push(item);
        continue;
      }
      try {
        out.push({ kind: 'update', channel: item.channel, ts: item.ts, json: JSON.stringify(item.view(item.value)) });
      } catch (err) {
        this.deps.logger.error({ err, channel: item.channel }, 'dashboard update could not be serialized; skipped');
      }
    }
    this.stream.length = 0;
    return out;
  }

  // --- following the bus: append only ----------------------------------------------------

  private follow(): void {
    const on = <T extends Topic>(topic: T, handler: (msg: TopicPayload<T>) => void): void => {
      this.unsubscribers.push(this.deps.engine.bus.subscribe(topic, (msg) => this.guarded(topic, () => handler(msg))));
    };
    on('data.quote', (q) => this.change(this.prices, q.instrumentId, q));
    on('position.changed', (p) => this.change(this.positions, p.instrumentId, p));
    on('portfolio.pnl', (s) => this.change(this.pnl, 'pnl', s));
    on('signal', (s) => this.publish('signals', s.ts, s, signalView));
    on('order.event', (e) => {
      if (e.type === 'OrderFilled') this.publish('trades', e.ts, e, fillView);
      if (this.interested.orders === 0) return;
      const order = this.deps.engine.execution.status(e.clientOrderId);
      // The order's state right after this event (the view is taken now, not when drained).
      const data = { event: orderEventView(e), order: order ? orderView(order) : null };
      this.publish('orders', e.ts, data, (d) => d);
    });
    on('risk.alert', (e) => this.publish('alerts', e.ts, e, alertEventView));
    on('risk.state', (change) => {
      this.publish('risk', change.ts, change, (c) => ({ kind: 'state', change: stateChangeView(c) }));
      // The summary follows the state change; it is computed at the next drain, off the engine's path.
      this.riskSummaryDirty = true;
    });
    on('analytics.snapshot', (snapshot) => {
      this.performanceOnBus = true;
      this.change(this.performanceState, 'performance', { snapshot, ts: this.deps.engine.clock.now() });
    });
    on('risk.action', (a) => this.publish('risk', a.ts, a, (x) => ({ kind: 'action', action: riskActionView(x) })));
  }

  /** Runs one dashboard update; an exception is logged and the update skipped. */
  private guarded(what: string, update: () => void): void {
    try {
      update();
    } catch (err) {
      this.deps.logger.error({ err, update: what }, 'dashboard update failed; skipped');
    }
  }

  private addCoalesced<V>(channel: Channel, view: (value: V) => unknown, tsOf: (value: V) => number): ChangedValues<V> {
    const c = new ChangedValues<V>(channel, view, tsOf);
    this.coalesced.push(c as unknown as ChangedValues<never>);
    return c;
  }

  /** Records a coalesced key's change, if some fan-out is interested in its channel, and wakes the consumer. */
  private change<V>(source: ChangedValues<V>, key: string, value: V): void {
    if (this.interested[source.channel] === 0) return;
    source.changed.set(key, value);
    this.onAppend();
  }

  private publish<V>(channel: Channel, ts: number, value: V, view: (value: V) => unknown): void {
    if (this.append(channel, ts, value, view)) this.onAppend();
  }

  /** Appends the risk summary (an update of the risk channel: few, and each is kept). */
  private appendSummary(): boolean {
    if (this.interested.risk === 0) return false;
    const summary = this.deps.risk.summary();
    return this.append('risk', summary.ts, summary, (s) => ({ kind: 'summary', summary: riskSummaryView(s) }));
  }

  /** Appends an update of a queued channel, if some fan-out is interested in it; says whether it did. */
  private append<V>(channel: Channel, ts: number, value: V, view: (value: V) => unknown): boolean {
    if (this.interested[channel] === 0) return false;
    this.stream.push({ kind: 'pending', channel, ts, value, view: view as (value: unknown) => unknown });
    return true;
  }

  /** Turns the coalesced keys changed so far into stream items (JSON), in the order they changed. */
  private stageChanges(): void {
    for (const source of this.coalesced) {
      if (source.changed.size === 0) continue;
      for (const [key, value] of source.changed) {
        try {
          this.stream.push({ kind: 'set', channel: source.channel, key, ts: source.tsOf(value), json: JSON.stringify(source.view(value)) });
        } catch (err) {
          this.deps.logger.error({ err, channel: source.channel }, 'dashboard update could not be serialized; skipped');
        }
      }
      source.changed.clear();
    }
  }

  private snapshot(to: FanOutId, requestId: number, channel: Channel): FeedItem {
    try {
      const json = JSON.stringify(this.deps.snapshots.build(channel));
      return { kind: 'snapshot', to, requestId, channel, ts: this.deps.engine.clock.now(), json };
    } catch (err) {
      this.deps.logger.error({ err, channel }, 'snapshot failed');
      return { kind: 'snapshot-failed', to, requestId, channel };
    }
  }

  private addInterest(from: FanOutId, channel: Channel): void {
    let channels = this.interest.get(from);
    if (!channels) this.interest.set(from, (channels = new Set()));
    if (channels.has(channel)) return;
    channels.add(channel);
    this.interested[channel]++;
  }

  private removeInterest(from: FanOutId, channel: Channel): void {
    const channels = this.interest.get(from);
    if (!channels?.delete(channel)) return;
    this.interested[channel]--;
    if (this.interested[channel] === 0) this.coalesced.find((c) => c.channel === channel)?.changed.clear();
  }

  /** Periodic figures that are not bus events: risk summary (limits usage moves with prices) and performance. */
  private refreshPeriodic(): void {
    try {
      if (this.appendSummary()) this.onAppend();
      // A monitor that publishes its snapshots on the bus is followed there, not polled.
      if (this.interested.performance > 0 && !this.performanceOnBus) {
        const snapshot = this.deps.snapshots.performance();
        if (snapshot !== null) this.change(this.performanceState, 'performance', { snapshot, ts: this.deps.engine.clock.now() });
      }
    } catch (err) {
      this.deps.logger.error({ err }, 'periodic dashboard update failed');
    }
  }
}
