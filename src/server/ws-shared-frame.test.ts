/**
 * Frame sharing in the fan-out: clients in the same state are written one encoded frame (the same
 * buffer), numbered in the channels' streams; a client in another state (behind its high-water
 * mark, or subscribed later) gets its own frame, and its sequence still follows without a gap.
 * The sockets are stand-ins that record what is sent: the hub's logic is what is under test here
 * (ws.test.ts runs the same protocol through real sockets).
 */
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseServerFrame, updateFollows, type Channel, type ServerMessage } from './protocol.js';
import { FanOut } from './ws-fanout.js';
import type { FeedItem, FeedRequest } from './ws-stream.js';

const quiet = { debug: () => {}, warn: () => {}, error: () => {} };

/** What the fan-out uses of a ws socket, recording every frame sent. */
class RecordingSocket extends EventEmitter {
  readonly OPEN = 1;
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  readonly frames: (string | Buffer)[] = [];

  send(data: string | Buffer): void {
    this.frames.push(data);
  }
  close(): void {
    this.readyState = this.CLOSED;
    this.emit('close');
  }
  terminate(): void {
    this.close();
  }

  /** Messages of every frame sent, in order. */
  messages(): ServerMessage[] {
    return this.frames.flatMap((f) => parseServerFrame(f.toString()));
  }
}

const turn = () => new Promise((r) => setImmediate(r));

describe('shared frames', () => {
  const requests: FeedRequest[] = [];
  let fan: FanOut;
  beforeEach(() => {
    fan = new FanOut({ request: (r) => requests.push(r), logger: quiet }, { flushIntervalMs: 0 });
  });
  afterEach(() => void fan.stop());

  let nextId = 1;
  /** A client subscribed to signals (queued) and prices (coalesced), its snapshots answered. */
  async function subscribed(): Promise<RecordingSocket> {
    const socket = new RecordingSocket();
    fan.accept(socket as unknown as WebSocket, { id: `c${nextId++}`, path: '/ws', remoteAddress: '127.0.0.1', connectedAt: 0, channel: null });
    requests.length = 0;
    socket.emit('message', Buffer.from(JSON.stringify({ op: 'subscribe', channels: ['signals', 'prices'] })), false);
    const answers: FeedItem[] = requests.map((r) => {
      if (r.op !== 'snapshot') throw new Error(`unexpected request ${r.op}`);
      return { kind: 'snapshot', to: 0, requestId: r.requestId, channel: r.channel, ts: 1, json: '{}' };
    });
    fan.ingest(answers);
    await turn();
    return socket;
  }

  const signal = (id: number): FeedItem => ({ kind: 'update', channel: 'signals', ts: 10 + id, json: `{"id":"S${id}"}` });
  const price = (key: string, mid: number): FeedItem => ({ kind: 'set', channel: 'prices', key, ts: 10 + mid, json: `{"instrumentId":"${key}","mid":${mid}}` });

  function expectNoGap(socket: RecordingSocket, channel: Channel): void {
    const msgs = socket.messages().filter((m): m is Extract<ServerMessage, { seq: number }> => (m.type === 'snapshot' || m.type === 'update') && m.channel === channel);
    expect(msgs[0]!.type).toBe('snapshot');
    for (let i = 1; i < msgs.length; i++) expect(updateFollows(msgs[i] as { seq: number; prev?: number })).toBe(msgs[i - 1]!.seq);
  }

  it('writes one buffer to every client in the same state; a client behind gets its own frame and no gap', async () => {
    const [a, b, c] = [await subscribed(), await subscribed(), await subscribed()];
    fan.ingest([signal(1), price('BTC', 1), price('ETH', 2)]);
    await turn();
    const frame = a.frames.at(-1)!;
    expect(Buffer.isBuffer(frame)).toBe(true);
    expect(b.frames.at(-1)).toBe(frame);
    expect(c.frames.at(-1)).toBe(frame);
    expect(parseServerFrame(frame.toString())).toMatchObject([
      { type: 'update', channel: 'signals', seq: 1, data: { id: 'S1' } },
      { type: 'update', channel: 'prices', seq: 2, prev: 0, data: { ticks: [{ instrumentId: 'BTC' }, { instrumentId: 'ETH' }] } },
    ]);

    // c stops reading (its socket is above the high-water mark): a and b still share a frame.
    c.bufferedAmount = 10_000_000;
    fan.ingest([signal(2), price('BTC', 3)]);
    await turn();
    expect(b.frames.at(-1)).toBe(a.frames.at(-1));
    expect(c.frames.at(-1)).toBe(frame);

    // c reads again: it is written what it missed, merged, in a frame of its own.
    c.bufferedAmount = 0;
    fan.ingest([signal(3)]);
    await turn();
    expect(parseServerFrame(c.frames.at(-1)!.toString())).toMatchObject([
      { channel: 'signals', seq: 2 },
      { channel: 'signals', seq: 3 },
      { channel: 'prices', seq: 3, prev: 2, data: { ticks: [{ instrumentId: 'BTC', mid: 3 }] } },
    ]);
    expect(parseServerFrame(a.frames.at(-1)!.toString())).toEqual([expect.objectContaining({ channel: 'signals', seq: 3 })]);
    expect(b.frames.at(-1)).toBe(a.frames.at(-1));
    expect(c.frames.at(-1)).not.toBe(a.frames.at(-1));
    for (const s of [a, b, c]) for (const ch of ['signals', 'prices'] as const) expectNoGap(s, ch);
    expect(a.messages().filter((m) => m.type === 'update')).toHaveLength(5);
    // A shared frame counts for every client it is written to.
    const stats = fan.stats();
    expect(stats.framesSent).toBe(a.frames.length + b.frames.length + c.frames.length);
    expect(stats.messagesSent).toBe(a.messages().length + b.messages().length + c.messages().length);
  });

  it("a client subscribing later starts at the channels' current seq, and is then written the shared frames", async () => {
    const a = await subscribed();
    fan.ingest([signal(1), signal(2), price('BTC', 1)]);
    await turn();
    const late = await subscribed();
    const snapshots = late.messages().filter((m) => m.type === 'snapshot');
    expect(snapshots).toEqual([expect.objectContaining({ channel: 'signals', seq: 2 }), expect.objectContaining({ channel: 'prices', seq: 1 })]);
    fan.ingest([signal(3), price('ETH', 2)]);
    await turn();
    expect(late.frames.at(-1)).toBe(a.frames.at(-1));
    for (const s of [a, late]) for (const ch of ['signals', 'prices'] as const) expectNoGap(s, ch);
  });
});
