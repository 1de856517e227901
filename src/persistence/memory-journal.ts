/**
 * MemoryJournalStore: the journal store in process memory, synchronous. For tests, benchmarks of
 * the engine side of journaling, and throw-away sessions. It passes the same contract suite as
 * the SQLite and PostgreSQL stores; `failNext` injects write failures.
 */
import type { JournalBatch, JournalPruneResult, JournalRecord, JournalSnapshot, JournalStats, JournalStore } from './journal.js';

export class MemoryJournalStore implements JournalStore {
  readonly description = 'memory';
  readonly synchronous: boolean = true;
  private records: JournalRecord[] = [];
  private snapshots: JournalSnapshot[] = [];
  private kv = new Map<string, string>();
  private failures: Error[] = [];
  private closed = false;
  private crashMode: 'before-write' | 'after-kv' | undefined;
  private crashed = false;

  /** How many snapshots are kept (older ones are dropped). */
  constructor(private readonly snapshotsKept = 3) {}

  /** Opens the store (again): a crashed store comes back with what it had written. */
  async open(): Promise<void> {
    this.closed = false;
    this.crashed = false;
    this.crashMode = undefined;
  }

  /** The next write throws `error` (once per call). */
  failNext(error: Error): void {
    this.failures.push(error);
  }

  /**
   * Simulates the process dying at the next write: 'before-write' loses the whole batch,
   * 'after-kv' keeps its key-value changes (a venue ahead of the journal) and loses its records.
   * Every later write fails too.
   */
  crash(mode: 'before-write' | 'after-kv'): void {
    this.crashMode = mode;
  }

  write(batch: JournalBatch): Promise<void> | undefined {
    if (this.closed) throw new Error('memory journal is closed');
    if (this.crashed) throw new Error('memory journal crashed (simulation)');
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (this.crashMode === 'before-write') this.crashed = true;
    if (this.crashed) throw new Error('memory journal crashed (simulation)');
    if (batch.kv) for (const [k, v] of batch.kv) v === null ? this.kv.delete(k) : this.kv.set(k, v);
    if (this.crashMode === 'after-kv') {
      this.crashed = true;
      throw new Error('memory journal crashed after the key-value changes (simulation)');
    }
    const last = this.records.length > 0 ? this.records[this.records.length - 1]!.seq : 0;
    for (const r of batch.records) {
      // Records are keyed by seq: a batch written again after an ambiguous failure adds nothing.
      if (r.seq > last) this.records.push(r);
    }
    const snap = batch.snapshot;
    if (snap && !this.snapshots.some((s) => s.seq === snap.seq)) {
      this.snapshots.push(snap);
      this.snapshots.sort((a, b) => a.seq - b.seq);
      if (this.snapshots.length > this.snapshotsKept) this.snapshots.splice(0, this.snapshots.length - this.snapshotsKept);
    }
    return undefined;
  }

  async lastSeq(): Promise<number> {
    return this.records.length > 0 ? this.records[this.records.length - 1]!.seq : 0;
  }

  async latestSnapshot(): Promise<JournalSnapshot | undefined> {
    return this.snapshots[this.snapshots.length - 1];
  }

  async read(afterSeq: number, limit: number): Promise<JournalRecord[]> {
    // Records are in seq order: binary search the first one after `afterSeq`.
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid]!.seq <= afterSeq) lo = mid + 1;
      else hi = mid;
    }
    return this.records.slice(lo, lo + limit);
  }

  async readKv(prefix: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const [k, v] of this.kv) if (k.startsWith(prefix)) out.set(k, v);
    return out;
  }

  async stats(): Promise<JournalStats> {
    const byKind: Record<string, number> = {};
    for (const r of this.records) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
    return {
      lastSeq: await this.lastSeq(),
      records: this.records.length,
      byKind,
      snapshots: this.snapshots.length,
      lastSnapshotSeq: this.snapshots[this.snapshots.length - 1]?.seq,
      kvKeys: this.kv.size,
    };
  }

  async prune(beforeSeq: number): Promise<JournalPruneResult> {
    const keepFrom = Math.min(beforeSeq, this.snapshots[this.snapshots.length - 1]?.seq ?? 0, await this.lastSeq());
    const records = this.records.length;
    const snapshots = this.snapshots.length;
    this.records = this.records.filter((r) => r.seq >= keepFrom);
    this.snapshots = this.snapshots.filter((s) => s.seq >= keepFrom);
    return { records: records - this.records.length, snapshots: snapshots - this.snapshots.length };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
