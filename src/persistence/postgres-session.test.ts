/**
 * A journaled session on PostgreSQL, where every commit is asynchronous: commands reach the venue
 * only once their batch is committed, and a session cut off at any point (the store closed under
 * it) recovers with nothing lost or duplicated and its state equal to the venue and a full replay.
 * Runs whenever CI=true; elsewhere skipped (with a message) only when the server is unreachable.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Random } from '../core/random.js';
import { PostgresJournal } from './postgres-journal.js';
import { replayJournal } from './recovery.js';
import { INSTRUMENTS, T0, marketRecords, openRig, postgresTestsEnabled, stateSummary, TEST_POSTGRES_URL } from './testkit.js';

const enabled = await postgresTestsEnabled('journaled session on PostgreSQL');
const schema = `bourse_session_test_${process.pid}_${Date.now() % 1_000_000}`;
const stores: PostgresJournal[] = [];
const store = (): PostgresJournal => {
  const s = new PostgresJournal({ connectionString: TEST_POSTGRES_URL, schema });
  stores.push(s);
  return s;
};

afterAll(async () => {
  if (!enabled) return;
  const s = store();
  await s.dropSchema();
  for (const x of stores) await x.close();
});

describe.skipIf(!enabled)('journaled session on PostgreSQL', () => {
  it('forwards only committed commands, and recovers from cuts with nothing lost or duplicated', async () => {
    const rng = new Random(31);
    let ts = T0;
    for (let cycle = 0; cycle < 5; cycle++) {
      const s = store();
      const rig = await openRig(s, { seed: 50 + cycle, startTs: ts, snapshotEvery: 40 });
      // Nothing lost or duplicated; the state equals the venue and a full replay.
      const full = await replayJournal(s, { instruments: INSTRUMENTS, ignoreSnapshots: true, collectSubmits: true });
      const venue = rig.exchange.exportState();
      const atVenue = new Set(venue.orders.map((o) => o.clientOrderId));
      expect([...full.submitted!].filter((id) => !atVenue.has(id))).toEqual([]);
      expect([...atVenue].filter((id) => !full.submitted!.has(id))).toEqual([]);
      expect(venue.meta.nextOrderNo - 1).toBe(venue.orders.length);
      const account = rig.exchange.queryAccount();
      expect(rig.engine.portfolio.cashRaw).toBe(account.cash.raw);
      const marks = rig.exchange.marks();
      expect(stateSummary(full.portfolio!, full.orders.values(), marks)).toEqual(stateSummary(rig.engine.portfolio, rig.engine.execution.allOrders(), marks));

      const records = marketRecords(500 + cycle, 80, ts + 1000);
      const cut = rng.int(5, 70);
      let sent = 0;
      for (let i = 0; i < cut; i++) {
        const forwarded = rig.wal.forwardedCount;
        const before = rig.strategy.sent;
        rig.clock.advanceTo(records[i]!.ts);
        rig.engine.dispatch(records[i]!);
        sent += rig.strategy.sent - before;
        // A commit is asynchronous: nothing the step sent can have reached the venue yet.
        expect(rig.wal.forwardedCount).toBe(forwarded);
        if (i % 3 !== 0) await rig.journal.flush();
      }
      expect(sent).toBeGreaterThan(0);
      // The cut: what is committed stays; the rest of the process is gone.
      await s.close();
      ts = records[records.length - 1]!.ts;
    }
  }, 60_000);
});
