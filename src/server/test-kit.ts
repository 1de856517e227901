/**
 * Test fixtures for the server: a real paper-like desk (SimulatedClock, SimulatedExchange,
 * TradingEngine, RiskEngine through attachRiskEngine) fed with hand-made quotes, a server
 * listening on 127.0.0.1 port 0 with a capturing logger, and a real `ws` client that collects
 * every message it receives. Test-only; nothing in src imports it.
 */
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { SimulatedClock } from '../core/clock.js';
import { Money, USD } from '../core/money.js';
import { TradingEngine } from '../engine/trading-engine.js';
import { SimulatedExchange } from '../execution/simulated-exchange.js';
import { createLogger } from '../infra/logger.js';
import type { QuoteTick } from '../model/data.js';
import { Instrument } from '../model/instrument.js';
import { attachRiskEngine } from '../risk/attach.js';
import type { RiskLimits } from '../risk/limits.js';
import type { RiskEngine } from '../risk/risk-engine.js';
import { Strategy } from '../strategy/strategy.js';
import { buildServer, type BourseServer, type ServerOptions } from './app.js';
import { parseServerFrame, updateFollows, type ServerMessage } from './protocol.js';

export const T0 = Date.UTC(2024, 0, 2, 10, 0, 0);
export const TOKEN = 'test-token-0123456789abcdef0123456789abcdef';

export const BTC = new Instrument({ symbol: 'BTC-USD', assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '0.001', minSize: '0.001', takerFee: '0.0005', makerFee: '0.0002' });
export const ETH = new Instrument({ symbol: 'ETH-USD', assetClass: 'CRYPTO', quoteCurrency: 'USD', tickSize: '0.01', sizeStep: '0.01', minSize: '0.01', takerFee: '0.0005', makerFee: '0.0002' });

export const DEFAULT_LIMITS: RiskLimits = { maxOrderQty: '5', fatFingerBps: 500, maxOrdersPerSecond: 1000 };

/** Publishes a signal on every quote of its instruments; `chatty` pads the reason (to fill a socket quickly). */
export class SignalOnQuote extends Strategy {
  constructor(
    id: string,
    private readonly padding = 0,
  ) {
    super(id);
  }

  override onQuote(q: QuoteTick): void {
    this.signal({ instrumentId: q.instrumentId, signalType: 'tick', direction: 'LONG', strength: 0.5, confidence: 0.5, reason: 'quote seen'.padEnd(10 + this.padding, '.') });
  }
}

/** Buys the minimum size of an instrument at market on every quote (unless paused). */
export class BuyOnQuote extends Strategy {
  sent = 0;

  override onQuote(q: QuoteTick): void {
    const inst = this.instrument(q.instrumentId);
    if (this.market(q.instrumentId, 'BUY', inst.minSize).ok) this.sent++;
  }
}

export interface Desk {
  clock: SimulatedClock;
  engine: TradingEngine;
  risk: RiskEngine;
  /** Moves the clock by `ms` (default 100) and dispatches a quote. */
  quote(inst: Instrument, bid: string, ask: string, ms?: number): QuoteTick;
}

export function buildDesk(opts: { limits?: RiskLimits; strategies?: Strategy[] } = {}): Desk {
  const clock = new SimulatedClock(T0);
  const instruments = [BTC, ETH];
  const capital = Money.of('1000000', USD);
  const venue = new SimulatedExchange({ clock, instruments, startingCash: capital });
  const engine = new TradingEngine({ clock, instruments, initialCapital: capital, venue, strategies: opts.strategies ?? [] });
  const risk = attachRiskEngine(engine, opts.limits ?? DEFAULT_LIMITS);
  engine.start();
  return {
    clock,
    engine,
    risk,
    quote(inst, bid, ask, ms = 100) {
      const record: QuoteTick = { kind: 'quote', instrumentId: inst.id, bid: inst.price(bid), ask: inst.price(ask), bidSize: inst.quantity(100), askSize: inst.quantity(100), ts: clock.now() + ms };
      clock.advanceTo(record.ts);
      engine.dispatch(record);
      return record;
    },
  };
}

export interface Running {
  server: BourseServer;
  base: string;
  wsBase: string;
  /** Every log line the server wrote, as JSON text. */
  logs: string[];
  close(): Promise<void>;
}

export async function startServer(desk: Desk, overrides: Partial<ServerOptions> = {}): Promise<Running> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'trace', levels: {}, dir: './logs', rotateSize: '10m', rotateInterval: '1d', filesKept: 1 }, 'development', { destination });
  const server = buildServer({ engine: desk.engine, risk: desk.risk, token: TOKEN, logger, ...overrides });
  await server.start({ host: '127.0.0.1', port: 0 });
  const base = server.url()!;
  return { server, base, wsBase: base.replace(/^http/, 'ws'), logs, close: () => server.stop() };
}

export const auth = (token = TOKEN): Record<string, string> => ({ authorization: `Bearer ${token}` });

export async function getJson(url: string, token: string | null = TOKEN): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, { headers: token === null ? {} : auth(token) });
  const text = await res.text();
  return { status: res.status, body: text.length > 0 && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: res.headers };
}

export async function send(method: 'POST' | 'DELETE', url: string, body?: unknown, token: string | null = TOKEN, raw?: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = token === null ? {} : auth(token);
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  return { status: res.status, body: text.length > 0 ? JSON.parse(text) : undefined, headers: res.headers };
}

/** A real WebSocket client that parses and keeps every server message. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  readonly frames: string[] = [];
  closeCode: number | undefined;
  closeReason: string | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.frames.push(text);
      this.messages.push(...parseServerFrame(text));
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.wake();
    });
  }

  /** Connects; rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, headers: Record<string, string> = auth()): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first message (from index `from`) matching `match`; rejects after `timeoutMs`. */
  async waitFor(match: (m: ServerMessage) => boolean, timeoutMs = 3000, from = 0): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20);
      });
    }
  }

  async waitClosed(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20);
      });
    }
  }

  of(channel: string): Extract<ServerMessage, { channel: string; seq: number }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { channel: string; seq: number }> => (m.type === 'snapshot' || m.type === 'update') && m.channel === channel);
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Asserts a channel's messages are: one snapshot, then updates each following the one before (no gap). */
export function expectSnapshotThenContiguous(c: TestClient, channel: string): void {
  const msgs = c.of(channel);
  expect(msgs.length).toBeGreaterThan(0);
  expect(msgs[0]!.type).toBe('snapshot');
  msgs.forEach((m, i) => {
    if (i === 0) return;
    expect(m.type).toBe('update');
    expect(updateFollows(m)).toBe(msgs[i - 1]!.seq);
    expect(m.seq).toBeGreaterThan(msgs[i - 1]!.seq);
  });
}
