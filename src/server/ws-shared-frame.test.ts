/**
 * Frame sharing in the fan-out, through real `ws` sockets: clients in the same state are written
 * the same frame bytes, rendered once (the hub counts the frames it wrote as a copy), numbered in
 * the channels' streams; a client in another state (other channels, or subscribed later) gets a
 * frame of its own, and every client's sequence follows without a gap.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { parseServerFrame, type Channel } from './protocol.js';
import { TestClient, expectSnapshotThenContiguous, sleep } from './test-kit.js';
import { FanOut, type FanOutOptions } from './ws-fanout.js';
import type { FeedItem, FeedRequest } from './ws-stream.js';

const quiet = { debug: () => {}, warn: () => {}, error: () => {} };

describe('shared frames', () => {
  let wss: WebSocketServer | undefined;
  let fan: FanOut | undefined;
  const peers: TestClient[] = [];

  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    await fan?.stop();
    await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
    wss = undefined;
  });

  /** A fan-out on a real server; the test plays the feed (answers snapshot requests, pushes items). */
  async function start(options: FanOutOptions = {}): Promise<{ connect: (channels: Channel[]) => Promise<TestClient>; push: (items: FeedItem[], to?: TestClient[]) => Promise<void> }> {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss!.once('listening', () => r()));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    const answers: FeedItem[] = [];
    const f = (fan = new FanOut({ request: (r: FeedRequest) => r.op === 'snapshot' && answers.push({ kind: 'snapshot', to: 0, requestId: r.requestId, channel: r.channel, ts: 1, json: '{}' }), logger: quiet }, { flushIntervalMs: 1, ...options }));
    let n = 0;
    wss.on('connection', (socket) => f.accept(socket, { id: `c${++n}`, path: '/ws', remoteAddress: '127.0.0.1', connectedAt: 0, channel: null }));
    const settle = async (until: () => boolean) => {
      for (let i = 0; i < 200 && !until(); i++) await sleep(5);
      await sleep(20);
    };
    return {
      async connect(channels) {
        const peer = await TestClient.connect(url);
        peers.push(peer);
        peer.ws.send(JSON.stringify({ op: 'subscribe', channels }));
        await settle(() => answers.length === channels.length);
        f.ingest(answers.splice(0));
        await settle(() => peer.messages.filter((m) => m.type === 'snapshot').length === channels.length);
        return peer;
      },
      /** Gives the fan-out items, and waits until each of `to` (default: every peer) has a new frame. */
      async push(items, to = peers) {
        const before = to.map((p) => p.frames.length);
        f.ingest(items);
        await settle(() => to.every((p, i) => p.frames.length > before[i]!));
      },
    };
  }

  const signal = (id: number): FeedItem => ({ kind: 'update', channel: 'signals', ts: 10 + id, json: `{"id":"S${id}"}` });
  const price = (key: string, mid: number): FeedItem => ({ kind: 'set', channel: 'prices', key, ts: 10 + mid, json: `{"instrumentId":"${key}","mid":${mid}}` });

  it('writes clients in the same state one rendered frame; a client following other channels gets its own', async () => {
    const { connect, push } = await start();
    const [a, b, c] = [await connect(['signals', 'prices']), await connect(['signals', 'prices']), await connect(['signals', 'prices'])];
    const other = await connect(['signals']);
    const sharedBefore = fan!.stats().framesShared;

    await push([signal(1), price('BTC', 1), price('ETH', 2)]);
    const frame = a.frames.at(-1)!;
    expect(b.frames.at(-1)).toBe(frame);
    expect(c.frames.at(-1)).toBe(frame);
    expect(parseServerFrame(frame)).toMatchObject([
      { type: 'update', channel: 'signals', seq: 1, data: { id: 'S1' } },
      { type: 'update', channel: 'prices', seq: 2, prev: 0, data: { ticks: [{ instrumentId: 'BTC' }, { instrumentId: 'ETH' }] } },
    ]);
    expect(parseServerFrame(other.frames.at(-1)!)).toMatchObject([{ channel: 'signals', seq: 1 }]);
    // a's frame was rendered, b's and c's were copies of it.
    expect(fan!.stats().framesShared - sharedBefore).toBe(2);

    await push([signal(2), price('BTC', 3)]);
    expect(b.frames.at(-1)).toBe(a.frames.at(-1));
    expect(parseServerFrame(a.frames.at(-1)!)).toMatchObject([
      { channel: 'signals', seq: 2 },
      { channel: 'prices', seq: 3, prev: 2, data: { ticks: [{ instrumentId: 'BTC', mid: 3 }] } },
    ]);
    for (const p of [a, b, c, other]) expectSnapshotThenContiguous(p, 'signals');
    for (const p of [a, b, c]) expectSnapshotThenContiguous(p, 'prices');
    // Every frame counts for the client it was written to, shared or not.
    const stats = fan!.stats();
    expect(stats.framesSent).toBe(peers.reduce((n, p) => n + p.frames.length, 0));
    expect(stats.messagesSent).toBe(peers.reduce((n, p) => n + p.messages.length, 0));
  });

  it('a client behind its high-water mark catches up with a frame of its own; the others are not written theirs twice', async () => {
    const { connect, push } = await start({ highWaterMarkBytes: 1024, maxLagMs: 60_000, maxQueuedMessages: 1_000_000 });
    const [a, b, x] = [await connect(['prices']), await connect(['prices']), await connect(['prices'])];
    const behind = () => fan!.connections().find((c) => c.id === 'c3')!.bufferedAmount > 1024;
    // x stops reading: large price updates fill its socket until it is past the high-water mark.
    x.ws.pause();
    const pad = 'x'.repeat(16_000);
    for (let i = 0; i < 1000 && !behind(); i++) {
      fan!.ingest([{ kind: 'set', channel: 'prices', key: 'BTC', ts: i, json: `{"instrumentId":"BTC","mid":${i},"pad":"${pad}"}` }]);
      await sleep(2);
    }
    expect(behind()).toBe(true);
    // a and b share the next frame; rounds go on while x is owed it, and must not write it to them again.
    await push([price('ETH', 1)], [a, b]);
    await sleep(50);
    x.ws.resume();
    for (let i = 0; i < 200 && !x.of('prices').some((m) => JSON.stringify(m.data).includes('ETH')); i++) await sleep(10);
    for (const p of [a, b, x]) expectSnapshotThenContiguous(p, 'prices');
    expect(x.of('prices').at(-1)!.seq).toBe(a.of('prices').at(-1)!.seq);
  });

  it("a client subscribing later starts at the channels' current seq, then shares the frames", async () => {
    const { connect, push } = await start();
    const a = await connect(['signals', 'prices']);
    await push([signal(1), signal(2), price('BTC', 1)]);
    const late = await connect(['signals', 'prices']);
    expect(late.messages.filter((m) => m.type === 'snapshot')).toEqual([expect.objectContaining({ channel: 'signals', seq: 2 }), expect.objectContaining({ channel: 'prices', seq: 1 })]);
    await push([signal(3), price('ETH', 2)]);
    expect(late.frames.at(-1)).toBe(a.frames.at(-1));
    for (const p of [a, late]) for (const ch of ['signals', 'prices'] as const) expectSnapshotThenContiguous(p, ch);
  });
});
