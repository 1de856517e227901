/**
 * WebSocket channels with real `ws` clients: subscribe/unsubscribe, snapshot before updates,
 * sequence numbers without gaps (also through coalescing), per-channel paths, errors that keep
 * the connection open, and the slow-client policy (a client that stops reading is dropped with a
 * reason while the engine keeps dispatching and other clients keep receiving). Every test runs
 * with the clients in the server's process and with two writer processes owning them.
 *
 * Note: the writer-mode tests run the compiled writer in dist/ (dist/src/server/ws-writer-main.js),
 * not the sources: after changing src/server, run `npx tsc -p tsconfig.json` first (`npm test` does).
 */
import { fork, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PerformanceSnapshot } from '../analytics/snapshot.js';
import { API, WS_CLOSE_SLOW_CONSUMER, channelData, serverMessageSchema, updateFollows, type ServerMessage } from './protocol.js';
import { BTC, ETH, SignalOnQuote, TestClient, buildDesk, expectSnapshotThenContiguous, send, sleep, startServer, type Desk, type Running } from './test-kit.js';
import { pino } from 'pino';
import { LiveState } from './live-state.js';
import { SnapshotBuilder } from './snapshots.js';
import { HubFeed } from './ws-feed.js';
import { WriterPool } from './ws-writer-pool.js';
import { writerEntry, type FromWriter, type ToWriter } from './ws-writer-ipc.js';

let desk: Desk;
let srv: Running;
const clients: TestClient[] = [];

/** Writer processes of the mode under test (0: the server's own process). */
let writers = 0;

async function setup(opts: Parameters<typeof startServer>[1] = {}, padding = 0): Promise<void> {
  desk = buildDesk({ strategies: [new SignalOnQuote('sig-1', padding)] });
  srv = await startServer(desk, { ...opts, ws: { ...opts.ws, writers } });
}

async function connect(path = '/ws'): Promise<TestClient> {
  const c = await TestClient.connect(srv.wsBase + path);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await srv.close();
});

describe.each([
  ['in-process', 0],
  ['2 writer processes', 2],
])('clients in %s', (_mode, writerCount) => {
  beforeEach(() => {
    writers = writerCount;
  });

  describe('multiplexed /ws', () => {
    it('subscribe: subscribed, then a snapshot, then updates in order without gaps', async () => {
      await setup();
      desk.quote(BTC, '60000.00', '60001.00');
      const c = await connect();
      c.send({ op: 'subscribe', channels: ['signals', 'prices', 'trades', 'orders', 'pnl', 'portfolio', 'risk', 'alerts', 'performance'] });
      await c.waitFor((m) => m.type === 'snapshot' && m.channel === 'performance');

      // Snapshot contents reflect the state at subscription.
      const prices = c.of('prices')[0]!;
      expect(channelData.prices.snapshot.parse(prices.data).ticks).toEqual([{ instrumentId: 'BTC-USD', ts: desk.clock.now(), bid: '60000.00', ask: '60001.00', mid: 60000.5 }]);
      expect(channelData.signals.snapshot.parse(c.of('signals')[0]!.data).signals).toHaveLength(1);
      // Every 'subscribed' precedes its channel's snapshot.
      for (const ch of ['signals', 'prices', 'trades']) {
        const sub = c.messages.findIndex((m) => m.type === 'subscribed' && m.channel === ch);
        const snap = c.messages.findIndex((m) => m.type === 'snapshot' && m.channel === ch);
        expect(sub).toBeGreaterThanOrEqual(0);
        expect(sub).toBeLessThan(snap);
      }

      for (let i = 0; i < 40; i++) {
        desk.quote(i % 2 ? ETH : BTC, `${60000 + i}.00`, `${60001 + i}.00`);
        if (i % 10 === 0) await sleep(15);
      }
      const r = await send('POST', srv.base + API.submitOrder, { instrumentId: 'ETH-USD', side: 'BUY', type: 'MARKET', quantity: '2' });
      expect(r.status).toBe(201);
      const lastSignalId = `SIG-${41}`;
      await c.waitFor((m) => m.type === 'update' && m.channel === 'signals' && (m.data as { id: string }).id === lastSignalId);
      await c.waitFor((m) => m.type === 'update' && m.channel === 'trades');
      await c.waitFor((m) => m.type === 'update' && m.channel === 'portfolio');

      for (const m of c.messages) expect(() => serverMessageSchema.parse(m)).not.toThrow();
      for (const ch of ['signals', 'prices', 'trades', 'orders', 'pnl', 'portfolio']) expectSnapshotThenContiguous(c, ch);

      // Signals are queued: every one arrives, in order.
      const signals = c.of('signals').slice(1).map((m) => channelData.signals.update.parse(m.data).id);
      expect(signals).toEqual(Array.from({ length: 40 }, (_, i) => `SIG-${i + 2}`));
      // Prices are coalesced: fewer messages than quotes, and the latest price of each instrument wins.
      const priceUpdates = c.of('prices').slice(1).map((m) => channelData.prices.update.parse(m.data));
      expect(priceUpdates.length).toBeLessThan(40);
      const lastTicks = new Map(priceUpdates.flatMap((u) => u.ticks).map((t) => [t.instrumentId, t]));
      expect(lastTicks.get('BTC-USD')?.bid).toBe('60038.00');
      expect(lastTicks.get('ETH-USD')?.bid).toBe('60039.00');
      // The order's life: submitted, accepted, filled, each with the order as it stood.
      const orderEvents = c.of('orders').slice(1).map((m) => channelData.orders.update.parse(m.data));
      expect(orderEvents.map((u) => [u.event.type, u.order.status])).toEqual([
        ['OrderSubmitted', 'SUBMITTED'],
        ['OrderAccepted', 'ACCEPTED'],
        ['OrderFilled', 'FILLED'],
      ]);
      const fill = channelData.trades.update.parse(c.of('trades').at(-1)!.data);
      expect(fill).toMatchObject({ instrumentId: 'ETH-USD', side: 'BUY', lastQty: '2.00', lastPx: '60040.00' });
      const position = channelData.portfolio.update.parse(c.of('portfolio').at(-1)!.data);
      expect(position.positions).toEqual([expect.objectContaining({ instrumentId: 'ETH-USD', side: 'LONG', quantity: '2.00' })]);
      const pnl = channelData.pnl.update.parse(c.of('pnl').at(-1)!.data);
      expect(pnl.openPositions).toBe(1);
    });

    it('risk channel: state changes and actions as updates, then a fresh summary', async () => {
      await setup({ ws: { summaryIntervalMs: 60_000 } });
      const c = await connect();
      c.send({ op: 'subscribe', channels: ['risk'] });
      await c.waitFor((m) => m.type === 'snapshot');
      expect(channelData.risk.snapshot.parse(c.of('risk')[0]!.data).summary.state).toBe('ACTIVE');
      const r = await send('POST', srv.base + API.killSwitch, { on: true, reason: 'drill' });
      expect(r.status).toBe(200);
      await c.waitFor((m) => m.type === 'update' && (m.data as { kind: string }).kind === 'summary');
      const updates = c.of('risk').slice(1).map((m) => channelData.risk.update.parse(m.data));
      expect(updates[0]).toEqual({ kind: 'state', change: expect.objectContaining({ state: 'HALTED', previous: 'ACTIVE', reason: 'drill' }) });
      expect(updates.some((u) => u.kind === 'action' && u.action.action === 'HALT_TRADING')).toBe(true);
      const summary = updates.at(-1)!;
      expect(summary.kind === 'summary' && summary.summary.state).toBe('HALTED');
      expectSnapshotThenContiguous(c, 'risk');
    });

    it('alerts channel: active alerts in the snapshot, then raise/resolve events', async () => {
      await setup();
      desk.risk.alerts.raise({ key: 'a', level: 'WARNING', action: 'INCREASE_MONITORING', message: 'first' });
      const c = await connect('/ws/alerts');
      await c.waitFor((m) => m.type === 'snapshot');
      expect(channelData.alerts.snapshot.parse(c.of('alerts')[0]!.data).active.map((a) => a.key)).toEqual(['a']);
      desk.risk.alerts.resolve('a');
      await c.waitFor((m) => m.type === 'update');
      expect(channelData.alerts.update.parse(c.of('alerts')[1]!.data)).toMatchObject({ status: 'RESOLVED', alert: { key: 'a' } });
    });

    it('unsubscribe stops updates; resubscribe sends a fresh snapshot that the next update follows', async () => {
      await setup();
      const c = await connect();
      c.send({ op: 'subscribe', channels: ['signals'] });
      await c.waitFor((m) => m.type === 'snapshot');
      desk.quote(BTC, '100.00', '100.02');
      await c.waitFor((m) => m.type === 'update');
      c.send({ op: 'unsubscribe', channels: ['signals'] });
      await c.waitFor((m) => m.type === 'unsubscribed' && m.channel === 'signals');
      const count = c.messages.length;
      desk.quote(BTC, '100.00', '100.02');
      c.send({ op: 'ping' });
      await c.waitFor((m) => m.type === 'pong', 3000, count);
      expect(c.messages.slice(count).filter((m) => m.type === 'update')).toEqual([]);

      c.send({ op: 'subscribe', channels: ['signals'] });
      const snap = await c.waitFor((m) => m.type === 'snapshot', 3000, count);
      const snapSeq = (snap as { seq: number }).seq;
      expect(channelData.signals.snapshot.parse((snap as { data: unknown }).data).signals).toHaveLength(2);
      desk.quote(BTC, '100.00', '100.02');
      const upd = await c.waitFor((m) => m.type === 'update', 3000, count);
      expect(upd).toMatchObject({ seq: snapSeq + 1 });
      expect(updateFollows(upd as { seq: number })).toBe(snapSeq);
    });

    it('malformed JSON, unknown channels, bad messages and binary frames get an error; the connection stays open', async () => {
      await setup();
      const c = await connect();
      c.send('{not json');
      const bad = await c.waitFor((m) => m.type === 'error');
      expect(bad).toMatchObject({ type: 'error', code: 'BAD_JSON' });
      c.send({ op: 'subscribe', channels: ['pnl', 'bogus'] });
      const unknown = await c.waitFor((m) => m.type === 'error' && m.code === 'UNKNOWN_CHANNEL');
      expect((unknown as { message: string }).message).toMatch(/unknown channel "bogus"; channels are portfolio, pnl/);
      c.send({ op: 'dance' });
      await c.waitFor((m) => m.type === 'error' && m.code === 'BAD_MESSAGE');
      c.send({ op: 'subscribe', channels: 'pnl' });
      await c.waitFor((m) => m.type === 'error' && m.code === 'BAD_MESSAGE' && /channels/.test(m.message));
      c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      await c.waitFor((m) => m.type === 'error' && m.code === 'BAD_MESSAGE' && /binary/.test(m.message));
      // Nothing was subscribed by the rejected message, and the socket still works.
      c.send({ op: 'ping' });
      await c.waitFor((m) => m.type === 'pong');
      expect(c.messages.some((m) => m.type === 'subscribed')).toBe(false);
      expect(c.closeCode).toBeUndefined();
    });
  });

  describe('performance channel', () => {
    it('polls the monitor on the interval, and follows analytics.snapshot on the bus once published', async () => {
      let polls = 0;
      await setup({ monitor: { snapshot: () => ({ source: 'poll', n: ++polls }) }, ws: { summaryIntervalMs: 50 } });
      const c = await connect('/ws/performance');
      await c.waitFor((m) => m.type === 'update' && (m.data as { snapshot: { source: string } }).snapshot.source === 'poll');
      const fromBus = { source: 'bus', sharpe: 1.5 } as unknown as PerformanceSnapshot;
      desk.engine.bus.publish('analytics.snapshot', fromBus);
      await c.waitFor((m) => m.type === 'update' && (m.data as { snapshot: { source: string } }).snapshot.source === 'bus');
      const pollsAfterBus = polls;
      await sleep(200);
      expect(polls).toBe(pollsAfterBus);
      expectSnapshotThenContiguous(c, 'performance');
    });
  });

  describe('per-channel paths', () => {
    it.each(['portfolio', 'pnl', 'signals', 'alerts', 'trades'])('/ws/%s is subscribed on connect', async (channel) => {
      await setup();
      const c = await connect(`/ws/${channel}`);
      const snap = await c.waitFor((m) => m.type === 'snapshot');
      expect(snap).toMatchObject({ channel, seq: expect.any(Number) });
      expect(c.messages[0]).toEqual({ type: 'subscribed', channel });
      const schema = channelData[channel as keyof typeof channelData].snapshot;
      expect(() => schema.parse((snap as { data: unknown }).data)).not.toThrow();
    });

    it('/ws/trades: a fill in the engine arrives as an update', async () => {
      await setup();
      desk.quote(BTC, '60000.00', '60001.00');
      const c = await connect('/ws/trades');
      await c.waitFor((m) => m.type === 'snapshot');
      await send('POST', srv.base + API.submitOrder, { instrumentId: 'BTC-USD', side: 'SELL', type: 'MARKET', quantity: '0.25' });
      const upd = await c.waitFor((m) => m.type === 'update');
      expect(channelData.trades.update.parse((upd as { data: unknown }).data)).toMatchObject({ side: 'SELL', lastQty: '0.250', lastPx: '60000.00' });
    });

    it('an unknown channel path is a 404 on upgrade', async () => {
      await setup();
      await expect(TestClient.connect(srv.wsBase + '/ws/bogus')).rejects.toThrow(/HTTP 404/);
    });
  });

  describe('shutdown', () => {
    it('stop() closes every client with 1001 and refuses to start again', async () => {
      await setup();
      const c = await connect('/ws/pnl');
      await c.waitFor((m) => m.type === 'snapshot');
      await srv.close();
      await c.waitClosed();
      expect(c.closeCode).toBe(1001);
      await expect(srv.server.start()).rejects.toThrow(/stopped/);
      await srv.close();
    });
  });

  describe('slow clients', () => {
    it.each([
      ['overflow', { maxQueuedMessages: 20, maxLagMs: 60_000 }, /more than 20 messages waiting/],
      ['lag', { maxQueuedMessages: 1_000_000, maxLagMs: 150 }, /behind for more than 150 ms/],
    ] as const)('a client that stops reading is dropped (%s) with a reason; the engine and the other clients carry on', async (_kind, policy, reason) => {
      // 16 KB signals fill the socket buffers quickly; the slow client gets a 1 KiB high-water mark.
      await setup({ ws: { ...policy, highWaterMarkBytes: 1024, flushIntervalMs: 2, closeGraceMs: 30_000 } }, 16_000);
      const slow = await connect('/ws/signals');
      const healthy = await connect('/ws/signals');
      await slow.waitFor((m) => m.type === 'snapshot');
      await healthy.waitFor((m) => m.type === 'snapshot');
      slow.ws.pause();

      let dispatched = 0;
      const deadline = Date.now() + 15_000;
      while ((await srv.server.hub.stats()).dropped[_kind] === undefined) {
        if (Date.now() > deadline) throw new Error(`slow client was not dropped; ${JSON.stringify(await srv.server.hub.connections())}`);
        for (let i = 0; i < 20; i++, dispatched++) desk.quote(BTC, '100.00', '100.02', 1);
        await sleep(3);
      }
      // The engine keeps going after the drop, and the healthy client keeps receiving.
      for (let i = 0; i < 20; i++, dispatched++) desk.quote(BTC, '100.00', '100.02', 1);
      expect(srv.server.live.signals.lastSeq).toBe(dispatched);
      await healthy.waitFor((m) => m.type === 'update' && (m.data as { id: string }).id === `SIG-${dispatched}`, 10_000);
      expectSnapshotThenContiguous(healthy, 'signals');
      expect(healthy.closeCode).toBeUndefined();
      expect((await srv.server.hub.connections()).map((c) => c.id)).toHaveLength(1);

      // The slow client, once it reads again, finds the reason and the 4008 close.
      slow.ws.resume();
      await slow.waitClosed(10_000);
      expect(slow.closeCode).toBe(WS_CLOSE_SLOW_CONSUMER);
      const last: ServerMessage | undefined = slow.messages.at(-1);
      expect(last).toMatchObject({ type: 'disconnect' });
      expect((last as { reason: string }).reason).toMatch(reason);
      expect(slow.closeReason).toMatch(reason);
      // What it did get before the drop had no gaps.
      expectSnapshotThenContiguous(slow, 'signals');
      expect(srv.logs.join('')).toMatch(/dropping slow websocket client/);
    });
  });
});

describe('writer processes', () => {
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const waitGone = async (pids: number[], timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (pids.some(alive)) {
      if (Date.now() > deadline) throw new Error(`writers ${pids.filter(alive).join(', ')} still running`);
      await sleep(20);
    }
  };

  it('exit when the hub stops', async () => {
    desk = buildDesk();
    srv = await startServer(desk, { ws: { writers: 2 } });
    const c = await connect('/ws/pnl');
    await c.waitFor((m) => m.type === 'snapshot');
    const pids = srv.server.hub.writerPids();
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    await srv.close();
    await waitGone(pids, 1000);
    expect(srv.server.hub.writerPids()).toEqual([]);
  });

  it("a writer that exits before it is ready fails the server's start, naming the writer and its exit code", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bourse-writer-'));
    const entry = join(dir, 'exits.mjs');
    await writeFile(entry, 'process.exit(3);\n');
    await expect(startServer(buildDesk(), { ws: { writers: 2, writerEntry: entry } })).rejects.toThrow(/websocket writer 1 exited before it was ready \(exit code 3/);
    await rm(dir, { recursive: true });
    // This test's own server is only there for afterEach to close.
    desk = buildDesk();
    srv = await startServer(desk);
  });

  it("stats and connections leave out a writer that is alive but does not answer, after a timeout", async () => {
    desk = buildDesk();
    srv = await startServer(desk, { ws: { writers: 2 } });
    // One client per writer (they are handed out in turn).
    for (let i = 0; i < 2; i++) await (await connect('/ws/pnl')).waitFor((m) => m.type === 'snapshot');
    expect((await srv.server.hub.stats()).clients).toBe(2);
    const [stuck] = srv.server.hub.writerPids();
    process.kill(stuck!, 'SIGSTOP');
    try {
      const [stats, connections] = await Promise.all([srv.server.hub.stats(), srv.server.hub.connections()]);
      expect(stats.clients).toBe(1);
      expect(connections).toHaveLength(1);
      expect(srv.logs.join('')).toMatch(/websocket writer did not answer within 1000 ms/);
    } finally {
      process.kill(stuck!, 'SIGCONT');
    }
  });

  it('stop() kills a writer that never becomes ready, after the exit timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bourse-writer-'));
    const entry = join(dir, 'never-ready.mjs');
    // It exits with the test's process (if the test fails), like a real writer.
    await writeFile(entry, "process.on('disconnect', () => process.exit(0));\nsetInterval(() => {}, 1000);\n");
    desk = buildDesk();
    const silent = pino({ level: 'silent' });
    const state = new LiveState(desk.engine);
    const feed = new HubFeed({ engine: desk.engine, risk: desk.risk, snapshots: new SnapshotBuilder(desk.engine, desk.risk, state, undefined), logger: silent }, 60_000);
    const pool = new WriterPool(feed, silent, { writers: 1, fanOut: {}, maxPayload: 1024, exitTimeoutMs: 100, entry });
    const started = pool.start().catch((err: unknown) => err);
    await pool.stop();
    expect(await started).toBeInstanceOf(Error);
    await rm(dir, { recursive: true });
    feed.stop();
    state.dispose();
    // This test's own server is only there for afterEach to close.
    srv = await startServer(desk);
  });

  it('a writer logs a message from the server it cannot handle, and keeps serving', async () => {
    const writer = fork(writerEntry(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [], serialization: 'json' });
    const received: FromWriter[] = [];
    const next = (kind: FromWriter['kind']): Promise<FromWriter> =>
      new Promise((resolve) => {
        const seen = received.find((m) => m.kind === kind);
        if (seen) return resolve(seen);
        writer.on('message', (m: FromWriter) => m.kind === kind && resolve(m));
      });
    writer.on('message', (m: FromWriter) => received.push(m));
    try {
      await next('ready');
      writer.send({ kind: 'init', options: {}, maxPayload: 1024 } satisfies ToWriter);
      // An item of a channel that does not exist makes the fan-out's ingest throw.
      writer.send({ kind: 'items', items: [{ kind: 'update', channel: 'bogus' as never, ts: 0, json: '{}' }] } satisfies ToWriter);
      expect(await next('log')).toMatchObject({ level: 'error', msg: 'websocket writer could not handle a message from the server', obj: { kind: 'items' } });
      writer.send({ kind: 'query', queryId: 1, what: 'stats' } satisfies ToWriter);
      expect(await next('stats')).toMatchObject({ queryId: 1, stats: { clients: 0 } });
    } finally {
      writer.kill();
    }
    // This test's own server is only there for afterEach to close.
    desk = buildDesk();
    srv = await startServer(desk);
  });

  it('exit when the server process dies without stopping them', async () => {
    // A server process (the compiled build, like the writers) that prints its writers' pids and is then killed.
    const script = `
      const { buildDesk, startServer } = await import(${JSON.stringify(new URL('../../dist/src/server/test-kit.js', import.meta.url).href)});
      const srv = await startServer(buildDesk(), { ws: { writers: 2 } });
      process.stdout.write(JSON.stringify(srv.server.hub.writerPids()) + '\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    // This test's own server is only there for afterEach to close.
    desk = buildDesk();
    srv = await startServer(desk);
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(d.toString()));
      child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
    });
    const pids = JSON.parse(line) as number[];
    expect(pids).toHaveLength(2);
    child.kill('SIGKILL');
    await waitGone(pids, 3000);
  });
});
