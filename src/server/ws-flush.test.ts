/**
 * The flush chain of the in-process fan-out: there is only ever one. The feed's drain (called at
 * each flush slice) must not wake the fan-out for the risk summary it adds itself, and a wake-up
 * during a flush must not arm a second timer that would outlive stop().
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { FanOut } from './ws-fanout.js';
import { HubFeed } from './ws-feed.js';
import { SnapshotBuilder } from './snapshots.js';
import { LiveState } from './live-state.js';
import { buildDesk, sleep } from './test-kit.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('in-process flush chain', () => {
  let wss: WebSocketServer | undefined;
  const peers: WebSocket[] = [];

  afterEach(async () => {
    for (const p of peers.splice(0)) p.terminate();
    await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
    wss = undefined;
  });

  it("the feed's drain does not wake its consumer for the risk summary it adds itself", () => {
    const desk = buildDesk();
    const state = new LiveState(desk.engine);
    const feed = new HubFeed({ engine: desk.engine, risk: desk.risk, snapshots: new SnapshotBuilder(desk.engine, desk.risk, state, undefined), logger: quiet as never }, 60_000);
    let wakes = 0;
    feed.listen(() => wakes++);
    feed.handle(1, { op: 'snapshot', requestId: 1, channel: 'risk' });
    feed.drain();
    desk.risk.killSwitch({ reason: 'drill' });
    const woken = wakes;
    expect(woken).toBeGreaterThan(0);
    const items = feed.drain();
    expect(items.some((i) => i.kind === 'update' && i.channel === 'risk')).toBe(true);
    expect(wakes).toBe(woken);
    feed.stop();
    state.dispose();
  });

  it('a wake-up during a round of several slices arms no second flush: nothing runs after stop()', async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss!.once('listening', () => r()));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    let clock = 0;
    let pulls = 0;
    let stopped = false;
    let pullsAfterStop = 0;
    const fanOut: FanOut = new FanOut(
      {
        request: () => {},
        // Every reading of the clock is a whole slice later: each slice serves one client.
        now: () => (clock += 10),
        logger: quiet,
        pull: () => {
          if (stopped) pullsAfterStop++;
          // The first slice: the feed wakes the fan-out meanwhile (as a risk change does), and
          // stop() comes before the round's next slice.
          if (++pulls === 1) {
            fanOut.wake();
            setImmediate(() => {
              stopped = true;
              void fanOut.stop();
            });
          }
          return [];
        },
      },
      { flushIntervalMs: 5, flushSliceMs: 5, closeGraceMs: 100 },
    );
    const accepted = new Promise<void>((resolve) => {
      let n = 0;
      wss!.on('connection', (socket) => {
        fanOut.accept(socket, { id: `ws-${++n}`, path: '/ws', remoteAddress: '', connectedAt: 0, channel: null });
        if (n === 3) resolve();
      });
    });
    for (let i = 0; i < 3; i++) peers.push(new WebSocket(url));
    await accepted;
    fanOut.wake();
    await sleep(60);
    expect(stopped).toBe(true);
    expect(pullsAfterStop).toBe(0);
  });

});
