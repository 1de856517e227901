/**
 * Journal benchmarks (fixed seeds), one JSON line per result:
 * - journal-write: raw store throughput by batch size — SQLite with synchronous=FULL (written on
 *   the calling thread, and by the writer thread) and PostgreSQL when reachable — and the Journal
 *   writer's group commit under a continuous stream of records.
 * - paper-journaled: a paper session's order rate with journaling on: wall clock, the simulated
 *   venue persisting its state, the SQLite journal (FULL) on its writer thread, a strategy sending
 *   a market order on every quote, quotes pushed as fast as the session takes them; orders/s
 *   counts orders that reached the venue, each journaled durably first, and filled. The same run
 *   without a journal for scale.
 * - journal-recovery: start-up recovery from a journal of 1,000,000 events with snapshots every
 *   1000 records (replay from the latest snapshot, venue state import, reconciliation), and a
 *   full replay without snapshots for comparison.
 *
 * Usage: node dist/bench/journal.js [--quick] [--only write|paper|recovery]
 *        BOURSE_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { LiveClock, SimulatedClock } from '../src/core/clock.js';
import { Money, USD } from '../src/core/money.js';
import { SyntheticMarket } from '../src/data/index.js';
import { TradingEngine } from '../src/engine/trading-engine.js';
import { SimulatedExchange } from '../src/execution/simulated-exchange.js';
import type { MarketData } from '../src/model/data.js';
import { Journal, type JournalRecord, type JournalStore } from '../src/persistence/journal.js';
import { MemoryJournalStore } from '../src/persistence/memory-journal.js';
import { openJournaledEngine } from '../src/persistence/journaled-engine.js';
import { PostgresJournal } from '../src/persistence/postgres-journal.js';
import { replayJournal } from '../src/persistence/recovery.js';
import { SqliteJournal } from '../src/persistence/sqlite-journal.js';
import { ChurnStrategy } from '../test/recovery/churn-strategy.js';
import { BENCH_SEED, EveryTickStrategy, benchInstruments, benchMarket } from './fixtures.js';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const PG_URL = process.env.BOURSE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CAPITAL = Money.of('100000000', USD);
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'bourse-bench-journal-'));
  dirs.push(d);
  return d;
};
const emit = (r: Record<string, unknown>): void => void process.stdout.write(JSON.stringify({ seed: BENCH_SEED, ...r }) + '\n');
const seconds = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;
const round = (x: number, places = 3): number => Math.round(x * 10 ** places) / 10 ** places;
const rssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** A typical order event record (~230 bytes of JSON). */
function record(seq: number): JournalRecord {
  return {
    seq,
    ts: 1_767_225_600_000 + seq,
    kind: 'order.event',
    data: `{"type":"OrderFilled","venueOrderId":"SIM-${seq}","tradeId":"SIM-T${seq}","side":"BUY","lastQty":"0.010","lastPx":"101.23","fee":"0.01","liquidity":"TAKER","clientOrderId":"churn-${seq}","instrumentId":"SYM1-USD","strategyId":"churn","ts":${1_767_225_600_000 + seq}}`,
  };
}

async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

interface StoreMaker {
  readonly name: string;
  make(): Promise<JournalStore & { dropSchema?: () => Promise<void> }>;
}

async function writeBench(): Promise<void> {
  const makers: StoreMaker[] = [
    { name: 'sqlite-sync-FULL', make: async () => new SqliteJournal({ path: join(tempDir(), 'j.sqlite'), writer: 'sync' }) },
    { name: 'sqlite-worker-FULL', make: async () => new SqliteJournal({ path: join(tempDir(), 'j.sqlite'), writer: 'worker' }) },
  ];
  if (await postgresReachable()) {
    let n = 0;
    makers.push({ name: 'postgres', make: async () => new PostgresJournal({ connectionString: PG_URL, schema: `bourse_bench_${process.pid}_${n++}` }) });
  } else emit({ bench: 'journal-write', store: 'postgres', skipped: `unreachable at ${PG_URL}` });

  for (const maker of makers) {
    // Raw store: one write (one transaction, one fsync) per batch, waited for before the next.
    for (const batch of [1, 10, 100, 1000]) {
      const store = await maker.make();
      await store.open();
      const commits = Math.min(QUICK ? 100 : 400, Math.max(20, Math.floor(200_000 / batch)));
      let seq = 0;
      const t0 = process.hrtime.bigint();
      for (let c = 0; c < commits; c++) {
        const records: JournalRecord[] = [];
        for (let i = 0; i < batch; i++) records.push(record(++seq));
        await store.write({ records });
      }
      const s = seconds(t0);
      emit({ bench: 'journal-write', store: maker.name, batch, records: seq, seconds: round(s), recordsPerSecond: Math.round(seq / s), commitsPerSecond: Math.round(commits / s) });
      await store.dropSchema?.();
      await store.close();
    }
    // The Journal writer under a continuous stream: records appended in steps of 10 and committed
    // after each step; one batch in flight, so batches grow to what the store can absorb.
    const store = await maker.make();
    await store.open();
    const journal = new Journal({ store, clock: new LiveClock(), lastSeq: 0 });
    const total = QUICK ? 100_000 : 500_000;
    const data = JSON.parse(record(1).data) as unknown;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < total; ) {
      for (let k = 0; k < 10; k++, i++) journal.append('order.event', i, data);
      journal.commit();
      if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
    }
    await journal.flush();
    const s = seconds(t0);
    const st = journal.stats;
    emit({ bench: 'journal-group-commit', store: maker.name, records: total, seconds: round(s), recordsPerSecond: Math.round(total / s), batches: st.batches, avgBatch: Math.round(total / st.batches), largestBatch: st.largestBatch });
    await store.dropSchema?.();
    await journal.close();
  }
}

/**
 * Pushes quotes through the engine as fast as it takes them, `perTask` per event-loop turn; with a
 * journal, waits whenever more than `maxLag` records are not yet durable (the sustainable rate).
 */
async function pump(engine: TradingEngine, records: readonly MarketData[], perTask: number, journal?: Journal, maxLag = 20_000): Promise<void> {
  for (let i = 0; i < records.length; ) {
    for (let k = 0; k < perTask && i < records.length; k++) engine.dispatch(records[i++]!);
    await new Promise((r) => setImmediate(r));
    while (journal && journal.lag > maxLag) await new Promise((r) => setTimeout(r, 1));
  }
}

async function paperBench(): Promise<void> {
  const instruments = benchInstruments(10);
  const quotes = QUICK ? 50_000 : 200_000;
  const records = [...new SyntheticMarket({ ...benchMarket(instruments), intervalMs: 1 }, quotes / instruments.length).records()];
  for (const journaled of [true, false]) {
    const clock = new LiveClock();
    const strategy = new EveryTickStrategy('every_tick');
    let engine: TradingEngine;
    let counted: () => { forwarded: number; records: number; batches: number; largestBatch: number };
    let finish: () => Promise<void>;
    let path: string | undefined;
    if (journaled) {
      path = join(tempDir(), 'paper.sqlite');
      const store = new SqliteJournal({ path, writer: 'worker' });
      const j = await openJournaledEngine({ clock, instruments, capital: CAPITAL, store, strategies: [strategy], snapshotEvery: 1000 });
      engine = j.engine;
      counted = () => ({ forwarded: j.wal.forwardedCount, records: j.journal.durableSeq, batches: j.journal.stats.batches, largestBatch: j.journal.stats.largestBatch });
      finish = async () => {
        await j.wal.drain();
      };
      engine.start();
      const t0 = process.hrtime.bigint();
      await pump(engine, records, 20, j.journal);
      await finish();
      const s = seconds(t0);
      const c = counted();
      const submits = (await store.stats()).byKind['cmd.submit'] ?? 0;
      const fills = (await store.stats()).byKind['order.event'] ?? 0;
      emit({
        bench: 'paper-journaled',
        journal: 'sqlite-worker-FULL',
        quotes: records.length,
        seconds: round(s),
        quotesPerSecond: Math.round(records.length / s),
        ordersPerSecond: Math.round(submits / s),
        forwardedPerSecond: Math.round(c.forwarded / s),
        orderEvents: fills,
        journalRecordsPerSecond: Math.round(c.records / s),
        batches: c.batches,
        avgBatch: Math.round(c.records / c.batches),
        largestBatch: c.largestBatch,
        journalMb: round(statSync(path).size / 1e6, 1),
        peakRssMb: rssMb(),
      });
      engine.stop();
      await j.journal.close();
    } else {
      const venue = new SimulatedExchange({ clock, instruments, startingCash: CAPITAL });
      engine = new TradingEngine({ clock, instruments, initialCapital: CAPITAL, venue, strategies: [strategy] });
      let submits = 0;
      engine.bus.subscribe('order.event', (e) => {
        if (e.type === 'OrderSubmitted') submits++;
      });
      engine.start();
      const t0 = process.hrtime.bigint();
      await pump(engine, records, 20);
      const s = seconds(t0);
      emit({ bench: 'paper-journaled', journal: 'none', quotes: records.length, seconds: round(s), quotesPerSecond: Math.round(records.length / s), ordersPerSecond: Math.round(submits / s), peakRssMb: rssMb() });
      engine.stop();
    }
  }
}

async function recoveryBench(): Promise<void> {
  const target = QUICK ? 200_000 : 1_000_000;
  const instruments = benchInstruments(10);
  const path = join(tempDir(), 'recovery.sqlite');
  // The journal is generated in memory by a real session (the churn load generator on a simulated
  // clock), then copied into the SQLite file in large batches: how it was written does not matter
  // to the reading side being measured.
  const t0 = process.hrtime.bigint();
  const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
  {
    const memory = new MemoryJournalStore();
    const strategy = new ChurnStrategy('churn', { seed: BENCH_SEED, ordersPerQuote: 1, maxSteps: 50 });
    const j = await openJournaledEngine({ clock, instruments, capital: CAPITAL, store: memory, strategies: [strategy], snapshotEvery: 1000 });
    j.engine.start();
    const market = new SyntheticMarket({ ...benchMarket(instruments), startTs: clock.now() + 100 }, 10_000_000);
    for (const r of market.records()) {
      clock.advanceTo(r.ts);
      j.engine.dispatch(r);
      if (j.journal.lastSeq >= target) break;
    }
    await j.journal.flush();
    j.engine.stop();
    const file = new SqliteJournal({ path, writer: 'sync', synchronous: 'NORMAL' });
    await file.open();
    const kv = [...(await memory.readKv(''))];
    file.write({ records: [], kv });
    for (let after = 0; ; ) {
      const page = await memory.read(after, 20_000);
      if (page.length === 0) break;
      file.write({ records: page });
      after = page[page.length - 1]!.seq;
    }
    const snap = await memory.latestSnapshot();
    if (snap) file.write({ records: [], snapshot: snap });
    await file.close();
  }
  const generated = seconds(t0);
  const store = new SqliteJournal({ path, writer: 'worker' });
  const t1 = process.hrtime.bigint();
  const j = await openJournaledEngine({ clock: new SimulatedClock(clock.now() + 1000), instruments, capital: CAPITAL, store, strategies: [], snapshotEvery: 1000 });
  const recovery = seconds(t1);
  const stats = await store.stats();
  const t2 = process.hrtime.bigint();
  const full = await replayJournal(store, { instruments, ignoreSnapshots: true });
  const fullReplay = seconds(t2);
  emit({
    bench: 'journal-recovery',
    events: j.recovery.lastSeq,
    snapshotEvery: 1000,
    snapshots: stats.snapshots,
    recoverySeconds: round(recovery),
    replayedRecords: j.recovery.replayed.records,
    ordersRestored: j.recovery.ordersRestored,
    venueOrdersRestored: j.exchange.exportState().orders.length,
    fullReplaySeconds: round(fullReplay),
    fullReplayRecordsPerSecond: Math.round(full.counts.records / fullReplay),
    journalMb: round(statSync(path).size / 1e6, 1),
    generateSeconds: round(generated),
    peakRssMb: rssMb(),
  });
  await j.journal.close();
}

try {
  if (!ONLY || ONLY === 'write') await writeBench();
  if (!ONLY || ONLY === 'paper') await paperBench();
  if (!ONLY || ONLY === 'recovery') await recoveryBench();
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
