/**
 * The journal: an append-only log of every command sent to a venue and every event that changes
 * state (orders, order events and fills, risk state, alerts, adjustments), with periodic snapshots
 * of the engine's state so that recovery replays a bounded tail, and a small key-value area where
 * a simulated venue keeps its own state.
 *
 * Two layers live here:
 * - `JournalStore`, the storage port, implemented by SQLite (sqlite-journal.ts), PostgreSQL
 *   (postgres-journal.ts) and memory (memory-journal.ts); all pass journal.contract.test.ts.
 * - `Journal`, the writer the engine uses: records are appended synchronously (numbered, JSON
 *   serialized at once) and committed in batches, one batch in flight at a time ("group commit"):
 *   everything appended while a batch is being made durable goes into the next one. `commit(then)`
 *   runs `then` once everything appended so far is durable — synchronously for a synchronous
 *   store, later for an asynchronous one. That is what the write-ahead client builds on: a command
 *   reaches the venue only from such a callback.
 *
 * Records appended and never explicitly committed are committed at the end of the current
 * macrotask (a microtask), so nothing waits for a next engine step to become durable.
 */
import type { Clock } from '../core/clock.js';
import { bigintReplacer } from '../engine/event-log.js';
import { classifyError, type ErrorClass } from '../infra/retry.js';

/** One journal record. `data` is JSON text. */
export interface JournalRecord {
  readonly seq: number;
  /** Clock time of what the record describes (epoch ms). */
  readonly ts: number;
  readonly kind: string;
  readonly data: string;
}

/** The engine's state after record `seq` (JSON text). */
export interface JournalSnapshot {
  readonly seq: number;
  readonly ts: number;
  readonly state: string;
}

/** A change to the key-value area: a value, or null to delete the key. */
export type KvChange = readonly [key: string, value: string | null];

/**
 * What one commit writes. The key-value changes (a simulated venue's own state) are written in
 * their own transaction before the records' one: like a remote venue, they may survive a crash
 * that the records do not.
 */
export interface JournalBatch {
  readonly records: readonly JournalRecord[];
  readonly snapshot?: JournalSnapshot | undefined;
  readonly kv?: readonly KvChange[] | undefined;
}

export interface JournalStats {
  readonly lastSeq: number;
  readonly records: number;
  readonly byKind: Readonly<Record<string, number>>;
  readonly snapshots: number;
  readonly lastSnapshotSeq: number | undefined;
  readonly kvKeys: number;
}

/** What JournalStore.prune deleted. */
export interface JournalPruneResult {
  readonly records: number;
  readonly snapshots: number;
}

/** The storage port. One process writes a journal at a time. */
export interface JournalStore {
  /** For messages and `journal inspect`, e.g. "sqlite ./data/bourse.sqlite". */
  readonly description: string;
  /** True when write() is durable on return (it then returns undefined). */
  readonly synchronous: boolean;
  /** Opens the store and runs pending schema migrations. Throws when the store cannot be reached. */
  open(): Promise<void>;
  /**
   * Writes one batch atomically (key-value changes first, in their own transaction). Returns
   * undefined once durable (synchronous stores) or a promise resolved once durable. Writing a
   * batch again after an ambiguous failure is harmless: records and snapshots are keyed by seq.
   */
  write(batch: JournalBatch): Promise<void> | undefined;
  /** The highest seq written (0 when empty). */
  lastSeq(): Promise<number>;
  latestSnapshot(): Promise<JournalSnapshot | undefined>;
  /** Up to `limit` records with seq > afterSeq, in seq order. */
  read(afterSeq: number, limit: number): Promise<JournalRecord[]>;
  /** Every key-value entry whose key starts with `prefix`. */
  readKv(prefix: string): Promise<Map<string, string>>;
  stats(): Promise<JournalStats>;
  /**
   * Deletes, in one transaction, the records and snapshots with seq below beforeSeq and below the
   * latest snapshot's: what recovery, which starts from the latest snapshot, no longer reads. So a
   * pruned journal recovers as before, keeps its last seq (new records number on from it), and
   * without a snapshot loses nothing. What is pruned is gone: export it first to keep it.
   */
  prune(beforeSeq: number): Promise<JournalPruneResult>;
  close(): Promise<void>;
}

/** Record kinds, in one place. */
export const RecordKind = {
  /** A session started: its instruments and capital (enough to replay the journal alone). */
  sessionStart: 'session.start',
  sessionStop: 'session.stop',
  /** Recovery and reconciliation finished; `data` is the report (with the marks it used). */
  recovered: 'recovery.done',
  submit: 'cmd.submit',
  cancel: 'cmd.cancel',
  modify: 'cmd.modify',
  orderCreated: 'order.created',
  orderEvent: 'order.event',
  riskState: 'risk.state',
  /** The equity bases of the daily-loss and drawdown limits moved (RiskBaselines). */
  riskBaselines: 'risk.baselines',
  riskAlert: 'risk.alert',
  /** The portfolio adopted the venue's cash or positions at reconciliation (replayed as is). */
  portfolioAdjust: 'portfolio.adjust',
} as const;

/** Iterates every record with seq > afterSeq (in pages). */
export async function* readAll(store: JournalStore, afterSeq = 0, pageSize = 10_000): AsyncGenerator<JournalRecord> {
  let after = afterSeq;
  for (;;) {
    const page = await store.read(after, pageSize);
    for (const r of page) yield r;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.seq;
  }
}

/** The journal is faulted: a write failed in a way retrying cannot fix. */
export class JournalFaultedError extends Error {
  override readonly name = 'JournalFaultedError';
}

export interface JournalOptions {
  store: JournalStore;
  clock: Clock;
  /** The highest seq already in the store: new records continue after it. */
  lastSeq: number;
  /** Records between snapshots (0 = no snapshots). */
  snapshotEvery?: number;
  /** Called on every failed write with its class; retryable ones are retried with backoff. */
  onError?: (error: unknown, errorClass: ErrorClass) => void;
  /** Backoff between retries of a failed write (default 50 ms doubling up to 5 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Most records in one batch (default 10,000): a backlog is written in several, in order. */
  maxBatch?: number;
}

interface Waiter {
  readonly ok: () => void;
  readonly fail: ((error: Error) => void) | undefined;
}

interface PendingBatch {
  readonly body: JournalBatch;
  readonly waiters: readonly Waiter[];
  readonly lastSeq: number;
}

export interface JournalWriterStats {
  readonly appended: number;
  readonly durableSeq: number;
  readonly batches: number;
  readonly largestBatch: number;
  readonly snapshots: number;
  readonly failures: number;
  readonly faulted: boolean;
  /** Records dropped because the journal was faulted. */
  readonly dropped: number;
}

export class Journal {
  readonly store: JournalStore;
  private readonly clock: Clock;
  private readonly snapshotEvery: number;
  private readonly onError: (error: unknown, errorClass: ErrorClass) => void;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly maxBatch: number;
  private seq: number;
  private durable: number;
  private pending: JournalRecord[] = [];
  private waiters: Waiter[] = [];
  private inFlight = false;
  private sending = false;
  private scheduled = false;
  private sinceSnapshot = 0;
  private failed: PendingBatch | undefined;
  private failures = 0;
  private dropped = 0;
  private retryTimer: { id: number } | undefined;
  private faulted: Error | undefined;
  private snapshotSource: (() => unknown) | undefined;
  private kvSource: (() => readonly KvChange[] | undefined) | undefined;
  private counters = { batches: 0, largestBatch: 0, snapshots: 0 };

  constructor(opts: JournalOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.seq = opts.lastSeq;
    this.durable = opts.lastSeq;
    this.snapshotEvery = opts.snapshotEvery ?? 0;
    this.onError = opts.onError ?? (() => undefined);
    this.retryBaseMs = opts.retryBaseMs ?? 50;
    this.retryMaxMs = opts.retryMaxMs ?? 5000;
    this.maxBatch = opts.maxBatch ?? 10_000;
  }

  /** The seq of the last record appended. */
  get lastSeq(): number {
    return this.seq;
  }

  /** The seq of the last record known durable. */
  get durableSeq(): number {
    return this.durable;
  }

  /** True when the store writes synchronously: commit callbacks run before commit() returns. */
  get synchronous(): boolean {
    return this.store.synchronous;
  }

  /** Records appended but not yet durable. */
  get lag(): number {
    return this.seq - this.durable;
  }

  get isFaulted(): boolean {
    return this.faulted !== undefined;
  }

  get stats(): JournalWriterStats {
    return { appended: this.seq, durableSeq: this.durable, ...this.counters, failures: this.failures, faulted: this.faulted !== undefined, dropped: this.dropped };
  }

  /** The state written as a snapshot every `snapshotEvery` records (called between engine steps). */
  setSnapshotSource(source: () => unknown): void {
    this.snapshotSource = source;
  }

  /** Key-value changes to write with each batch, before its records (a simulated venue's state). */
  setKvSource(source: () => readonly KvChange[] | undefined): void {
    this.kvSource = source;
  }

  /**
   * Appends a record (serialized now, so later changes to `data` do not leak in) and returns its
   * seq. It becomes durable with the next commit. Once the journal is faulted, records are
   * dropped (counted in stats.dropped, seq 0 returned): the fault was reported through onError,
   * commands are no longer forwarded, and what the venue does meanwhile is recovered from it at
   * the next start.
   */
  append(kind: string, ts: number, data: unknown): number {
    if (this.faulted) {
      this.dropped++;
      return 0;
    }
    const seq = ++this.seq;
    this.pending.push({ seq, ts, kind, data: JSON.stringify(data, bigintReplacer) });
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.autoCommit);
    }
    return seq;
  }

  /**
   * Commits everything appended so far; `then` runs once it is durable (before commit returns
   * with a synchronous store). With a batch already in flight, the records wait for it and go
   * in the next one.
   */
  commit(then?: () => void): void {
    if (then) this.waiters.push({ ok: then, fail: undefined });
    this.send();
  }

  /** Resolves once everything appended so far is durable; rejects if the journal faults first. */
  flush(): Promise<void> {
    if (this.faulted) return Promise.reject(this.faulted);
    if (this.pending.length === 0 && this.durable === this.seq && !this.inFlight && !this.failed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ ok: resolve, fail: reject });
      this.send();
    });
  }

  /** Flushes, then closes the store. */
  async close(): Promise<void> {
    try {
      if (!this.faulted) await this.flush();
    } finally {
      if (this.retryTimer) this.clock.cancelTimer(this.retryTimer);
      await this.store.close();
    }
  }

  private readonly autoCommit = (): void => {
    this.scheduled = false;
    this.send();
  };

  private send(): void {
    if (this.sending || this.inFlight || this.retryTimer || this.faulted) return;
    this.sending = true;
    try {
      for (;;) {
        const batch = this.failed ?? this.cut();
        if (!batch) return;
        let result: Promise<void> | undefined;
        try {
          result = this.store.write(batch.body);
        } catch (error) {
          this.fail(batch, error);
          return;
        }
        if (result === undefined) {
          this.settle(batch);
          continue;
        }
        this.inFlight = true;
        result.then(
          () => {
            this.inFlight = false;
            this.settle(batch);
            this.send();
          },
          (error: unknown) => {
            this.inFlight = false;
            this.fail(batch, error);
          },
        );
        return;
      }
    } finally {
      this.sending = false;
    }
  }

  /**
   * Takes everything pending into a batch, with the key-value changes and a snapshot when one is
   * due; undefined when there are no records. Key-value changes alone do not make a batch: they
   * ride with the next records (a venue's state changes with an event, except for commands it
   * has only queued, which then stay as "not received" until the next batch).
   */
  private cut(): PendingBatch | undefined {
    const records = this.pending;
    const waiters = this.waiters;
    if (records.length === 0) {
      // Nothing to write: everything appended before is already durable (no batch is in flight).
      if (waiters.length === 0) return undefined;
      this.waiters = [];
      for (const w of waiters) w.ok();
      return this.pending.length > 0 || this.waiters.length > 0 ? this.cut() : undefined;
    }
    const kv = this.kvSource?.();
    if (records.length > this.maxBatch) {
      // A backlog: this batch takes the oldest records; the waiters (and any snapshot, which
      // describes the state after the newest record) go with the batch that ends it.
      const head = records.slice(0, this.maxBatch);
      this.pending = records.slice(this.maxBatch);
      this.sinceSnapshot += head.length;
      this.counters.batches++;
      this.counters.largestBatch = Math.max(this.counters.largestBatch, head.length);
      return { body: { records: head, kv }, waiters: [], lastSeq: head[head.length - 1]!.seq };
    }
    this.pending = [];
    this.waiters = [];
    let snapshot: JournalSnapshot | undefined;
    this.sinceSnapshot += records.length;
    if (this.snapshotEvery > 0 && this.snapshotSource && this.sinceSnapshot >= this.snapshotEvery) {
      snapshot = { seq: this.seq, ts: this.clock.now(), state: JSON.stringify(this.snapshotSource(), bigintReplacer) };
      this.sinceSnapshot = 0;
      this.counters.snapshots++;
    }
    this.counters.batches++;
    if (records.length > this.counters.largestBatch) this.counters.largestBatch = records.length;
    return { body: { records, snapshot, kv }, waiters, lastSeq: this.seq };
  }

  private settle(batch: PendingBatch): void {
    this.failed = undefined;
    this.failures = 0;
    if (batch.lastSeq > this.durable) this.durable = batch.lastSeq;
    for (const w of batch.waiters) w.ok();
  }

  private fail(batch: PendingBatch, error: unknown): void {
    const errorClass = classifyError(error);
    this.onError(error, errorClass);
    this.failed = batch;
    this.failures++;
    if (errorClass !== 'retryable') {
      // Nothing appended after this point may be acted on: commands wait in the write-ahead
      // client for ever rather than reach a venue unjournaled.
      this.faulted = error instanceof Error ? error : new Error(String(error));
      const fault = new JournalFaultedError(`journal write failed: ${this.faulted.message}`, { cause: this.faulted });
      for (const w of [...batch.waiters, ...this.waiters]) w.fail?.(fault);
      this.waiters = [];
      return;
    }
    const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(20, this.failures - 1));
    this.retryTimer = this.clock.setTimer(this.clock.now() + delay, () => {
      this.retryTimer = undefined;
      this.send();
    });
  }
}
