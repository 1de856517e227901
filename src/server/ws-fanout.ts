/**
 * FanOut: the WebSocket clients of one process and everything about writing to them. It reads the
 * feed's stream (ws-stream.ts) into a shared log of queued-channel updates, which every client
 * reads through its own cursor, and the latest values of the coalesced channels; it keeps each
 * client's subscriptions, coalesced versions seen and own queue (control replies, snapshots), and answers
 * the clients' messages (subscribe, unsubscribe, ping; rate limited; errors for bad ones).
 *
 * Updates are numbered in their channel's stream (the same numbers for every client), so clients in
 * the same state are owed the same frame: it is rendered once and written to each (SharedFrames).
 * A flush timer writes each client what it is owed as one frame (a batch array when more than one
 * message), but only while the socket's bufferedAmount is below the high-water mark. A client more
 * than maxQueuedMessages behind (its bounded buffer), or behind for longer than maxLagMs, is sent
 * `{type:'disconnect', reason}` and closed with code 4008; it is terminated if it does not
 * complete the close within closeGraceMs.
 *
 * It runs in the server's process (fed directly by the feed) or in a writer process (fed over
 * IPC): nothing here touches the engine, and its options are plain numbers.
 */
import { performance } from 'node:perf_hooks';
import type { RawData, WebSocket } from 'ws';
import { CHANNELS, WS_CLOSE_GOING_AWAY, WS_CLOSE_SLOW_CONSUMER, type Channel, type ServerMessage, clientMessageSchema, isChannel } from './protocol.js';
import { RateLimiter } from './rate-limit.js';
import { RecentLog } from './recent-log.js';
import { type ChannelItem, WsClient, envelope } from './ws-client.js';
import { CoalescedJson, isCoalescedChannel } from './ws-coalesced.js';
import { SharedFrames } from './ws-shared-frame.js';
import type { FeedItem, FeedRequest } from './ws-stream.js';

export interface FanOutOptions {
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
   * data, in the server's process); the rest of the clients are served on the next turn (default 5 ms).
   */
  flushSliceMs?: number;
  /** Time a dropped client gets to complete the close handshake before it is terminated (default 2000 ms). */
  closeGraceMs?: number;
  /** Largest frame written at once; bigger batches are split (default 64 KiB). */
  maxFrameBytes?: number;
  /** Subscribe/unsubscribe/ping messages a client may send: burst and per second (default 50, 20). */
  clientOpsBurst?: number;
  clientOpsPerSecond?: number;
}

/** The logger calls a fan-out makes (a pino logger, or a writer's forwarder to the server's one). */
export interface FanOutLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface FanOutDeps {
  /** Sends a request to the feed; its answer comes back on the stream. */
  request(request: FeedRequest): void;
  /** Takes what the feed has appended, at each flush slice (in-process); a writer is pushed its items instead. */
  pull?: (() => FeedItem[]) | undefined;
  /** Told when a client is gone (closed, dropped, failed). */
  onClosed?: ((id: string) => void) | undefined;
  logger: FanOutLogger;
  /** Monotonic milliseconds, for lag and rate limits (default performance.now). */
  now?: (() => number) | undefined;
}

/** A connection as the server accepted it. */
export interface Connection {
  id: string;
  path: string;
  remoteAddress: string;
  /** Engine clock ms. */
  connectedAt: number;
  /** The channel of a `/ws/<channel>` path, subscribed on connect. */
  channel: Channel | null;
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
  /** Frames written as the very bytes already rendered for another client in the same state. */
  framesShared: number;
  dropped: Record<string, number>;
}

/** Stats with nothing counted: before a first reading, and the base of the writers' totals. */
export const emptyStats = (): WsHubStats => ({ clients: 0, queued: 0, messagesSent: 0, framesSent: 0, framesShared: 0, dropped: {} });

const control = (m: ServerMessage): string => JSON.stringify(m);
/** ws sends a Buffer as a binary frame unless told otherwise; the shared frames are JSON text. */
const TEXT_FRAME = { binary: false } as const;
const CLOSE_REASON_BYTES = 120;

/** A request to the feed this fan-out is waiting on. */
type Pending = { op: 'snapshot'; client: WsClient; channel: Channel } | { op: 'clock'; client: WsClient };

export class FanOut {
  private readonly clients = new Set<WsClient>();
  private readonly subscribers = Object.fromEntries(CHANNELS.map((c) => [c, new Set<WsClient>()])) as Record<Channel, Set<WsClient>>;
  /** Snapshots asked for and not yet arrived, per channel: they count as interest in the channel. */
  private readonly snapshotsPending = Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>;
  private readonly pending = new Map<number, Pending>();
  private readonly coalesced: Partial<Record<Channel, CoalescedJson>> = {};
  /** Seq of the last update of each queued channel put in the log (coalesced channels number by version). */
  private readonly streamSeq = Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>;
  private readonly shared = new SharedFrames();
  /** Updates of the queued (non-coalesced) channels, in stream order, read by every client through its cursor. */
  private readonly log: RecentLog<ChannelItem>;
  private readonly opsLimiter: RateLimiter;
  private readonly now: () => number;
  private readonly o: Required<Omit<FanOutOptions, 'clientOpsBurst' | 'clientOpsPerSecond' | 'logCapacity'>>;
  private flushTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** A flush is running: a wake-up meanwhile only sets `wanted` (the flush schedules what follows it). */
  private flushing = false;
  /** The clients of the flush round in progress (served in slices), and the next one to serve. */
  private round: WsClient[] = [];
  private roundNext = 0;
  private rounds = 0;
  /** Something was appended or a client was left behind since the current round began. */
  private wanted = false;
  private roundPending = false;
  private nextRequestId = 1;
  private stopped = false;
  private messagesSent = 0;
  private framesSent = 0;
  private framesShared = 0;
  private readonly dropped: Record<string, number> = {};
  private readonly flushBound = () => this.flush();

  constructor(
    private readonly deps: FanOutDeps,
    opts: FanOutOptions = {},
  ) {
    this.o = {
      maxQueuedMessages: opts.maxQueuedMessages ?? 2000,
      highWaterMarkBytes: opts.highWaterMarkBytes ?? 256 * 1024,
      maxLagMs: opts.maxLagMs ?? 5000,
      flushIntervalMs: opts.flushIntervalMs ?? 10,
      flushSliceMs: opts.flushSliceMs ?? 5,
      closeGraceMs: opts.closeGraceMs ?? 2000,
      maxFrameBytes: opts.maxFrameBytes ?? 64 * 1024,
    };
    this.now = deps.now ?? (() => performance.now());
    this.log = new RecentLog<ChannelItem>(Math.max(opts.logCapacity ?? 65_536, this.o.maxQueuedMessages + 1), { ts: (m) => m.ts, symbol: () => undefined });
    this.opsLimiter = new RateLimiter({ burst: opts.clientOpsBurst ?? 50, perSecond: opts.clientOpsPerSecond ?? 20, now: this.now });
    for (const channel of CHANNELS) if (isCoalescedChannel(channel)) this.coalesced[channel] = new CoalescedJson(channel);
  }

  /** Takes a newly upgraded socket; a `/ws/<channel>` connection is subscribed to its channel. */
  accept(socket: WebSocket, conn: Connection): void {
    if (this.stopped) {
      socket.close(1013, 'server shutting down');
      return;
    }
    const client = new WsClient(conn.id, socket, conn.path, conn.remoteAddress, conn.connectedAt, this.log.lastSeq);
    this.clients.add(client);
    socket.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    socket.on('close', () => this.remove(client));
    socket.on('error', (err) => {
      this.deps.logger.debug({ err, client: client.id }, 'websocket error');
      this.remove(client);
    });
    this.deps.logger.debug({ client: client.id, path: conn.path, remoteAddress: conn.remoteAddress }, 'websocket connected');
    if (conn.channel) this.subscribe(client, [conn.channel]);
  }

  /** Takes items pushed by the feed (a writer's stream), and schedules their writing. */
  ingest(items: readonly FeedItem[]): void {
    this.take(items);
    if (items.length > 0) this.schedule();
  }

  /** Reads the feed's items into the shared log, the coalesced values and the clients' queues. */
  private take(items: readonly FeedItem[]): void {
    if (items.length > 0) this.shared.clear();
    for (const item of items) {
      switch (item.kind) {
        case 'update':
          if (this.subscribers[item.channel].size > 0) this.log.push({ channel: item.channel, type: 'update', seq: ++this.streamSeq[item.channel], ts: item.ts, json: item.json });
          break;
        case 'set':
          this.coalesced[item.channel]?.set(item.key, item.json, item.ts);
          break;
        case 'snapshot':
        case 'snapshot-failed':
          this.snapshotArrived(item);
          break;
        case 'clock': {
          const p = this.pending.get(item.requestId);
          this.pending.delete(item.requestId);
          if (p && this.clients.has(p.client)) this.enqueue(p.client, control({ type: 'pong', ts: item.ts }));
          break;
        }
      }
    }
  }

  /** Closes every connection (code 1001); resolves when they are closed, or terminated after closeGraceMs. */
  stop(): Promise<void> {
    this.stopped = true;
    this.cancelFlush();
    const closing: Promise<void>[] = [];
    for (const c of [...this.clients]) {
      this.remove(c);
      const socket = c.socket;
      closing.push(
        new Promise<void>((resolve) => {
          if (socket.readyState === socket.CLOSED) return resolve();
          const timer = setTimeout(() => socket.terminate(), this.o.closeGraceMs);
          timer.unref();
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          try {
            socket.close(WS_CLOSE_GOING_AWAY, 'server shutting down');
          } catch {
            socket.terminate();
          }
        }),
      );
    }
    return Promise.all(closing).then(() => undefined);
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
    return { clients: this.clients.size, queued, messagesSent: this.messagesSent, framesSent: this.framesSent, framesShared: this.framesShared, dropped: { ...this.dropped } };
  }

  // --- client messages ---------------------------------------------------------------------

  private onMessage(client: WsClient, data: RawData, isBinary: boolean): void {
    try {
      if (!this.clients.has(client)) return;
      // Each message is answered by enqueueing, like feed items: a client cannot block the process either.
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
      if (msg.op === 'ping') return this.ask({ op: 'clock', client });
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

  /** Asks the feed for the channels' snapshots; the subscription starts when each arrives (see snapshotArrived). */
  private subscribe(client: WsClient, channels: readonly Channel[]): void {
    for (const channel of channels) {
      this.snapshotsPending[channel]++;
      this.ask({ op: 'snapshot', client, channel });
    }
  }

  /**
   * Starts (or restarts: fresh snapshot, seq back to 1) a subscription at this point of the stream:
   * `subscribed`, the snapshot, then only the updates that follow it.
   */
  private snapshotArrived(item: Extract<FeedItem, { kind: 'snapshot' | 'snapshot-failed' }>): void {
    const p = this.pending.get(item.requestId);
    this.pending.delete(item.requestId);
    if (p?.op !== 'snapshot') return;
    this.snapshotsPending[p.channel]--;
    const { client, channel } = p;
    if (!this.clients.has(client)) return this.checkInterest(channel);
    if (item.kind === 'snapshot-failed') {
      this.enqueue(client, control({ type: 'error', code: 'INTERNAL', message: `the ${channel} snapshot could not be built; not subscribed` }));
      return this.checkInterest(channel);
    }
    if (client.subs.has(channel)) client.queue.retain((q) => typeof q === 'string' || q.channel !== channel);
    const coalesced = this.coalesced[channel];
    const seq = coalesced ? coalesced.version : this.streamSeq[channel];
    client.subs.set(channel, { seen: coalesced?.version ?? 0, from: this.log.lastSeq });
    this.subscribers[channel].add(client);
    this.enqueue(client, control({ type: 'subscribed', channel }));
    this.enqueue(client, { channel, type: 'snapshot', seq, ts: item.ts, json: item.json });
  }

  /** Unsubscribes; a snapshot still on its way for the channel is cancelled (it will not start a subscription). */
  private unsubscribe(client: WsClient, channels: readonly Channel[]): void {
    for (const channel of channels) {
      for (const [id, p] of this.pending) {
        if (p.op === 'snapshot' && p.client === client && p.channel === channel) {
          this.pending.delete(id);
          this.snapshotsPending[channel]--;
        }
      }
      if (client.subs.delete(channel)) client.queue.retain((item) => typeof item === 'string' || item.channel !== channel);
      this.subscribers[channel].delete(client);
      this.enqueue(client, control({ type: 'unsubscribed', channel }));
      this.checkInterest(channel);
    }
    this.schedule();
  }

  private ask(p: Pending): void {
    const requestId = this.nextRequestId++;
    this.pending.set(requestId, p);
    this.deps.request(p.op === 'snapshot' ? { op: 'snapshot', requestId, channel: p.channel } : { op: 'clock', requestId });
  }

  /** Tells the feed when no subscriber and no pending snapshot is left on a channel. */
  private checkInterest(channel: Channel): void {
    if (this.subscribers[channel].size === 0 && this.snapshotsPending[channel] === 0) this.deps.request({ op: 'uninterested', channel });
  }

  private reply(client: WsClient, message: ServerMessage): void {
    this.enqueue(client, control(message));
    this.schedule();
  }

  private remove(client: WsClient): void {
    if (!this.clients.delete(client)) return;
    for (const channel of client.subs.keys()) {
      this.subscribers[channel].delete(client);
      this.checkInterest(channel);
    }
    client.queue.clear();
    this.deps.onClosed?.(client.id);
    this.deps.logger.debug({ client: client.id }, 'websocket closed');
  }

  /** Queues a message for one client only (control replies, snapshots). */
  private enqueue(client: WsClient, item: ChannelItem | string): void {
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

  // --- writing -------------------------------------------------------------------------

  private schedule(): void {
    this.wanted = true;
    if (this.flushTimer !== undefined || this.flushing || this.stopped) return;
    this.flushTimer = this.o.flushIntervalMs > 0 ? setTimeout(this.flushBound, this.o.flushIntervalMs) : setImmediate(this.flushBound);
  }

  /** Wakes the flush when the feed has appended something (in-process: it is pulled at the next flush slice). */
  wake(): void {
    this.schedule();
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
   * delay the process's next event by one slice at most. Rounds start at a rotating client.
   */
  private flush(): void {
    this.flushTimer = undefined;
    this.flushing = true;
    try {
      this.flushSlice();
    } finally {
      this.flushing = false;
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

  /** One slice of a round: the feed's new items first, then clients until flushSliceMs has passed. */
  private flushSlice(): void {
    // What the feed appended since the last slice goes to the clients not yet served in this round
    // too. A wake-up meanwhile (in-process, the feed is woken by what the engine appends, whatever
    // the moment) only marks a flush wanted: the next one is scheduled above, once.
    if (this.deps.pull) this.take(this.deps.pull());
    if (this.roundNext >= this.round.length) this.beginRound();
    const start = this.now();
    while (this.roundNext < this.round.length) {
      const client = this.round[this.roundNext++]!;
      if (this.clients.has(client)) this.serve(client);
      if (this.now() - start >= this.o.flushSliceMs) break;
    }
  }

  private beginRound(): void {
    this.wanted = false;
    this.roundPending = false;
    const all = [...this.clients];
    const k = all.length === 0 ? 0 : this.rounds++ % all.length;
    this.round = k === 0 ? all : [...all.slice(k), ...all.slice(0, k)];
    this.roundNext = 0;
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
   * at most the high-water mark. Returns true if something is still owed. A client owed the frame
   * the previous one was written is written the same bytes; a client's single frame built from the
   * shared log and channels alone is kept for the next one.
   */
  private flushClient(client: WsClient): boolean {
    const socket = client.socket;
    if (socket.readyState !== socket.OPEN) return false;
    const hwm = this.o.highWaterMarkBytes;
    const maxFrame = this.o.maxFrameBytes;
    let room = socket.bufferedAmount <= hwm;
    const shareable = room && client.queue.size === 0;
    const owed = shareable ? this.shared.find(client) : undefined;
    if (owed !== undefined) {
      socket.send(owed.bytes!, TEXT_FRAME);
      owed.advance(client);
      this.countFrame(client, owed.messages);
      this.framesShared++;
      return false;
    }
    const keeping = shareable ? this.shared.begin(client) : undefined;
    const parts: string[] = [];
    let bytes = 0;
    let written = false;
    const add = (text: string): void => {
      parts.push(text);
      bytes += text.length;
      if (bytes < maxFrame) return;
      write();
      room = socket.bufferedAmount <= hwm;
    };
    const write = (last = false): void => {
      if (parts.length === 0) return;
      const frame = parts.length === 1 ? parts[0]! : `[${parts.join(',')}]`;
      if (last && keeping !== undefined && !written) {
        const encoded = Buffer.from(frame);
        socket.send(encoded, TEXT_FRAME);
        keeping.keep(client, encoded, parts.length);
      } else {
        socket.send(frame);
      }
      written = true;
      this.countFrame(client, parts.length);
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
      add(envelope('update', channel, source.version, ts, json, sub.seen));
      sub.seen = source.version;
    }
    write(true);
    return false;
  }

  private countFrame(client: WsClient, messages: number): void {
    client.sent += messages;
    client.frames++;
    this.messagesSent += messages;
    this.framesSent++;
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
