/**
 * The JournalStore contract, run against every implementation: memory, SQLite (both writers) and
 * PostgreSQL (the real server on 127.0.0.1:5432, one schema per test). The PostgreSQL suite runs
 * whenever CI=true (and fails if the server is unreachable); elsewhere it is skipped, with a
 * message, only when the server cannot be reached.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../core/clock.js';
import { Journal, readAll, type JournalBatch, type JournalRecord, type JournalStore } from './journal.js';
import { MemoryJournalStore } from './memory-journal.js';
import { PostgresJournal } from './postgres-journal.js';
import { SqliteJournal } from './sqlite-journal.js';
import { TEST_POSTGRES_URL, postgresTestsEnabled } from './testkit.js';

const PG_URL = TEST_POSTGRES_URL;
const pgEnabled = await postgresTestsEnabled('journal contract (postgres)');

interface Harness {
  /** A new, empty, opened store. */
  create(): Promise<JournalStore>;
  /** A second instance on the same storage (after the first was closed), opened; undefined for memory. */
  reopen?(): Promise<JournalStore>;
  cleanup(): Promise<void>;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function sqliteHarness(writer: 'sync' | 'worker'): () => Harness {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'bourse-journal-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'journal.sqlite');
    const open: JournalStore[] = [];
    const make = async () => {
      const s = new SqliteJournal({ path, writer });
      await s.open();
      open.push(s);
      return s;
    };
    return { create: make, reopen: make, cleanup: async () => void (await Promise.all(open.map((s) => s.close()))) };
  };
}

let schemaNo = 0;
function postgresHarness(): Harness {
  const schema = `bourse_test_${process.pid}_${Date.now() % 1_000_000}_${schemaNo++}`;
  const open: PostgresJournal[] = [];
  const make = async () => {
    const s = new PostgresJournal({ connectionString: PG_URL, schema });
    open.push(s);
    await s.open();
    return s;
  };
  return {
    create: make,
    reopen: make,
    cleanup: async () => {
      await open[0]?.dropSchema().catch(() => undefined);
      for (const s of open) await s.close();
    },
  };
}

const IMPLEMENTATIONS: { name: string; harness: () => Harness; skip: boolean }[] = [
  { name: 'memory', harness: () => ({ create: async () => new MemoryJournalStore(), cleanup: async () => undefined }), skip: false },
  { name: 'sqlite (sync writer)', harness: sqliteHarness('sync'), skip: false },
  { name: 'sqlite (worker writer)', harness: sqliteHarness('worker'), skip: false },
  { name: 'postgres', harness: postgresHarness, skip: !pgEnabled },
];

const rec = (seq: number, kind = 'order.event', data: unknown = { n: seq, text: `r${seq}`, nested: { a: [1, 'two', null] } }): JournalRecord => ({
  seq,
  ts: 1_700_000_000_000 + seq,
  kind,
  data: JSON.stringify(data),
});
async function write(store: JournalStore, batch: JournalBatch): Promise<void> {
  await store.write(batch);
}

for (const impl of IMPLEMENTATIONS) {
  describe.skipIf(impl.skip)(`JournalStore contract: ${impl.name}`, () => {
    let h: Harness;
    const store = async (): Promise<JournalStore> => {
      h = impl.harness();
      return h.create();
    };
    afterEach(async () => {
      await h?.cleanup();
    });

    it('starts empty', async () => {
      const s = await store();
      expect(await s.lastSeq()).toBe(0);
      expect(await s.latestSnapshot()).toBeUndefined();
      expect(await s.read(0, 10)).toEqual([]);
      expect(await s.readKv('')).toEqual(new Map());
      expect(await s.stats()).toEqual({ lastSeq: 0, records: 0, byKind: {}, snapshots: 0, lastSnapshotSeq: undefined, kvKeys: 0 });
    });

    it('returns records in seq order, paged, with their data intact', async () => {
      const s = await store();
      await write(s, { records: [rec(1), rec(2), rec(3, 'cmd.submit')] });
      await write(s, { records: [rec(4), rec(5, 'risk.state', { state: 'HALTED', reason: 'daily loss "5%"\n' })] });
      expect(await s.lastSeq()).toBe(5);
      const all = await s.read(0, 100);
      expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(all.map((r) => JSON.parse(r.data))).toEqual([1, 2, 3, 4, 5].map((n) => JSON.parse(rec(n, 'x', n === 5 ? { state: 'HALTED', reason: 'daily loss "5%"\n' } : undefined).data)));
      expect(all[2]).toMatchObject({ seq: 3, ts: 1_700_000_000_003, kind: 'cmd.submit' });
      expect((await s.read(2, 2)).map((r) => r.seq)).toEqual([3, 4]);
      expect(await s.read(5, 10)).toEqual([]);
      const paged: number[] = [];
      for await (const r of readAll(s, 1, 2)) paged.push(r.seq);
      expect(paged).toEqual([2, 3, 4, 5]);
    });

    it('counts records by kind', async () => {
      const s = await store();
      await write(s, { records: [rec(1, 'a'), rec(2, 'b'), rec(3, 'a')], kv: [['k', 'v']], snapshot: { seq: 3, ts: 3, state: '{}' } });
      expect(await s.stats()).toEqual({ lastSeq: 3, records: 3, byKind: { a: 2, b: 1 }, snapshots: 1, lastSnapshotSeq: 3, kvKeys: 1 });
    });

    it('keeps the latest snapshots only, and returns the latest', async () => {
      const s = await store();
      for (let i = 1; i <= 5; i++) await write(s, { records: [rec(i)], snapshot: { seq: i, ts: 100 + i, state: JSON.stringify({ at: i }) } });
      const snap = await s.latestSnapshot();
      expect(snap).toMatchObject({ seq: 5, ts: 105 });
      expect(JSON.parse(snap!.state)).toEqual({ at: 5 });
      expect((await s.stats()).snapshots).toBe(3);
    });

    it('puts, overwrites and deletes key-value entries, read by prefix', async () => {
      const s = await store();
      await write(s, { records: [], kv: [['venue/SIM/meta', 'm1'], ['venue/SIM/order/a', 'A'], ['venue/SIM/order/b', 'B'], ['venue/OTHER/meta', 'x']] });
      await write(s, { records: [rec(1)], kv: [['venue/SIM/meta', 'm2'], ['venue/SIM/order/a', null]] });
      expect(await s.readKv('venue/SIM/')).toEqual(new Map([['venue/SIM/meta', 'm2'], ['venue/SIM/order/b', 'B']]));
      expect(await s.readKv('venue/OTHER/')).toEqual(new Map([['venue/OTHER/meta', 'x']]));
      expect(await s.lastSeq()).toBe(1);
    });

    it('writing the same batch again (a retry after an ambiguous failure) adds nothing', async () => {
      const s = await store();
      const batch: JournalBatch = { records: [rec(1), rec(2)], snapshot: { seq: 2, ts: 2, state: '{"v":1}' }, kv: [['k', 'v']] };
      await write(s, batch);
      await write(s, batch);
      const stats = await s.stats();
      expect(stats.records).toBe(2);
      expect(stats.snapshots).toBe(1);
      expect((await s.read(0, 10)).map((r) => r.seq)).toEqual([1, 2]);
    });

    it('prunes the records and snapshots before a seq and the latest snapshot; seqs continue', async () => {
      const s = await store();
      for (let i = 1; i <= 6; i++) await write(s, { records: [rec(i)], ...(i % 2 === 0 ? { snapshot: { seq: i, ts: i, state: JSON.stringify({ at: i }) } } : {}) });
      expect(await s.prune(4)).toEqual({ records: 3, snapshots: 1 });
      expect((await s.read(0, 10)).map((r) => r.seq)).toEqual([4, 5, 6]);
      expect(await s.stats()).toMatchObject({ lastSeq: 6, records: 3, snapshots: 2, lastSnapshotSeq: 6 });
      expect(JSON.parse((await s.latestSnapshot())!.state)).toEqual({ at: 6 });
      // Nothing left before 4; past the latest snapshot (6), pruning stops at it: recovery reads from there.
      expect(await s.prune(4)).toEqual({ records: 0, snapshots: 0 });
      expect(await s.prune(100)).toEqual({ records: 2, snapshots: 1 });
      expect(await s.lastSeq()).toBe(6);
      await write(s, { records: [rec(7)] });
      expect((await s.read(0, 10)).map((r) => r.seq)).toEqual([6, 7]);
    });

    it('prunes nothing from a store without a snapshot', async () => {
      const s = await store();
      expect(await s.prune(10)).toEqual({ records: 0, snapshots: 0 });
      await write(s, { records: [rec(1), rec(2), rec(3)] });
      expect(await s.prune(10)).toEqual({ records: 0, snapshots: 0 });
      expect((await s.read(0, 10)).map((r) => r.seq)).toEqual([1, 2, 3]);
    });

    it('is durable across close and reopen (and migrations run once)', async () => {
      const s = await store();
      if (!h.reopen) return; // memory: nothing outlives the process
      await write(s, { records: [rec(1), rec(2)], snapshot: { seq: 2, ts: 2, state: '{"v":2}' }, kv: [['k', 'v']] });
      await s.close();
      const again = await h.reopen();
      expect(await again.lastSeq()).toBe(2);
      expect((await again.latestSnapshot())?.state).toBe('{"v":2}');
      expect(await again.readKv('k')).toEqual(new Map([['k', 'v']]));
      await write(again, { records: [rec(3)] });
      expect((await again.read(0, 10)).map((r) => r.seq)).toEqual([1, 2, 3]);
    });

    it('backs the Journal writer: group commit, callbacks once durable, seqs continue after a restart', async () => {
      const s = await store();
      const clock = new SimulatedClock(1000);
      const journal = new Journal({ store: s, clock, lastSeq: await s.lastSeq(), snapshotEvery: 4 });
      let n = 0;
      journal.setSnapshotSource(() => ({ n }));
      const durableAt: number[] = [];
      for (let step = 0; step < 10; step++) {
        for (let i = 0; i < 3; i++) {
          n++;
          journal.append('order.event', clock.now(), { step, i });
        }
        const seqAtCommit = journal.lastSeq;
        journal.commit(() => {
          // A commit callback runs only when everything appended before the commit is durable.
          expect(journal.durableSeq).toBeGreaterThanOrEqual(seqAtCommit);
          durableAt.push(seqAtCommit);
        });
        if (!s.synchronous) expect(journal.durableSeq).toBeLessThan(seqAtCommit);
      }
      await journal.flush();
      expect(durableAt).toEqual([3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
      expect(journal.lag).toBe(0);
      expect(await s.lastSeq()).toBe(30);
      const all = await s.read(0, 100);
      expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(JSON.parse(all[29]!.data)).toEqual({ step: 9, i: 2 });
      // Asynchronous stores batch what arrives while a batch is in flight: fewer, larger batches.
      if (!s.synchronous) expect(journal.stats.batches).toBeLessThan(10);
      const snap = await s.latestSnapshot();
      expect(snap).toBeDefined();
      expect(JSON.parse(snap!.state)).toEqual({ n: snap!.seq });
      // A new writer continues after the last seq.
      const next = new Journal({ store: s, clock, lastSeq: await s.lastSeq() });
      expect(next.append('session.start', 1, {})).toBe(31);
      await next.flush();
      expect(await s.lastSeq()).toBe(31);
    });
  });
}
