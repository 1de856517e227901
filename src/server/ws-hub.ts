/**
 * WsHub: WebSocket fan-out of the engine's bus to dashboard clients (routes `/ws` and
 * `/ws/<channel>`, via @fastify/websocket; authentication, origin and routing stay with Fastify).
 *
 * The engine never waits for a client, and pays the same for one client or a thousand: a feed
 * (ws-feed.ts) follows the bus and makes one ordered stream of it; a fan-out (ws-fanout.ts) owns
 * the clients and writes them what they are owed. By default the fan-out runs in this process,
 * fed directly. With `writers: N`, N writer processes own the sockets (ws-writer-pool.ts): each
 * upgrade that passed the server's checks is handed to one of them before the handshake, and the
 * stream is relayed to them over IPC — so that the socket writes, which dominate the cost of many
 * clients, run on more than one core. The wire protocol is the same either way.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { Logger } from '../infra/logger.js';
import type { RiskEngine } from '../risk/risk-engine.js';
import { CHANNELS, WS_PATH, type Channel, isChannel, wsChannelPath } from './protocol.js';
import type { SnapshotBuilder } from './snapshots.js';
import { FanOut, type Connection, type FanOutOptions, type WsConnectionInfo, type WsHubStats } from './ws-fanout.js';
import { HubFeed } from './ws-feed.js';
import { WriterPool } from './ws-writer-pool.js';

export type { WsConnectionInfo, WsHubStats } from './ws-fanout.js';

export interface WsHubOptions extends FanOutOptions {
  /** Interval of risk-summary and performance updates (default 1000 ms). */
  summaryIntervalMs?: number;
  /** Connections accepted at once (default 5000). */
  maxClients?: number;
  /**
   * Processes that own the client sockets (default 0: this process). Writers need the compiled
   * build (dist/), and do not take `now`.
   */
  writers?: number;
  /** The writers' entry module (default: the compiled ws-writer-main.js). */
  writerEntry?: string;
  /** Monotonic milliseconds, for lag and rate limits (default performance.now; in-process only). */
  now?: () => number;
}

export interface WsHubDeps {
  engine: TradingEngine;
  risk: RiskEngine;
  snapshots: SnapshotBuilder;
  logger: Logger;
}

/** Largest client message (bytes); the server registers @fastify/websocket with it. */
export const WS_MAX_PAYLOAD = 16 * 1024;

/** The feed's id for the in-process fan-out (writers are 1..N). */
const IN_PROCESS = 0;

export class WsHub {
  private readonly feed: HubFeed;
  private readonly local: FanOut | undefined;
  private readonly pool: WriterPool | undefined;
  private readonly maxClients: number;
  private nextId = 1;
  private stopped = false;

  constructor(
    private readonly deps: WsHubDeps,
    opts: WsHubOptions = {},
  ) {
    const { summaryIntervalMs, maxClients, writers, writerEntry, now, ...fanOut } = opts;
    this.maxClients = maxClients ?? 5000;
    this.feed = new HubFeed(deps, summaryIntervalMs ?? 1000);
    if ((writers ?? 0) > 0) {
      this.pool = new WriterPool(this.feed, deps.logger, { writers: writers!, fanOut, maxPayload: WS_MAX_PAYLOAD, exitTimeoutMs: (fanOut.closeGraceMs ?? 2000) + 2000, entry: writerEntry });
    } else {
      const feed = this.feed;
      const local = new FanOut({ request: (r) => feed.handle(IN_PROCESS, r), pull: () => feed.drain(), logger: deps.logger, now }, fanOut);
      feed.listen(() => local.wake());
      this.local = local;
    }
  }

  /** Registers the WebSocket routes on a scope where @fastify/websocket is registered. */
  register(app: FastifyInstance): void {
    if (this.pool) {
      const pool = this.pool;
      // The plugin calls its server's handleUpgrade once Fastify's hooks have passed the request
      // (token, origin) and a WebSocket route matched: the socket is handed to a writer there,
      // before the handshake, so the route handlers below never run.
      app.websocketServer.handleUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer) => {
        const conn = this.connectionOf(req);
        pool.handOff(req, socket, head, conn, this.refusal());
      };
    }
    const accept = (socket: WebSocket, req: IncomingMessage): void => {
      try {
        if (!this.local) throw new Error('a websocket was upgraded in the server process although writer processes own the sockets');
        const refusal = this.refusal();
        if (refusal !== null) socket.close(1013, refusal);
        else this.local.accept(socket, this.connectionOf(req));
      } catch (err) {
        this.deps.logger.error({ err, path: req.url?.split('?')[0] }, 'websocket accept failed');
        socket.terminate();
      }
    };
    app.get(WS_PATH, { websocket: true }, (socket, req) => accept(socket, req.raw));
    for (const channel of CHANNELS) app.get(wsChannelPath(channel), { websocket: true }, (socket, req) => accept(socket, req.raw));
  }

  /** Starts the periodic updates and the writers; resolves when they are ready, or stops the hub and rejects. */
  async start(): Promise<void> {
    this.feed.start();
    try {
      await this.pool?.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops following the bus and closes every connection (code 1001); with writers, resolves when they have exited. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.feed.stop();
    // In-process sockets finish their close handshake (or are terminated) in the background.
    void this.local?.stop();
    await this.pool?.stop();
  }

  get clientCount(): number {
    return this.local ? this.local.clientCount : this.pool!.clientCount;
  }

  /** Process ids of the running writer processes (none in-process). */
  writerPids(): number[] {
    return this.pool?.pids() ?? [];
  }

  connections(): Promise<WsConnectionInfo[]> {
    return this.local ? Promise.resolve(this.local.connections()) : this.pool!.connections();
  }

  stats(): Promise<WsHubStats> {
    return this.local ? Promise.resolve(this.local.stats()) : this.pool!.stats();
  }

  /** Why a new connection is refused (closed with 1013 after the handshake), or null. */
  private refusal(): string | null {
    if (this.stopped) return 'server shutting down';
    return this.clientCount >= this.maxClients ? 'too many connections' : null;
  }

  /** The connection an upgrade request opens (its route matched: `/ws` or `/ws/<channel>`). */
  private connectionOf(req: IncomingMessage): Connection {
    const path = (req.url ?? WS_PATH).split('?')[0]!;
    const name = path.slice(WS_PATH.length + 1);
    const channel: Channel | null = isChannel(name) ? name : null;
    return { id: `ws-${this.nextId++}`, path, remoteAddress: req.socket.remoteAddress ?? '', connectedAt: this.deps.engine.clock.now(), channel };
  }
}
