/**
 * WriterPool: the server's side of the WebSocket writer processes. Writing to a thousand sockets
 * costs mostly system calls (on loopback, the reader's receive path runs in the writer's call),
 * which one thread cannot spread over cores: the pool forks N writers, hands each upgraded socket
 * to one of them in turn (with the upgrade request, before the handshake), and relays the feed's
 * stream to every writer — each item once, addressed items to their writer only, and queued or
 * coalesced updates only to writers with a subscriber on their channel. Writers' requests go to
 * the feed, their log lines to the server's logger. Writers exit with the pool (stop) and with the
 * server's process (their IPC channel closes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../infra/logger.js';
import { emptyStats, type Connection, type FanOutOptions, type WsConnectionInfo, type WsHubStats } from './ws-fanout.js';
import type { HubFeed } from './ws-feed.js';
import { addressee, type FanOutId } from './ws-stream.js';
import { writerEntry, type FromWriter, type ToWriter } from './ws-writer-ipc.js';

export interface WriterPoolOptions {
  writers: number;
  fanOut: FanOutOptions;
  /** Largest client message accepted (bytes), as the in-process server has it. */
  maxPayload: number;
  /** How long stop() waits for a writer to close its clients and exit before killing it. */
  exitTimeoutMs: number;
  /** The writer's entry module (default: the compiled ws-writer-main.js, see writerEntry). */
  entry?: string | undefined;
}

interface Writer {
  id: FanOutId;
  child: ChildProcess;
  /** Resolves when the writer is ready, or when it exited before (then `failure` says so). */
  ready: Promise<void>;
  exited: Promise<void>;
  alive: boolean;
  failure?: Error;
}

type Answer = { stats: WsHubStats } | { connections: WsConnectionInfo[] } | undefined;

/** How long a writer has to answer a stats or connections query before its part is left out. */
const QUERY_TIMEOUT_MS = 1000;

export class WriterPool {
  private readonly writers: Writer[] = [];
  /** Connections handed to a writer and not yet reported closed, by id: the clients. */
  private readonly live = new Map<string, FanOutId>();
  private readonly queries = new Map<number, { writer: FanOutId; resolve: (a: Answer) => void }>();
  private nextWriter = 0;
  private nextQuery = 1;
  private relayPending = false;
  private stopped = false;

  constructor(
    private readonly feed: HubFeed,
    private readonly logger: Logger,
    private readonly opts: WriterPoolOptions,
  ) {
    feed.listen(() => this.scheduleRelay());
  }

  /**
   * Forks the writers; resolves when every one is ready. Rejects with WriterEntryMissingError
   * without a build, and, once the others are stopped, with the failure of a writer that exited
   * before it was ready.
   */
  async start(): Promise<void> {
    const entry = this.opts.entry ?? writerEntry();
    for (let id = 1; id <= this.opts.writers; id++) this.writers.push(this.spawn(id, entry));
    await Promise.all(this.writers.map((w) => w.ready));
    const failed = this.writers.find((w) => w.failure !== undefined);
    if (!failed) return;
    await this.stop();
    throw failed.failure;
  }

  get clientCount(): number {
    return this.live.size;
  }

  /** Process ids of the writers still running. */
  pids(): number[] {
    return this.writers.filter((w) => w.alive && w.child.pid !== undefined).map((w) => w.child.pid!);
  }

  /**
   * Hands an upgrade (already authorized by the server) to the next live writer, which completes
   * the handshake and owns the socket from then on. With `refusal`, the writer closes it with 1013.
   */
  handOff(req: IncomingMessage, socket: Socket, head: Buffer, conn: Connection, refusal: string | null): void {
    const writer = this.pick();
    if (!writer) {
      this.logger.error({ path: conn.path }, 'no websocket writer is running; connection dropped');
      socket.destroy();
      return;
    }
    if (refusal === null) this.live.set(conn.id, writer.id);
    const msg: ToWriter = { kind: 'accept', conn, request: { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, head: head.toString('base64'), refusal };
    void writer.ready.then(() => {
      if (!writer.alive) {
        this.live.delete(conn.id);
        socket.destroy();
        return;
      }
      // Sent as it is, an HTTP server's socket is tracked by Node like a cluster worker's: the
      // server's close() then waits on the writers, and never completes once all of them have
      // exited (Node 20). It is detached from that tracking; Node takes its handle when the message
      // goes out (nothing more is read here: the client waits for the writer's handshake), and
      // destroying the emptied socket then releases the server's connection count.
      (socket as Socket & { server: unknown }).server = null;
      writer.child.send(msg, socket, (err) => {
        socket.destroy();
        if (!err) return;
        this.live.delete(conn.id);
        this.logger.warn({ err, writer: writer.id }, 'websocket hand-off to a writer failed');
      });
    });
  }

  stats(): Promise<WsHubStats> {
    return this.ask('stats').then((answers) => {
      const total = emptyStats();
      for (const a of answers) {
        if (!a || !('stats' in a)) continue;
        total.clients += a.stats.clients;
        total.queued += a.stats.queued;
        total.messagesSent += a.stats.messagesSent;
        total.framesSent += a.stats.framesSent;
        total.framesShared += a.stats.framesShared;
        for (const [k, n] of Object.entries(a.stats.dropped)) total.dropped[k] = (total.dropped[k] ?? 0) + n;
      }
      return total;
    });
  }

  /** Every writer's connections, in the order they were accepted. */
  connections(): Promise<WsConnectionInfo[]> {
    return this.ask('connections').then((answers) => {
      const all = answers.flatMap((a) => (a && 'connections' in a ? a.connections : []));
      const order = (id: string) => Number(id.slice(id.lastIndexOf('-') + 1));
      return all.sort((a, b) => order(a.id) - order(b.id));
    });
  }

  /** Tells every writer to close its clients and exit; kills one that has not exited in time (ready or not). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      this.writers.map(async (w) => {
        if (!w.alive) return;
        const timer = setTimeout(() => w.child.kill('SIGKILL'), this.opts.exitTimeoutMs);
        await w.ready;
        if (w.alive) w.child.send({ kind: 'stop' } satisfies ToWriter);
        await w.exited;
        clearTimeout(timer);
      }),
    );
  }

  private spawn(id: FanOutId, entry: string): Writer {
    // No execArgv: the parent's (a test runner's loaders, an inspector port) are not the writer's.
    const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [], serialization: 'json' });
    let markReady: (() => void) | undefined;
    const writer: Writer = { id, child, alive: true, ready: new Promise<void>((r) => (markReady = r)), exited: new Promise<void>((r) => child.once('exit', () => r())) };
    // Nothing is sent before the writer says it listens: a message that arrives earlier is lost.
    child.on('message', (m: FromWriter) => {
      if (m.kind !== 'ready') return this.onMessage(writer, m);
      child.send({ kind: 'init', options: this.opts.fanOut, maxPayload: this.opts.maxPayload } satisfies ToWriter);
      markReady?.();
      markReady = undefined;
      // Once ready, the pool does not keep the server's process alive; a writer exits when that
      // process does. Until then it does: the server may have nothing else to wait on yet.
      child.unref();
      child.channel?.unref();
    });
    child.on('error', (err) => this.logger.error({ err, writer: id }, 'websocket writer error'));
    child.once('exit', (code, signal) => {
      writer.alive = false;
      if (markReady) writer.failure = new Error(`websocket writer ${id} exited before it was ready (exit code ${code}, signal ${signal})`);
      markReady?.();
      this.feed.forget(id);
      for (const [conn, w] of this.live) if (w === id) this.live.delete(conn);
      for (const [queryId, q] of this.queries) {
        if (q.writer !== id) continue;
        this.queries.delete(queryId);
        q.resolve(undefined);
      }
      if (!this.stopped) this.logger.error({ writer: id, code, signal }, 'websocket writer exited; its clients are disconnected');
    });
    return writer;
  }

  private onMessage(writer: Writer, m: Exclude<FromWriter, { kind: 'ready' }>): void {
    switch (m.kind) {
      case 'request':
        this.feed.handle(writer.id, m.request);
        break;
      case 'closed':
        this.live.delete(m.id);
        break;
      case 'stats':
      case 'connections': {
        const q = this.queries.get(m.queryId);
        this.queries.delete(m.queryId);
        q?.resolve(m.kind === 'stats' ? { stats: m.stats } : { connections: m.connections });
        break;
      }
      case 'log':
        this.logger[m.level]({ ...m.obj, writer: writer.id }, m.msg);
        break;
    }
  }

  private pick(): Writer | undefined {
    for (let i = 0; i < this.writers.length; i++) {
      const w = this.writers[this.nextWriter++ % this.writers.length]!;
      if (w.alive) return w;
    }
    return undefined;
  }

  private ask(what: 'stats' | 'connections'): Promise<Answer[]> {
    return Promise.all(this.writers.map((w) => this.askOne(w, what)));
  }

  /** One writer's answer; undefined (its part left out) if it is gone or has not answered within QUERY_TIMEOUT_MS. */
  private askOne(w: Writer, what: 'stats' | 'connections'): Promise<Answer> {
    const queryId = this.nextQuery++;
    return new Promise<Answer>((resolve) => {
      let settled = false;
      const settle = (answer: Answer): void => {
        settled = true;
        clearTimeout(timer);
        this.queries.delete(queryId);
        resolve(answer);
      };
      const timer = setTimeout(() => {
        this.logger.warn({ writer: w.id, query: what }, `websocket writer did not answer within ${QUERY_TIMEOUT_MS} ms; its ${what} are left out`);
        settle(undefined);
      }, QUERY_TIMEOUT_MS);
      void w.ready.then(() => {
        if (settled) return;
        if (!w.alive) return settle(undefined);
        this.queries.set(queryId, { writer: w.id, resolve: settle });
        w.child.send({ kind: 'query', queryId, what } satisfies ToWriter);
      });
    });
  }

  /** Relays on the next turn of the event loop: what one engine task appended goes out as one message per writer. */
  private scheduleRelay(): void {
    if (this.relayPending || this.stopped) return;
    this.relayPending = true;
    setImmediate(() => {
      this.relayPending = false;
      this.relay();
    });
  }

  private relay(): void {
    const items = this.feed.drain();
    if (items.length === 0) return;
    for (const w of this.writers) {
      if (!w.alive) continue;
      const mine = items.filter((item) => {
        const to = addressee(item);
        return to === undefined ? 'channel' in item && this.feed.wants(w.id, item.channel) : to === w.id;
      });
      if (mine.length > 0) w.child.send({ kind: 'items', items: mine } satisfies ToWriter);
    }
  }
}
