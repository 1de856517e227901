/**
 * SqliteJournal: the embedded journal store (better-sqlite3), the default. One database file in
 * WAL mode with synchronous=FULL: a commit is on disk when it returns. Tables: `journal` (the
 * records), `snapshots` (the last few), `kv` (a simulated venue's own state) and
 * `schema_migrations` (migrations run at open).
 *
 * Two ways to write:
 * - 'sync' (default): on the calling thread; write() is durable on return. Simple and exact, but
 *   every commit blocks the event loop for an fsync (milliseconds on many disks).
 * - 'worker': a worker thread owns a second connection and writes; write() returns a promise
 *   resolved once durable. The event loop never waits for the disk and batches grow with the load
 *   (group commit), which is what lets a paper session journal thousands of orders per second.
 * Reads always use the calling thread's connection (WAL readers do not block the writer).
 *
 * The key-value changes of a batch are committed before its records, in their own transaction
 * with synchronous=NORMAL: the records' FULL commit right after it syncs the write-ahead log
 * that holds both, so the pair costs one fsync and a crash can still separate them.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { JournalBatch, JournalPruneResult, JournalRecord, JournalSnapshot, JournalStats, JournalStore } from './journal.js';

export interface SqliteJournalOptions {
  path: string;
  /** Where writes happen (see the module comment). Default 'sync'. */
  writer?: 'sync' | 'worker';
  /** PRAGMA synchronous of the records' commits. FULL (default) is what the journal promises; NORMAL only for generating benchmark data. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Snapshots kept (older ones are deleted as new ones arrive). Default 3. */
  snapshotsKept?: number;
  /** Open an existing journal for reading only (inspect, export). */
  readonly?: boolean;
}

/** Schema migrations, applied in order at open; each runs once, recorded in schema_migrations. */
export const SQLITE_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'journal, snapshots and key-value tables',
    sql: `
      CREATE TABLE journal (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL);
      CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, state TEXT NOT NULL);
      CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];

type Db = Database.Database;

/**
 * Builds the batch writer for a connection. Self-contained on purpose (no imports, no outer
 * variables): the worker thread runs this very function, from its source text.
 */
function createSqliteWriter(db: Db, synchronous: string, snapshotsKept: number): (batch: JournalBatch) => void {
  const insertRecord = db.prepare('INSERT OR IGNORE INTO journal (seq, ts, kind, data) VALUES (?, ?, ?, ?)');
  const insertSnapshot = db.prepare('INSERT OR IGNORE INTO snapshots (seq, ts, state) VALUES (?, ?, ?)');
  const pruneSnapshots = db.prepare('DELETE FROM snapshots WHERE seq < (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 1 OFFSET ?)');
  const putKv = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const deleteKv = db.prepare('DELETE FROM kv WHERE key = ?');
  const writeRecords = db.transaction((batch: JournalBatch) => {
    for (const r of batch.records) insertRecord.run(r.seq, r.ts, r.kind, r.data);
    const snap = batch.snapshot;
    if (snap) {
      insertSnapshot.run(snap.seq, snap.ts, snap.state);
      pruneSnapshots.run(snapshotsKept - 1);
    }
  });
  const writeKv = db.transaction((changes: NonNullable<JournalBatch['kv']>) => {
    for (const [key, value] of changes) {
      if (value === null) deleteKv.run(key);
      else putKv.run(key, value);
    }
  });
  return (batch) => {
    if (batch.kv && batch.kv.length > 0) {
      // Synced by the records' commit that follows (same write-ahead log); alone, it syncs itself.
      const relaxed = synchronous === 'FULL' && batch.records.length > 0;
      if (relaxed) db.pragma('synchronous = NORMAL');
      try {
        writeKv(batch.kv);
      } finally {
        if (relaxed) db.pragma('synchronous = FULL');
      }
    }
    if (batch.records.length > 0 || batch.snapshot) writeRecords(batch);
  };
}

// The worker: opens its own connection and runs createSqliteWriter on each batch it is sent.
// (`__name` guards against transpilers that wrap named functions in a helper call.)
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
var __name = (f) => f;
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = 10000');
const write = (${createSqliteWriter.toString()})(db, workerData.synchronous, workerData.snapshotsKept);
parentPort.on('message', (msg) => {
  if (msg.close) {
    db.close();
    parentPort.postMessage({ id: msg.id, ok: true });
    return;
  }
  try {
    // Unpack (see PackedBatch): the columns back into records.
    const n = msg.seqs.length;
    const kinds = n === 0 ? [] : msg.kinds.split('\\n');
    const data = n === 0 ? [] : msg.data.split('\\n');
    const records = new Array(n);
    for (let i = 0; i < n; i++) records[i] = { seq: msg.seqs[i], ts: msg.tss[i], kind: kinds[i], data: data[i] };
    write({ records, snapshot: msg.snapshot, kv: msg.kv });
    parentPort.postMessage({ id: msg.id, ok: true });
  } catch (e) {
    parentPort.postMessage({ id: msg.id, ok: false, message: String((e && e.message) || e), code: e && e.code });
  }
});
parentPort.postMessage({ ready: true });
`;

/** An error reported by the writer thread, with the SQLite code kept for classification. */
class SqliteWriterError extends Error {
  override readonly name = 'SqliteWriterError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export class SqliteJournal implements JournalStore {
  readonly description: string;
  readonly synchronous: boolean;
  readonly path: string;
  private readonly opts: Required<Omit<SqliteJournalOptions, 'path'>>;
  private db: Db | undefined;
  private writeSync: ((batch: JournalBatch) => void) | undefined;
  private worker: Worker | undefined;
  private workerError: Error | undefined;
  private nextRequest = 1;
  private readonly requests = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  constructor(opts: SqliteJournalOptions) {
    this.path = resolve(opts.path);
    this.opts = { writer: opts.writer ?? 'sync', synchronous: opts.synchronous ?? 'FULL', snapshotsKept: opts.snapshotsKept ?? 3, readonly: opts.readonly ?? false };
    this.synchronous = this.opts.writer === 'sync';
    this.description = `sqlite ${opts.path}`;
  }

  /** Opens (creating the file and directory if needed), migrates, and starts the writer thread in worker mode. */
  async open(): Promise<void> {
    if (this.db) return;
    if (!this.opts.readonly) mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path, { readonly: this.opts.readonly, fileMustExist: this.opts.readonly });
    this.db = db;
    if (this.opts.readonly) return;
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${this.opts.synchronous}`);
    db.pragma('busy_timeout = 10000');
    migrate(db);
    if (this.opts.writer === 'sync') {
      this.writeSync = createSqliteWriter(db, this.opts.synchronous, this.opts.snapshotsKept);
      return;
    }
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path: this.path, synchronous: this.opts.synchronous, snapshotsKept: this.opts.snapshotsKept } });
    this.worker = worker;
    await new Promise<void>((ready, failed) => {
      worker.once('error', failed);
      worker.once('message', () => {
        worker.off('error', failed);
        ready();
      });
    });
    worker.on('message', (msg: { id: number; ok: boolean; message?: string; code?: string }) => {
      const request = this.requests.get(msg.id);
      if (!request) return;
      this.requests.delete(msg.id);
      if (this.requests.size === 0) worker.unref();
      if (msg.ok) request.resolve();
      else request.reject(new SqliteWriterError(msg.message ?? 'journal write failed', msg.code));
    });
    worker.on('error', (error) => this.workerFailed(error));
    worker.on('exit', (code) => this.workerFailed(new Error(`journal writer thread exited with code ${code}`)));
    // Idle, the writer thread does not keep the process alive; a pending write does.
    worker.unref();
  }

  write(batch: JournalBatch): Promise<void> | undefined {
    if (this.writeSync) {
      this.writeSync(batch);
      return undefined;
    }
    return this.request(pack(batch));
  }

  async lastSeq(): Promise<number> {
    const row = this.conn().prepare('SELECT max(seq) AS seq FROM journal').get() as { seq: number | null };
    return row.seq ?? 0;
  }

  async latestSnapshot(): Promise<JournalSnapshot | undefined> {
    return this.conn().prepare('SELECT seq, ts, state FROM snapshots ORDER BY seq DESC LIMIT 1').get() as JournalSnapshot | undefined;
  }

  async read(afterSeq: number, limit: number): Promise<JournalRecord[]> {
    return this.readSync(afterSeq, limit);
  }

  /** Synchronous read (the same connection): recovery and export use it to avoid a promise per page. */
  readSync(afterSeq: number, limit: number): JournalRecord[] {
    return this.conn().prepare('SELECT seq, ts, kind, data FROM journal WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as JournalRecord[];
  }

  async readKv(prefix: string): Promise<Map<string, string>> {
    // Keys in [prefix, prefix + U+FFFF): a range scan of the primary key.
    const rows = this.conn().prepare('SELECT key, value FROM kv WHERE key >= ? AND key < ?').all(prefix, prefix + '\uffff') as { key: string; value: string }[];
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  /** Deleted pages are reused by later writes; the file does not shrink. */
  async prune(beforeSeq: number): Promise<JournalPruneResult> {
    const db = this.conn();
    const bounds = db.prepare('SELECT (SELECT max(seq) FROM journal) AS lastSeq, (SELECT max(seq) FROM snapshots) AS snapshotSeq');
    const deleteRecords = db.prepare('DELETE FROM journal WHERE seq < ?');
    const deleteSnapshots = db.prepare('DELETE FROM snapshots WHERE seq < ?');
    return db.transaction(() => {
      const b = bounds.get() as { lastSeq: number | null; snapshotSeq: number | null };
      const keepFrom = Math.min(beforeSeq, b.snapshotSeq ?? 0, b.lastSeq ?? 0);
      return { records: deleteRecords.run(keepFrom).changes, snapshots: deleteSnapshots.run(keepFrom).changes };
    }).immediate();
  }

  async stats(): Promise<JournalStats> {
    const db = this.conn();
    const kinds = db.prepare('SELECT kind, count(*) AS n FROM journal GROUP BY kind').all() as { kind: string; n: number }[];
    const byKind: Record<string, number> = {};
    let records = 0;
    for (const k of kinds) {
      byKind[k.kind] = k.n;
      records += k.n;
    }
    const snaps = db.prepare('SELECT count(*) AS n, max(seq) AS last FROM snapshots').get() as { n: number; last: number | null };
    const kv = db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number };
    return { lastSeq: await this.lastSeq(), records, byKind, snapshots: snaps.n, lastSnapshotSeq: snaps.last ?? undefined, kvKeys: kv.n };
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker && !this.workerError) {
      await new Promise<void>((done) => {
        const id = this.nextRequest++;
        this.requests.set(id, { resolve: done, reject: () => done() });
        worker.ref();
        worker.postMessage({ id, close: true });
      });
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
    this.db?.close();
    this.db = undefined;
    this.writeSync = undefined;
  }

  private conn(): Db {
    if (!this.db) throw new Error(`journal ${this.path} is not open`);
    return this.db;
  }

  private request(msg: PackedBatch): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.reject(this.workerError ?? new Error(`journal ${this.path} is not open`));
    return new Promise<void>((resolve, reject) => {
      const id = this.nextRequest++;
      this.requests.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, ...msg }, [msg.seqs.buffer, msg.tss.buffer]);
    });
  }

  private workerFailed(error: Error): void {
    if (this.workerError) return;
    this.workerError = error;
    this.worker = undefined;
    for (const r of this.requests.values()) r.reject(error);
    this.requests.clear();
  }
}

/**
 * A batch as sent to the writer thread: columns instead of one object per record, so the copy
 * between threads is two strings and two transferred buffers rather than a structured clone of
 * thousands of objects. Record data is JSON text, which never holds a raw newline.
 */
interface PackedBatch {
  readonly seqs: Float64Array<ArrayBuffer>;
  readonly tss: Float64Array<ArrayBuffer>;
  readonly kinds: string;
  readonly data: string;
  readonly snapshot: JournalBatch['snapshot'];
  readonly kv: JournalBatch['kv'];
}

function pack(batch: JournalBatch): PackedBatch {
  const r = batch.records;
  const n = r.length;
  const seqs = new Float64Array(n);
  const tss = new Float64Array(n);
  const kinds: string[] = new Array<string>(n);
  const data: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const x = r[i]!;
    seqs[i] = x.seq;
    tss[i] = x.ts;
    kinds[i] = x.kind;
    data[i] = x.data;
  }
  return { seqs, tss, kinds: kinds.join('\n'), data: data.join('\n'), snapshot: batch.snapshot, kv: batch.kv };
}

/** Runs the migrations not yet applied, each in its own transaction. */
function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of SQLITE_MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }).immediate();
  }
}
