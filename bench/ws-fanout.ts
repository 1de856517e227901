/**
 * WebSocket fan-out: N real `ws` clients on loopback (default 1,000, in child processes) subscribed
 * to every channel while the engine runs a 10-instrument synthetic market (SyntheticMarket, fixed
 * seed) at 1,000 quotes/s paced on the wall clock (LiveClock time stamps), with a strategy that
 * signals and trades on every Nth quote. Reports delivered
 * messages/s (and frames/s: a frame may batch messages), the p50/p99 delivery delay (receive time
 * minus the engine time `ts` carried by each update — stricter than a send stamp, as it includes
 * queueing and coalescing), sequence gaps seen by the clients, the event-loop delay, and the
 * engine's tick-to-order latency without clients and with them.
 *
 * Clients scan each frame for the envelope fields (`"type":..,"channel":..,"seq":..,["prev":..,]"ts":..`)
 * instead of JSON-parsing it, to leave as much CPU as possible to the server on the same machine;
 * a gap is an update that does not follow the last message of its channel (protocol.ts).
 *
 * Usage: node dist/bench/ws-fanout.js [clients=1000] [seconds=30] [flushMs=10] [orderEveryN=10] [writers=0]
 * (orderEveryN=10: 100 orders/s, each with a signal, three order events, a fill and P&L updates;
 * writers: processes that own the client sockets, 0 = the server's own process — the best here,
 * where the clients share the server's 2 cores: writers take the CPU the clients need to read).
 *
 * The tick-to-order p99 comes with a 95 % confidence range (distribution-free, from the ranks of
 * the order statistics), and so does the ratio loaded/idle. The orders of one step come in a burst
 * (every instrument's Nth quote), and the first of a burst runs the order path cold — about 20×
 * slower than the rest —, so that a tenth of the samples are cold ones and the p99 lies in their
 * tail: 1,000 samples (10 s) give ratios anywhere between 0.7 and 2; 3,000 (30 s) are needed for a
 * range narrow enough to decide on.
 * Listens on 127.0.0.1 only; bounded in time (the run aborts after twice the phases plus 60 s).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { MarketData, QuoteTick } from '../src/model/data.js';
import type { Order } from '../src/model/order.js';
import { percentile, percentileRange } from './order-statistics.js';

// The engine and server modules are imported inside main(): client workers (this same file, forked)
// then load nothing but `ws`, and start in milliseconds.
const TOKEN = 'bench-token-0123456789abcdef0123456789';
const MAX_DELAY_MS = 60_000;

// ---- client worker ----------------------------------------------------------------------------

type ToWorker = { cmd: 'start' } | { cmd: 'stop' };
type FromWorker =
  | { kind: 'ready'; connected: number; failed: number }
  | { kind: 'report'; messages: number; frames: number; gaps: number; closed: number; hist: [number, number][] };

async function runWorker(url: string, count: number, channels: readonly string[]): Promise<void> {
  const send = (m: FromWorker) => process.send!(m);
  const hist = new Uint32Array(MAX_DELAY_MS + 1);
  let measuring = false;
  let messages = 0;
  let frames = 0;
  let gaps = 0;
  let closed = 0;
  let failed = 0;
  const sockets: WebSocket[] = [];
  const envelope = /"type":"(\w+)","channel":"(\w+)","seq":(\d+),(?:"prev":(\d+),)?"ts":(\d+)/g;

  const open = (): Promise<void> =>
    new Promise((resolve) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` }, perMessageDeflate: false });
      const lastSeq = new Map<string, number>();
      let snapshots = 0;
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        const now = Date.now();
        if (measuring) frames++;
        envelope.lastIndex = 0;
        for (let m = envelope.exec(text); m !== null; m = envelope.exec(text)) {
          const snapshot = m[1] === 'snapshot';
          const channel = m[2]!;
          const seq = Number(m[3]);
          const last = lastSeq.get(channel);
          if (snapshot) snapshots++;
          else if (last !== undefined && (m[4] === undefined ? seq - 1 : Number(m[4])) !== last) gaps++;
          lastSeq.set(channel, seq);
          if (!measuring || snapshot) continue;
          messages++;
          hist[Math.min(MAX_DELAY_MS, Math.max(0, now - Number(m[5])))]!++;
        }
        if (snapshots === channels.length) {
          snapshots++;
          resolve();
        }
      });
      ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', channels })));
      ws.on('close', () => closed++);
      ws.on('error', () => {
        failed++;
        resolve();
      });
      sockets.push(ws);
    });

  const t0 = Date.now();
  for (let i = 0; i < count; i += 25) await Promise.all(Array.from({ length: Math.min(25, count - i) }, open));
  if (process.env.BENCH_DEBUG) process.stderr.write(`worker connected ${count} in ${Date.now() - t0} ms\n`);
  send({ kind: 'ready', connected: count - failed, failed });
  process.on('message', (msg: ToWorker) => {
    if (msg.cmd === 'start') {
      measuring = true;
      return;
    }
    measuring = false;
    const nonZero: [number, number][] = [];
    hist.forEach((n, ms) => n > 0 && nonZero.push([ms, n]));
    send({ kind: 'report', messages, frames, gaps, closed, hist: nonZero });
    for (const s of sockets) s.terminate();
    setTimeout(() => process.exit(0), 100);
  });
}

// ---- the engine side --------------------------------------------------------------------------

interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

interface TickToOrder extends Percentiles {
  /** 95 % confidence range of the p99. */
  p99Range: [number, number];
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const [{ LiveClock }, { Money, USD }, { SyntheticMarket }, { TradingEngine }, { SimulatedExchange }, { attachRiskEngine }, { buildServer }, { CHANNELS }, { Strategy }, { BENCH_SEED, benchInstruments, benchMarket }] = await Promise.all([
    import('../src/core/clock.js'),
    import('../src/core/money.js'),
    import('../src/data/index.js'),
    import('../src/engine/trading-engine.js'),
    import('../src/execution/simulated-exchange.js'),
    import('../src/risk/attach.js'),
    import('../src/server/app.js'),
    import('../src/server/protocol.js'),
    import('../src/strategy/strategy.js'),
    import('./fixtures.js'),
  ]);

  /** The simulated exchange, stamping when each order reaches the port. */
  class StampingExchange extends SimulatedExchange {
    lastSubmitAt = 0n;
    override submit(order: Readonly<Order>): void {
      this.lastSubmitAt = process.hrtime.bigint();
      super.submit(order);
    }
  }

  /** Signals and sends a market order on every Nth quote of each instrument, alternating sides. */
  class EveryNthStrategy extends Strategy {
    private readonly seen = new Map<string, number>();
    constructor(
      id: string,
      private readonly every: number,
    ) {
      super(id);
    }

    override onQuote(q: QuoteTick): void {
      const n = (this.seen.get(q.instrumentId) ?? 0) + 1;
      this.seen.set(q.instrumentId, n);
      if (n % this.every !== 0) return;
      const inst = this.instrument(q.instrumentId);
      const long = this.positionRaw(q.instrumentId) > 0;
      this.signal({ instrumentId: q.instrumentId, signalType: 'every_nth', direction: long ? 'FLAT' : 'LONG', strength: 1, confidence: 0.5, reason: `quote ${n}` });
      this.market(q.instrumentId, long ? 'SELL' : 'BUY', inst.quantity('0.01'));
    }
  }

  const clients = Number(process.argv[2] ?? 1000);
  const seconds = Number(process.argv[3] ?? 30);
  const flushMs = Number(process.argv[4] ?? 10);
  const every = Number(process.argv[5] ?? 10);
  const writers = Number(process.argv[6] ?? 0);
  const abort = setTimeout(() => {
    process.stderr.write(`ws-fanout: aborted after ${2 * seconds + 60} s\n`);
    process.exit(2);
  }, (2 * seconds + 60) * 1000);
  abort.unref();

  const instruments = benchInstruments(10);
  const clock = new LiveClock();
  const capital = Money.of('1000000000', USD);
  const venue = new StampingExchange({ clock, instruments, startingCash: capital });
  const engine = new TradingEngine({ clock, instruments, initialCapital: capital, venue, strategies: [new EveryNthStrategy('every_nth-1', every)], pnlIntervalMs: 1000 });
  const risk = attachRiskEngine(engine, { maxOrdersPerSecond: 100_000 });
  const server = buildServer({ engine, risk, token: TOKEN, ws: { flushIntervalMs: flushMs, maxClients: clients + 10, writers } });
  await server.start({ host: '127.0.0.1', port: 0 });
  // 100 steps/s of 10 quotes, paced on the wall clock (catching up if a timer fires late), stamped now.
  const records = new SyntheticMarket({ ...benchMarket(instruments), intervalMs: 10, tradeProbability: 0 }, 10_000_000).records();

  let sampling = false;
  let quotes = 0;
  const latencies: number[] = [];
  const dispatchTimes: number[] = [];
  engine.start();
  const dispatch = (record: MarketData): void => {
    const t0 = process.hrtime.bigint();
    engine.dispatch(record);
    if (!sampling) return;
    const t1 = process.hrtime.bigint();
    quotes++;
    dispatchTimes.push(Number(t1 - t0) / 1000);
    if (venue.lastSubmitAt > t0) latencies.push(Number(venue.lastSubmitAt - t0) / 1000);
  };
  const feedStart = Date.now();
  let steps = 0;
  const feed = setInterval(() => {
    const due = Math.floor((Date.now() - feedStart) / 10);
    for (; steps < due; steps++) {
      const ts = clock.now();
      for (let i = 0; i < instruments.length; i++) dispatch({ ...(records.next().value as QuoteTick), ts });
    }
  }, 2);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const phase = async (ms: number) => {
    latencies.length = 0;
    dispatchTimes.length = 0;
    quotes = 0;
    loop.reset();
    sampling = true;
    const t = Date.now();
    await sleep(ms);
    sampling = false;
    const elapsed = (Date.now() - t) / 1000;
    const sorted = Float64Array.from(latencies).sort();
    const [lo, hi] = percentileRange(sorted, 99);
    const tto: TickToOrder = { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), p99Range: [round(lo), round(hi)], max: round(sorted[sorted.length - 1] ?? NaN) };
    const disp = Float64Array.from(dispatchTimes).sort();
    const dispatchUs: Percentiles = { p50: round(percentile(disp, 50)), p99: round(percentile(disp, 99)), max: round(disp[disp.length - 1] ?? NaN) };
    const eld: Percentiles = { p50: round(loop.percentile(50) / 1e6), p99: round(loop.percentile(99) / 1e6), max: round(loop.max / 1e6) };
    return { elapsed, quotesPerS: round(quotes / elapsed, 0), orders: sorted.length, tickToOrderUs: tto, dispatchUs, eventLoopDelayMs: eld };
  };

  await sleep(5000); // JIT warm-up, so that the baseline is not measured cold
  const baseline = await phase(seconds * 1000);

  // Clients in child processes (4 workers), so their parsing does not run on the server's thread.
  const url = `${server.url()!.replace('http', 'ws')}/ws`;
  const workers: ChildProcess[] = [];
  const nWorkers = Math.min(4, clients);
  const connectStart = Date.now();
  const ready = await Promise.all(
    Array.from({ length: nWorkers }, (_, i) => {
      const n = Math.floor(clients / nWorkers) + (i < clients % nWorkers ? 1 : 0);
      const w = fork(fileURLToPath(import.meta.url), ['--client', url, String(n), CHANNELS.join(',')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      // Dashboard clients run on other machines in production: here they share this one, at the
      // lowest priority, so that they do not preempt the engine in the middle of a tick.
      if (w.pid !== undefined) setPriority(w.pid, 19);
      workers.push(w);
      return new Promise<Extract<FromWorker, { kind: 'ready' }>>((resolve) => w.on('message', (m: FromWorker) => m.kind === 'ready' && resolve(m)));
    }),
  );
  const connectS = (Date.now() - connectStart) / 1000;
  const connected = ready.reduce((s, r) => s + r.connected, 0);

  await sleep(2000);
  const sentBefore = await server.hub.stats();
  const reports = workers.map((w) => new Promise<Extract<FromWorker, { kind: 'report' }>>((resolve) => w.on('message', (m: FromWorker) => m.kind === 'report' && resolve(m))));
  for (const w of workers) w.send({ cmd: 'start' } satisfies ToWorker);
  const loaded = await phase(seconds * 1000);
  for (const w of workers) w.send({ cmd: 'stop' } satisfies ToWorker);
  const sentAfter = await server.hub.stats();
  const got = await Promise.all(reports);

  const hist = new Float64Array(MAX_DELAY_MS + 1);
  for (const r of got) for (const [ms, n] of r.hist) hist[ms]! += n;
  const total = hist.reduce((a, b) => a + b, 0);
  const delayPct = (p: number) => {
    let acc = 0;
    for (let ms = 0; ms < hist.length; ms++) {
      acc += hist[ms]!;
      if (acc >= (p / 100) * total) return ms;
    }
    return NaN;
  };
  const messages = got.reduce((s, r) => s + r.messages, 0);
  const frames = got.reduce((s, r) => s + r.frames, 0);
  const result = {
    bench: 'ws-fanout',
    seed: BENCH_SEED,
    clients: connected,
    connectS: round(connectS),
    seconds: loaded.elapsed,
    flushIntervalMs: flushMs,
    writers,
    quotesPerS: loaded.quotesPerS,
    deliveredMessagesPerS: round(messages / loaded.elapsed, 0),
    deliveredFramesPerS: round(frames / loaded.elapsed, 0),
    serverMessagesPerS: round((sentAfter.messagesSent - sentBefore.messagesSent) / loaded.elapsed, 0),
    /** Frames written as the bytes already rendered for another client in the same state (SharedFrames). */
    framesSharedPct: round((100 * (sentAfter.framesShared - sentBefore.framesShared)) / Math.max(1, sentAfter.framesSent - sentBefore.framesSent), 1),
    deliveryDelayMs: { p50: delayPct(50), p99: delayPct(99), max: delayPct(100) },
    sequenceGaps: got.reduce((s, r) => s + r.gaps, 0),
    droppedClients: sentAfter.dropped,
    eventLoopDelayMs: { withoutClients: baseline.eventLoopDelayMs, withClients: loaded.eventLoopDelayMs },
    tickToOrderUs: {
      withoutClients: baseline.tickToOrderUs,
      withClients: loaded.tickToOrderUs,
      p99Ratio: round(loaded.tickToOrderUs.p99 / baseline.tickToOrderUs.p99),
      /** The ratio's 95 % range: each side's p99 range, worst against best. */
      p99RatioRange: [round(loaded.tickToOrderUs.p99Range[0] / baseline.tickToOrderUs.p99Range[1]), round(loaded.tickToOrderUs.p99Range[1] / baseline.tickToOrderUs.p99Range[0])],
    },
    /** Time of every engine.dispatch (all quotes, not only those that order): the engine's per-tick cost. */
    dispatchUs: { withoutClients: baseline.dispatchUs, withClients: loaded.dispatchUs, p99Ratio: round(loaded.dispatchUs.p99 / baseline.dispatchUs.p99) },
    orders: { withoutClients: baseline.orders, withClients: loaded.orders },
  };
  process.stdout.write(JSON.stringify(result) + '\n');

  clearInterval(feed);
  engine.stop();
  clock.cancelAll();
  await server.stop();
  for (const w of workers) w.kill();
  process.exit(0);
}

if (process.argv[2] === '--client') {
  void runWorker(process.argv[3]!, Number(process.argv[4]), process.argv[5]!.split(','));
} else if (process.argv[1]?.endsWith('ws-fanout.js')) {
  void main();
}
