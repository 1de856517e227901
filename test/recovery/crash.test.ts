/**
 * Crash recovery and graceful shutdown of a real process: paper-child.js trades at a high order
 * rate (thousands of commands a second) with the SQLite journal and the persisted simulated venue.
 *
 * Crash: the child is killed with SIGKILL at a random (seeded) moment after its start-up recovery,
 * then started again on the same journal, 50 times. A soak runs more, with other seeds:
 *   BOURSE_CRASH_KILLS=1000 BOURSE_CRASH_SEED=7 npx vitest run test/recovery/crash.test.ts
 * After each kill:
 * - the venue never has an order the journal lacks, and never received one client order id twice;
 * - every submit journaled up to the child's recovery is at the venue (nothing lost);
 * - the state the child recovered to (positions, cash, P&L, open orders) equals a full replay of
 *   the journal (no snapshot) up to its recovery, and the venue's cash and positions.
 * A last child recovers and exits, and then every journaled submit is at the venue.
 *
 * Shutdown: a child receives SIGTERM mid-run and exits 0 (its deadline would make it exit 1) with
 * the journal flushed: everything it printed as journaled is in the file, its working orders were
 * canceled, the venue agrees with the journal, and a restart has nothing to reconcile.
 *
 * Nothing here depends on timing: the kill moment varies, the assertions hold at any moment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/core/random.js';
import { SqliteJournal } from '../../src/persistence/sqlite-journal.js';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLI, Child, ROOT, auditJournal, compileChild, type Recovered } from './child.js';

const KILLS = Number(process.env.BOURSE_CRASH_KILLS ?? 50);
const SEED = Number(process.env.BOURSE_CRASH_SEED ?? 20241124);
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'bourse-crash-'));
  dirs.push(d);
  return d;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => compileChild(), 180_000);
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The recovered state's cash and positions equal the venue account the child saw. */
function expectAccountMatches(r: Recovered): void {
  expect(r.account.cashRaw).toBe(r.state.cash);
  const positions = Object.fromEntries(r.state.positions.filter((p) => p.qtyRaw !== 0).map((p) => [p.instrumentId, p.qtyRaw]));
  expect(r.account.netQtyRaw).toEqual(positions);
}

describe('paper trading process killed with SIGKILL', () => {
  it(`recovers ${KILLS} times with no order lost or duplicated and the state equal to a replay and to the venue`, async () => {
    const db = join(tempDir(), 'journal.sqlite');
    const rng = new Random(SEED);
    const totals = { resentSubmits: 0, resentOther: 0, venueAhead: 0, ordersRestored: 0, records: 0, venueOrders: 0 };
    for (let i = 0; i < KILLS; i++) {
      const child = new Child(['--db', db, '--seed', String(SEED + i)]);
      const recovered = await child.waitFor<Recovered>('recovered');
      expect(recovered.report.reconcile.differences).toEqual([]);
      expectAccountMatches(recovered);
      // Let it trade for a random while, then kill it wherever it is.
      await sleep(rng.int(0, 80));
      child.kill('SIGKILL');
      const exit = await child.exited;
      expect(exit.signal).toBe('SIGKILL');

      const audit = await auditJournal(db, recovered.seq);
      expect(audit.unjournaled).toEqual([]);
      expect(audit.duplicates).toBe(0);
      expect(audit.lostBeforeRecovery).toEqual([]);
      expect(audit.replay.counts.invalidEvents).toBe(0);
      expect(audit.replay.counts.orphanEvents).toBe(0);
      expect(audit.replayedState).toEqual(recovered.state);

      const rc = recovered.report.reconcile;
      totals.resentSubmits += rc.resent.submit;
      totals.resentOther += rc.resent.cancel + rc.resent.modify;
      totals.venueAhead += rc.fillsApplied + rc.eventsApplied;
      totals.ordersRestored += recovered.report.ordersRestored;
      totals.records = audit.records;
      totals.venueOrders = audit.venueOrders;
    }
    // A last start: recovers, then shuts down cleanly; now every journaled submit is at the venue.
    const last = new Child(['--db', db, '--seed', String(SEED + KILLS), '--mode', 'check']);
    const recovered = await last.waitFor<Recovered>('recovered');
    expectAccountMatches(recovered);
    expect((await last.exited).code).toBe(0);
    const audit = await auditJournal(db, recovered.seq);
    expect(audit.missing).toEqual([]);
    expect(audit.unjournaled).toEqual([]);
    expect(audit.duplicates).toBe(0);
    expect(audit.replayedState).toEqual(recovered.state);
    expect(audit.venueOrders).toBeGreaterThan(KILLS * 10); // it did trade
    console.info(`crash test (seed ${SEED}): ${KILLS} kills, ${totals.records} journal records, ${totals.venueOrders} orders at the venue; at restarts: ${totals.ordersRestored} open orders restored, ${totals.resentSubmits} submits and ${totals.resentOther} cancels/amends resent, ${totals.venueAhead} fills/events taken from a venue ahead of the journal`);
  }, Math.max(170_000, KILLS * 4000));
});

describe('paper trading process stopped with SIGTERM', () => {
  it('exits 0 within its deadline with the journal flushed, orders canceled, and nothing left to reconcile', async () => {
    const db = join(tempDir(), 'journal.sqlite');
    const child = new Child(['--db', db, '--seed', '7', '--deadline', '5000']);
    await child.waitFor('recovered');
    await sleep(200); // mid-run (any moment will do)
    child.kill('SIGTERM');
    const stopped = await child.waitFor<{ event: string; code: number; lastSeq: number; durableSeq: number }>('stopped');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(stopped.code).toBe(0);
    expect(stopped.durableSeq).toBe(stopped.lastSeq);

    const store = new SqliteJournal({ path: db });
    await store.open();
    expect(await store.lastSeq()).toBe(stopped.lastSeq);
    const tail = await store.read(stopped.lastSeq - 1, 1);
    expect(tail[0]?.kind).toBe('session.stop');
    await store.close();

    const audit = await auditJournal(db, stopped.lastSeq);
    expect(audit.missing).toEqual([]);
    expect(audit.unjournaled).toEqual([]);
    expect(audit.duplicates).toBe(0);
    expect(audit.replay.orders.size).toBe(0); // working orders were canceled on the way out
    expect(audit.replay.portfolio!.cashRaw.toString()).toBe(audit.venueCashRaw);
    const positions: Record<string, number> = {};
    for (const p of audit.replay.portfolio!.allPositions()) if (p.qtyRaw !== 0) positions[p.instrument.id] = p.qtyRaw;
    expect(positions).toEqual(audit.venueNetRaw);
    expect(audit.venueOrders).toBeGreaterThan(50);

    // A restart finds nothing to fix.
    const again = new Child(['--db', db, '--seed', '8', '--mode', 'check']);
    const recovered = await again.waitFor<Recovered>('recovered');
    expect((await again.exited).code).toBe(0);
    const rc = recovered.report.reconcile;
    expect(rc.resent).toEqual({ submit: 0, cancel: 0, modify: 0 });
    expect(rc.fillsApplied + rc.eventsApplied).toBe(0);
    expect(rc.differences).toEqual([]);

    // The operator's view of the same journal.
    const bourse = (...a: string[]) => spawnSync(process.execPath, [CLI, 'journal', ...a], { cwd: ROOT, encoding: 'utf8' });
    const inspect = bourse('inspect', '--db', db, '--json');
    expect(inspect.status).toBe(0);
    const report = JSON.parse(inspect.stdout) as { lastSeq: number; records: number; byKind: Record<string, number>; openOrders: unknown[]; snapshots: number };
    expect(report.lastSeq).toBeGreaterThan(stopped.lastSeq);
    expect(report.records).toBe(report.lastSeq);
    expect(report.byKind['cmd.submit']).toBeGreaterThanOrEqual(audit.replay.counts.submits);
    expect(report.openOrders).toEqual([]);
    expect(report.snapshots).toBeGreaterThan(0);
    expect(bourse('inspect', '--db', db).stdout).toMatch(/^journal {4}sqlite .*\nrecords {4}\d+ \(last seq \d+\)\n/);
    const jsonl = join(tempDir(), 'journal.jsonl');
    expect(bourse('export', '--db', db, '--out', jsonl).status).toBe(0);
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(report.records);
    expect(JSON.parse(lines[0]!)).toMatchObject({ seq: 1, kind: 'session.start', data: { venue: 'SIM' } });
    const csv = bourse('export', '--db', db, '--format', 'csv', '--from', '2', '--to', '4');
    expect(csv.stdout.split('\n').slice(0, 1)).toEqual(['seq,ts,time,kind,data']);
    expect(csv.stdout.trim().split('\n').map((l) => l.split(',')[0])).toEqual(['seq', '2', '3', '4']);
    const missing = bourse('inspect', '--db', join(tempDir(), 'none.sqlite'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^bourse: journal: no journal at .*none\.sqlite\n$/);

    // Pruning drops what recovery no longer reads: the state, the last seq and a restart are unchanged.
    const badBefore = bourse('prune', '--db', db, '--before', 'soon');
    expect(badBefore.status).toBe(2);
    expect(badBefore.stderr).toMatch(/--before "soon" must be a non-negative integer/);
    const prune = bourse('prune', '--db', db, '--json');
    expect(prune.status).toBe(0);
    const pruned = JSON.parse(prune.stdout) as { prunedRecords: number; records: number; lastSeq: number; latestSnapshotSeq: number };
    expect(pruned.lastSeq).toBe(report.lastSeq);
    expect(pruned.prunedRecords).toBe(pruned.latestSnapshotSeq - 1);
    expect(pruned.records).toBe(report.lastSeq - pruned.latestSnapshotSeq + 1);
    const afterPrune = JSON.parse(bourse('inspect', '--db', db, '--json').stdout) as typeof report;
    const state = ({ records, byKind, snapshots, lastSnapshotSeq, ...rest }: typeof report & { lastSnapshotSeq?: number }) => rest;
    expect(state(afterPrune)).toEqual(state(report));
    expect(bourse('prune', '--db', db).stdout).toMatch(/: pruned 0 records and 0 snapshots; \d+ records remain \(last seq \d+\)/);
    const afterPruneRun = new Child(['--db', db, '--seed', '9', '--mode', 'check']);
    const recoveredAfterPrune = await afterPruneRun.waitFor<Recovered>('recovered');
    expect((await afterPruneRun.exited).code).toBe(0);
    expect(recoveredAfterPrune.report.reconcile.differences).toEqual([]);
    expect(recoveredAfterPrune.report.reconcile.resent).toEqual({ submit: 0, cancel: 0, modify: 0 });
  }, 90_000);
});
