/**
 * WsHub: WebSocket fan-out of the engine's bus to dashboard clients (routes `/ws` and
 * `/ws/<channel>`, via @fastify/websocket).
 *
 * The engine never waits for a client, and pays the same for one client or a thousand. Bus
 * handlers only append: a bus event becomes one entry (serialized once, when first written) in a
 * shared log that every client reads through its own cursor, or — for pnl, prices, portfolio
 * positions and the periodic risk/performance figures — replaces the latest value of a coalesced
 * channel (latest wins per instrument; performance snapshots come from the bus topic
 * 'analytics.snapshot' when the monitor publishes them, else from polling it). A flush timer then writes each client what it is owed as
 * one frame (a batch array when more than one message), but only while the socket's
 * bufferedAmount is below the high-water mark. A client more than maxQueuedMessages behind the
 * log (its bounded buffer), or behind for longer than maxLagMs, is sent
 * `{type:'disconnect', reason}` and closed with code 4008; it is terminated if it does not
 * complete the close within closeGraceMs.
 */
import { performance } from 'node:perf_hooks';
import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { Logger } from '../infra/logger.js';
import type { QuoteTick } from '../model/data.js';
import type { PortfolioSnapshot, PositionSnapshot } from '../portfolio/snapshots.js';
import type { RiskEngine, RiskSummary } from '../risk/risk-engine.js';
import type { LiveState } from './live-state.js';
import { RecentLog } from './recent-log.js';
import { CHANNELS, WS_CLOSE_GOING_AWAY, WS_CLOSE_SLOW_CONSUMER, WS_PATH, type Channel, type ServerMessage, clientMessageSchema, isChannel, wsChannelPath } from './protocol.js';
import { RateLimiter } from './rate-limit.js';
import type { SnapshotBuilder } from './snapshots.js';
import { alertEventView, fillView, orderEventView, orderView, portfolioView, positionView, priceTickView, riskActionView, riskSummaryView, signalView, stateChangeView } from './views.js';
import { Outgoing, WsClient, envelope } from './ws-client.js';

export interface WsHubOptions {
  /** Messages a client may be behind the live stream before it is dropped (default 2000). */
  maxQueuedMessages?: number;
  /** Entries the shared log keeps (default 65,536; at least maxQueuedMessages). */
  logCapacity?: number;
  /** bufferedAmount (bytes) above which nothing more is written to a client (default 256 KiB). */
  highWaterMarkBytes?: number;
  /** How long a client may stay behind before it is dropped (default 5000 ms). */
  maxLagMs?: number;
  /** How often pending messages are written (default 10 ms; 0 = on the next turn of the event loop). */
  flushIntervalMs?: number;
  /**
   * Longest a flush may run before it yields to the event loop (and so to the engine's market
   * data); the rest of the clients are served on the next turn (default 5 ms).
   */
  flushSliceMs?: number;
  /** Interval of risk-summary and performance updates (default 1000 ms). */
  summaryIntervalMs?: number;
  /** Time a dropped client gets to complete the close handshake before it is terminated (default 2000 ms). */
  closeGraceMs?: number;
  /** Largest frame written at once; bigger batches are split (default 64 KiB). */
  maxFrameBytes?: number;
  /** Connections accepted at once (default 5000). */
  maxClients?: number;
  /** Subscribe/unsubscribe/ping messages a client may send: burst and per second (default 50, 20). */
  clientOpsBurst?: number;
  clientOpsPerSecond?: number;
  /** Monotonic milliseconds, for lag (default performance.now). */
  now?: () => number;
}

export interface WsHubDeps {
  engine: TradingEngine;
  risk: RiskEngine;
  state: LiveState;
  snapshots: SnapshotBuilder;
  logger: Logger;
}

export interface WsConnectionInfo {
  id: string;
  path: string;
  remoteAddress: string;
  connectedAt: number;
  channels: Channel[];
  queued: number;
  bufferedAmount: number;
  sent: number;
}

export interface WsHubStats {
  clients: number;
  queued: number;
  messagesSent: number;
  framesSent: number;
  dropped: Record<string, number>;
}

/** Latest value per key, with versions, for a coalesced channel. */
class Coalesced<V> {
  version = 0;
  private readonly entries = new Map<string, { value: V; version: number }>();
  /** JSON of what changed since a version, valid until the next set(). */
  private readonly cache = new Map<number, { json: string; ts: number }>();

  constructor(
    readonly channel: Channel,
    private readonly toData: (values: V[]) => unknown,
    private readonly tsOf: (value: V) => number,
  ) {}

  set(key: string, value: V): void {
    this.version++;
    if (this.cache.size > 0) this.cache.clear();
    const e = this.entries.get(key);
    if (e) {
      e.value = value;
      e.version = this.version;
    } else {
      this.entries.set(key, { value, version: this.version });
    }
  }

  /** Data (JSON) and time of what changed after version `since`; computed once per version and `since`, shared by clients. */
  since(since: number): { json: string; ts: number } {
    let hit = this.cache.get(since);
    if (!hit) {
      const values: V[] = [];
      let ts = 0;
      for (const e of this.entries.values()) {
        if (e.version <= since) continue;
        values.push(e.value);
        const t = this.tsOf(e.value);
        if (t > ts) ts = t;
      }
      hit = { json: JSON.stringify(this.toData(values)), ts };
      this.cache.set(since, hit);
    }
    return hit;
  }
}

const control = (m: ServerMessage): string => JSON.stringify(m);
const CLOSE_REASON_BYTES = 120;

export class WsHub {
  private readonly clients = new Set<WsClient>();
  private readonly subscribers = Object.fromEntries(CHANNELS.map((c) => [c, new Set<WsClient>()])) as Record<Channel, Set<WsClient>>;
  private readonly coalesced: Partial<Record<Channel, Coalesced<never>>> = {};
  private readonly positions: Coalesced<PositionSnapshot>;
  private readonly pnl: Coalesced<PortfolioSnapshot>;
  private readonly prices: Coalesced<QuoteTick>;
  private readonly riskSummary: Coalesced<RiskSummary>;
  private readonly performanceState: Coalesced<{ snapshot: unknown; ts: number }>;
  /** Updates of the queued (non-coalesced) channels, in bus order, read by every client through its cursor. */
  private readonly log: RecentLog<Outgoing>;
  private readonly unsubscribers: (() => void)[] = [];
  private readonly opsLimiter: RateLimiter;
  private readonly now: () => number;
  private readonly o: Required<Omit<WsHubOptions, 'now' | 'clientOpsBurst' | 'clientOpsPerSecond' | 'logCapacity'>>;
  private flushTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private summaryTimer: NodeJS.Timeout | undefined;
  /** The clients of the flush round in progress (served in slices), and the next one to serve. */
  private round: WsClient[] = [];
  private roundNext = 0;
  private rounds = 0;
  /** Something was appended or a client was left behind since the current round began. */
  private wanted = false;
  private roundPending = false;
  private riskSummaryDirty = false;
  private performanceOnBus = false;
  private nextId = 1;
  private stopped = false;
  private messagesSent = 0;
  private framesSent = 0;
  private readonly dropped: Record<string, number> = {};
  private readonly flushBound = () => this.flush();

  constructor(
    private readonly deps: WsHubDeps,
    opts: WsHubOptions = {},
  ) {
    this.o = {
      maxQueuedMessages: opts.maxQueuedMessages ?? 2000,
      highWaterMarkBytes: opts.highWaterMarkBytes ?? 256 * 1024,
      maxLagMs: opts.maxLagMs ?? 5000,
      flushIntervalMs: opts.flushIntervalMs ?? 10,
      flushSliceMs: opts.flushSliceMs ?? 5,
      summaryIntervalMs: opts.summaryIntervalMs ?? 1000,
      closeGraceMs: opts.closeGraceMs ?? 2000,
      maxFrameBytes: opts.maxFrameBytes ?? 64 * 1024,
      maxClients: opts.maxClients ?? 5000,
    };
    this.now = opts.now ?? (() => performance.now());
    this.log = new RecentLog<Outgoing>(Math.max(opts.logCapacity ?? 65_536, this.o.maxQueuedMessages + 1), { ts: (m) => m.ts, symbol: () => undefined });
    this.opsLimiter = new RateLimiter({ burst: opts.clientOpsBurst ?? 50, perSecond: opts.clientOpsPerSecond ?? 20, now: this.now });

    this.positions = this.addCoalesced('portfolio', (v: PositionSnapshot[]) => ({ positions: v.map(positionView) }), (p) => p.ts);
    this.pnl = this.addCoalesced('pnl', (v: PortfolioSnapshot[]) => portfolioView(v[v.length - 1]!), (s) => s.ts);
    this.prices = this.addCoalesced('prices', (v: QuoteTick[]) => ({ ticks: v.map(priceTickView) }), (q) => q.ts);
    this.riskSummary = this.addCoalesced('risk', (v: RiskSummary[]) => ({ kind: 'summary', summary: riskSummaryView(v[v.length - 1]!) }), (s) => s.ts);
    this.performanceState = this.addCoalesced('performance', (v: { snapshot: unknown; ts: number }[]) => ({ snapshot: v[v.length - 1]!.snapshot }), (p) => p.ts);
    this.follow();
  }

  /** Registers `/ws` and `/ws/<channel>` on a Fastify instance that has @fastify/websocket. */
  register(app: FastifyInstance): void {
    const accept = (socket: WebSocket, path: string, ip: string, channel: Channel | undefined): void => {
      try {
        this.accept(socket, path, ip, channel);
      } catch (err) {
        this.deps.logger.error({ err, path }, 'websocket accept failed');
        socket.terminate();
      }
    };
    app.get(WS_PATH, { websocket: true }, (socket, req) => accept(socket, WS_PATH, req.ip, undefined));
    for (const channel of CHANNELS) {
      const path = wsChannelPath(channel);
      app.get(path, { websocket: true }, (socket, req) => accept(socket, path, req.ip, channel));
    }
  }

  /** Starts the periodic risk-summary and performance updates. */
  start(): void {
    if (this.summaryTimer) return;
    this.summaryTimer = setInterval(() => this.refreshPeriodic(), this.o.summaryIntervalMs);
    this.summaryTimer.unref();
  }

  /** Closes every connection (code 1001) and stops following the bus. */
  stop(): void {
    this.stopped = true;
    for (const off of this.unsubscribers.splice(0)) off();
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    this.summaryTimer = undefined;
    this.cancelFlush();
    for (const c of [...this.clients]) {
      this.remove(c);
      try {
        c.socket.close(WS_CLOSE_GOING_AWAY, 'server shutting down');
      } catch {
        c.socket.terminate();
      }
      setTimeout(() => c.socket.terminate(), this.o.closeGraceMs).unref();
    }
  }

  get clientCount(): number {
    return this.clients.size;
  }

  connections(): WsConnectionInfo[] {
    return [...this.clients].map((c) => ({
      id: c.id,
      path: c.path,
      remoteAddress: c.remoteAddress,
      connectedAt: c.connectedAt,
      channels: [...c.subs.keys()],
      queued: this.owed(c),
      bufferedAmount: c.socket.bufferedAmount,
      sent: c.sent,
    }));
  }

  stats(): WsHubStats {
    let queued = 0;
    for (const c of this.clients) queued += this.owed(c);
    return { clients: this.clients.size, queued, messagesSent: this.messagesSent, framesSent: this.framesSent, dropped: { ...this.dropped } };
  }

  // --- connections and client messages ----------------------------------------------------

  private accept(socket: WebSocket, path: string, remoteAddress: string, channel: Channel | undefined): void {
    if (this.stopped || this.clients.size >= this.o.maxClients) {
      socket.close(1013, this.stopped ? 'server shutting down' : 'too many connections');
      return;
    }
    const client = new WsClient(`ws-${this.nextId++}`, socket, path, remoteAddress, this.deps.engine.clock.now(), this.log.lastSeq);
    this.clients.add(client);
    socket.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    socket.on('close', () => this.remove(client));
    socket.on('error', (err) => {
      this.deps.logger.debug({ err, client: client.id }, 'websocket error');
      this.remove(client);
    });
    this.deps.logger.debug({ client: client.id, path, remoteAddress }, 'websocket connected');
    if (channel) this.subscribe(client, [channel]);
  }

  private onMessage(client: WsClient, data: RawData, isBinary: boolean): void {
    try {
      if (!this.clients.has(client)) return;
      // Each message is answered by enqueueing, like bus events: a client cannot block the engine either.
      if (!this.opsLimiter.take(client.id).ok) return this.reply(client, { type: 'error', code: 'RATE_LIMITED', message: 'too many messages: slow down' });
      if (isBinary) return this.reply(client, { type: 'error', code: 'BAD_MESSAGE', message: 'binary frames are not supported: send JSON text' });
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (err) {
        return this.reply(client, { type: 'error', code: 'BAD_JSON', message: `message is not valid JSON: ${(err as Error).message}` });
      }
      const parsed = clientMessageSchema.safeParse(raw);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
        return this.reply(client, { type: 'error', code: 'BAD_MESSAGE', message: `expected {op:'subscribe'|'unsubscribe', channels:[...]} or {op:'ping'}: ${detail}` });
      }
      const msg = parsed.data;
      if (msg.op === 'ping') return this.reply(client, { type: 'pong', ts: this.deps.engine.clock.now() });
      const unknown = msg.channels.filter((c) => !isChannel(c));
      if (unknown.length > 0) {
        return this.reply(client, { type: 'error', code: 'UNKNOWN_CHANNEL', message: `unknown channel${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => JSON.stringify(c)).join(', ')}; channels are ${CHANNELS.join(', ')}` });
      }
      const channels = [...new Set(msg.channels as Channel[])];
      if (msg.op === 'subscribe') this.subscribe(client, channels);
      else this.unsubscribe(client, channels);
    } catch (err) {
      this.deps.logger.error({ err, client: client.id }, 'websocket message handling failed');
    }
  }

  /** Subscribes (or resubscribes: fresh snapshot, seq restarts at 1) to channels. */
  private subscribe(client: WsClient, channels: readonly Channel[]): void {
    for (const channel of channels) {
      let data: unknown;
      try {
        data = this.deps.snapshots.build(channel);
      } catch (err) {
        this.deps.logger.error({ err, client: client.id, channel }, 'snapshot failed');
        this.enqueue(client, control({ type: 'error', code: 'INTERNAL', message: `the ${channel} snapshot could not be built; not subscribed` }));
        continue;
      }
      if (client.subs.has(channel)) client.queue.retain((item) => typeof item === 'string' || item.channel !== channel);
      const source = this.coalesced[channel];
      client.subs.set(channel, { seq: 0, seen: source ? source.version : 0, from: this.log.lastSeq });
      this.subscribers[channel].add(client);
      this.enqueue(client, control({ type: 'subscribed', channel }));
      this.enqueue(client, Outgoing.of(channel, 'snapshot', this.deps.engine.clock.now(), data, (d) => d));
    }
    this.schedule();
  }

  private unsubscribe(client: WsClient, channels: readonly Channel[]): void {
    for (const channel of channels) {
      if (client.subs.delete(channel)) client.queue.retain((item) => typeof item === 'string' || item.channel !== channel);
      this.subscribers[channel].delete(client);
      this.enqueue(client, control({ type: 'unsubscribed', channel }));
    }
    this.schedule();
  }

  private reply(client: WsClient, message: ServerMessage): void {
    this.enqueue(client, control(message));
    this.schedule();
  }

  private remove(client: WsClient): void {
    if (!this.clients.delete(client)) return;
    for (const channel of client.subs.keys()) this.subscribers[channel].delete(client);
    client.queue.clear();
    this.deps.logger.debug({ client: client.id }, 'websocket closed');
  }

  // --- following the bus: enqueue only --------------------------------------------------

  private follow(): void {
    const { bus } = this.deps.engine;
    const on = this.unsubscribers;
    on.push(bus.subscribe('data.quote', (q) => this.touch(this.prices, q.instrumentId, q)));
    on.push(bus.subscribe('position.changed', (p) => this.touch(this.positions, p.instrumentId, p)));
    on.push(bus.subscribe('portfolio.pnl', (s) => this.touch(this.pnl, 'pnl', s)));
    on.push(bus.subscribe('signal', (s) => this.publish('signals', s.ts, s, signalView)));
    on.push(
      bus.subscribe('order.event', (e) => {
        if (e.type === 'OrderFilled') this.publish('trades', e.ts, e, fillView);
        if (this.subscribers.orders.size === 0) return;
        const order = this.deps.engine.execution.status(e.clientOrderId);
        // The order's state right after this event (the view is taken now, not when written).
        const data = { event: orderEventView(e), order: order ? orderView(order) : null };
        this.publish('orders', e.ts, data, (d) => d);
      }),
    );
    on.push(bus.subscribe('risk.alert', (e) => this.publish('alerts', e.ts, e, alertEventView)));
    on.push(
      bus.subscribe('risk.state', (change) => {
        this.publish('risk', change.ts, change, (c) => ({ kind: 'state', change: stateChangeView(c) }));
        // The summary follows the state change; it is computed at the next flush, off the engine's path.
        this.riskSummaryDirty = true;
      }),
    );
    on.push(
      bus.subscribe('analytics.snapshot', (snapshot) => {
        this.performanceOnBus = true;
        this.touch(this.performanceState, 'performance', { snapshot, ts: this.deps.engine.clock.now() });
      }),
    );
    on.push(bus.subscribe('risk.action', (a) => this.publish('risk', a.ts, a, (x) => ({ kind: 'action', action: riskActionView(x) }))));
  }

  private addCoalesced<V>(channel: Channel, toData: (values: V[]) => unknown, tsOf: (value: V) => number): Coalesced<V> {
    const c = new Coalesced<V>(channel, toData, tsOf);
    this.coalesced[channel] = c as unknown as Coalesced<never>;
    return c;
  }

  private touch<V>(source: Coalesced<V>, key: string, value: V): void {
    source.set(key, value);
    if (this.subscribers[source.channel].size > 0) this.schedule();
  }

  /** Appends an update to the shared log (O(1), whatever the number of clients). */
  private publish<V>(channel: Channel, ts: number, value: V, view: (value: V) => unknown): void {
    if (this.subscribers[channel].size === 0) return;
    this.log.push(Outgoing.of(channel, 'update', ts, value, view));
    this.schedule();
  }

  /** Queues a message for one client only (control replies, snapshots). */
  private enqueue(client: WsClient, item: Outgoing | string): void {
    if (client.dropReason !== undefined) return;
    if (client.queue.size >= this.o.maxQueuedMessages) {
      this.markDrop(client, 'overflow');
      return;
    }
    client.queue.push(item);
  }

  /** Messages the client is owed: its own queue plus the shared log past its cursor (an upper bound). */
  private owed(client: WsClient): number {
    return client.queue.size + (this.log.lastSeq - client.cursor);
  }

  private markDrop(client: WsClient, kind: 'overflow' | 'lag'): void {
    client.dropKind = kind;
    client.dropReason = kind === 'overflow' ? `slow consumer: more than ${this.o.maxQueuedMessages} messages waiting` : `slow consumer: behind for more than ${this.o.maxLagMs} ms`;
    client.queue.clear();
  }

  /** Periodic figures that are not bus events: risk summary (limits usage moves with prices) and performance. */
  private refreshPeriodic(): void {
    try {
      if (this.subscribers.risk.size > 0) this.riskSummary.set('summary', this.deps.risk.summary());
      // A monitor that publishes its snapshots on the bus is followed there, not polled.
      if (this.subscribers.performance.size > 0 && !this.performanceOnBus) {
        const snapshot = this.deps.snapshots.performance();
        if (snapshot !== null) this.performanceState.set('performance', { snapshot, ts: this.deps.engine.clock.now() });
      }
      this.schedule();
    } catch (err) {
      this.deps.logger.error({ err }, 'periodic dashboard update failed');
    }
  }

  // --- writing -------------------------------------------------------------------------

  private schedule(): void {
    this.wanted = true;
    if (this.flushTimer !== undefined || this.stopped) return;
    this.flushTimer = this.o.flushIntervalMs > 0 ? setTimeout(this.flushBound, this.o.flushIntervalMs) : setImmediate(this.flushBound);
  }

  private cancelFlush(): void {
    if (this.flushTimer === undefined) return;
    clearTimeout(this.flushTimer as NodeJS.Timeout);
    clearImmediate(this.flushTimer as NodeJS.Immediate);
    this.flushTimer = undefined;
  }

  /**
   * Serves every client once per round — writes what it is owed as far as its socket allows, and
   * drops it if it is too far behind — in slices of at most flushSliceMs, so that many clients
   * delay the engine's next event by one slice at most. Rounds start at a rotating client.
   */
  private flush(): void {
    this.flushTimer = undefined;
    if (this.roundNext >= this.round.length) this.beginRound();
    const start = this.now();
    while (this.roundNext < this.round.length) {
      const client = this.round[this.roundNext++]!;
      if (this.clients.has(client)) this.serve(client);
      if (this.now() - start >= this.o.flushSliceMs) break;
    }
    if (this.stopped) return;
    if (this.roundNext < this.round.length) {
      this.flushTimer = setImmediate(this.flushBound);
      return;
    }
    this.round = [];
    this.roundNext = 0;
    if (this.wanted || this.roundPending) this.schedule();
  }

  private beginRound(): void {
    const all = [...this.clients];
    const k = all.length === 0 ? 0 : this.rounds++ % all.length;
    this.round = k === 0 ? all : [...all.slice(k), ...all.slice(0, k)];
    this.roundNext = 0;
    this.wanted = false;
    this.roundPending = false;
    if (this.riskSummaryDirty) {
      this.riskSummaryDirty = false;
      if (this.subscribers.risk.size > 0) this.riskSummary.set('summary', this.deps.risk.summary());
    }
  }

  private serve(client: WsClient): void {
    try {
      if (client.dropReason !== undefined) {
        this.drop(client, client.dropReason, client.dropKind ?? 'overflow');
        return;
      }
      if (!this.flushClient(client)) {
        client.behindSince = undefined;
        return;
      }
      this.roundPending = true;
      const now = this.now();
      client.behindSince ??= now;
      if (client.dropReason === undefined && this.owed(client) > this.o.maxQueuedMessages) this.markDrop(client, 'overflow');
      else if (client.dropReason === undefined && now - client.behindSince > this.o.maxLagMs) this.markDrop(client, 'lag');
      if (client.dropReason !== undefined) this.drop(client, client.dropReason, client.dropKind ?? 'overflow');
    } catch (err) {
      this.deps.logger.warn({ err, client: client.id }, 'websocket write failed');
      this.remove(client);
      client.socket.terminate();
    }
  }

  /**
   * Writes what a client is owed — its own queue, then the shared log from its cursor, then the
   * coalesced channels — in frames of at most maxFrameBytes, while the socket's bufferedAmount is
   * at most the high-water mark. Returns true if something is still owed.
   */
  private flushClient(client: WsClient): boolean {
    const socket = client.socket;
    if (socket.readyState !== socket.OPEN) return false;
    const hwm = this.o.highWaterMarkBytes;
    const maxFrame = this.o.maxFrameBytes;
    const parts: string[] = [];
    let bytes = 0;
    let room = socket.bufferedAmount <= hwm;
    const add = (text: string): void => {
      parts.push(text);
      bytes += text.length;
      if (bytes < maxFrame) return;
      write();
      room = socket.bufferedAmount <= hwm;
    };
    const write = (): void => {
      if (parts.length === 0) return;
      socket.send(parts.length === 1 ? parts[0]! : `[${parts.join(',')}]`);
      client.sent += parts.length;
      client.frames++;
      this.messagesSent += parts.length;
      this.framesSent++;
      parts.length = 0;
      bytes = 0;
    };

    while (client.queue.size > 0) {
      if (!room) return true;
      const text = client.render(client.queue.shift()!);
      if (text !== undefined) add(text);
    }
    const log = this.log;
    const last = log.lastSeq;
    if (client.cursor < last - log.size) {
      // The log no longer holds what this client still needed: it cannot be caught up without a gap.
      write();
      this.markDrop(client, 'overflow');
      return true;
    }
    // Entries of channels the client does not follow (or older than its snapshot) are passed over.
    while (client.cursor < last) {
      const item = log.at(client.cursor + 1);
      const sub = item === undefined ? undefined : client.subs.get(item.channel);
      if (item === undefined || sub === undefined || client.cursor + 1 <= sub.from) {
        client.cursor++;
        continue;
      }
      if (!room) {
        write();
        return true;
      }
      add(client.render(item)!);
      client.cursor++;
    }
    for (const [channel, sub] of client.subs) {
      const source = this.coalesced[channel];
      if (!source || source.version <= sub.seen) continue;
      if (!room) {
        write();
        return true;
      }
      const { json, ts } = source.since(sub.seen);
      sub.seen = source.version;
      sub.seq++;
      add(envelope('update', channel, sub.seq, ts, json));
    }
    write();
    return false;
  }

  private drop(client: WsClient, reason: string, kind: 'overflow' | 'lag'): void {
    this.remove(client);
    this.dropped[kind] = (this.dropped[kind] ?? 0) + 1;
    this.deps.logger.warn({ client: client.id, remoteAddress: client.remoteAddress, reason }, 'dropping slow websocket client');
    const socket = client.socket;
    try {
      socket.send(control({ type: 'disconnect', reason }));
      socket.close(WS_CLOSE_SLOW_CONSUMER, Buffer.from(reason).subarray(0, CLOSE_REASON_BYTES).toString());
    } catch {
      socket.terminate();
      return;
    }
    setTimeout(() => {
      if (socket.readyState !== socket.CLOSED) socket.terminate();
    }, this.o.closeGraceMs).unref();
  }
}
