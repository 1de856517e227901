/**
 * PostgresJournal: the journal store for shared deployments (pg with a connection pool). All of
 * its tables live in one schema (default `bourse`), so several journals (and tests) can share a
 * database without colliding. Migrations run at open under an advisory lock and are recorded in
 * `<schema>.schema_migrations`. write() returns a promise resolved once the batch is committed:
 * the key-value changes first in their own transaction, then the records and snapshot in one.
 * Records use `json` (the text is kept as written) and are keyed by seq, so a batch written again
 * after an ambiguous failure (a connection lost during COMMIT) adds nothing.
 */
import pg from 'pg';
import { InputError } from '../core/errors.js';
import type { JournalBatch, JournalPruneResult, JournalRecord, JournalSnapshot, JournalStats, JournalStore } from './journal.js';

export interface PostgresJournalOptions {
  /** postgres://user@host:port/db; ignored when `pool` is given. */
  connectionString?: string;
  /** An existing pool (not closed by close()). */
  pool?: pg.Pool;
  /** Schema holding the tables (lower-case identifier). Default 'bourse'. */
  schema?: string;
  snapshotsKept?: number;
  /** Pool size when the journal creates its pool. Default 4. */
  poolSize?: number;
  /**
   * Open only a journal that already exists, and change nothing in the database (the operator
   * commands: inspect, export, prune): no schema is created and no migration runs.
   */
  existingOnly?: boolean;
}

/** Schema migrations: `{schema}` is replaced by the quoted schema name. */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'journal, snapshots and key-value tables',
    sql: `
      CREATE TABLE {schema}.journal (seq bigint PRIMARY KEY, ts bigint NOT NULL, kind text NOT NULL, data json NOT NULL);
      CREATE TABLE {schema}.snapshots (seq bigint PRIMARY KEY, ts bigint NOT NULL, state json NOT NULL);
      CREATE TABLE {schema}.kv (key text PRIMARY KEY, value text NOT NULL);
    `,
  },
];

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresJournal implements JournalStore {
  readonly description: string;
  readonly synchronous = false;
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly snapshotsKept: number;
  private readonly q: string;
  private readonly existingOnly: boolean;
  private closed = false;

  /** Throws Error for a schema name that is not a plain lower-case identifier. */
  constructor(opts: PostgresJournalOptions) {
    this.schema = opts.schema ?? 'bourse';
    if (!IDENTIFIER.test(this.schema)) throw new Error(`journal schema ${JSON.stringify(this.schema)} must be a lower-case identifier`);
    this.q = `"${this.schema}"`;
    this.snapshotsKept = opts.snapshotsKept ?? 3;
    this.existingOnly = opts.existingOnly ?? false;
    this.ownsPool = opts.pool === undefined;
    this.pool = opts.pool ?? new pg.Pool({ connectionString: opts.connectionString, max: opts.poolSize ?? 4 });
    // An idle client's error (server restart) must not crash the process; the next query reports it.
    if (this.ownsPool) this.pool.on('error', () => undefined);
    this.description = `postgres schema ${this.schema}`;
  }

  /**
   * Creates the schema if needed and runs pending migrations; with `existingOnly`, checks that the
   * schema holds a journal this build can read instead (InputError when there is none, Error when
   * it lacks a migration). Throws when the server cannot be reached.
   */
  async open(): Promise<void> {
    if (this.existingOnly) return this.checkExisting();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // One migrator at a time per schema, across processes.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`bourse-journal:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.q}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.q}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${this.q}.schema_migrations`);
      const applied = new Set(rows.map((r) => r.version));
      for (const m of POSTGRES_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await client.query(m.sql.replaceAll('{schema}', this.q));
        await client.query(`INSERT INTO ${this.q}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async checkExisting(): Promise<void> {
    const { rows } = await this.pool.query<{ table: string | null }>('SELECT to_regclass($1)::text AS table', [`${this.q}.schema_migrations`]);
    if (rows[0]?.table == null) throw new InputError(`journal: no journal in postgres schema ${this.schema}`);
    const applied = await this.pool.query<{ version: number }>(`SELECT version FROM ${this.q}.schema_migrations`);
    const versions = new Set(applied.rows.map((r) => r.version));
    const missing = POSTGRES_MIGRATIONS.find((m) => !versions.has(m.version));
    if (missing) throw new Error(`journal schema ${this.schema} lacks migration ${missing.version} (${missing.name}): a session (bourse paper) applies it when it opens the journal`);
  }

  async write(batch: JournalBatch): Promise<void> {
    const client = await this.pool.connect();
    try {
      if (batch.kv && batch.kv.length > 0) {
        const puts = batch.kv.filter((c) => c[1] !== null);
        const deletes = batch.kv.filter((c) => c[1] === null).map((c) => c[0]);
        await this.transaction(client, async () => {
          if (puts.length > 0) {
            await client.query(
              `INSERT INTO ${this.q}.kv (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
              [puts.map((c) => c[0]), puts.map((c) => c[1])],
            );
          }
          if (deletes.length > 0) await client.query(`DELETE FROM ${this.q}.kv WHERE key = ANY($1::text[])`, [deletes]);
        });
      }
      if (batch.records.length === 0 && !batch.snapshot) return;
      await this.transaction(client, async () => {
        const r = batch.records;
        if (r.length > 0) {
          await client.query(
            `INSERT INTO ${this.q}.journal (seq, ts, kind, data) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::json[]) ON CONFLICT (seq) DO NOTHING`,
            [r.map((x) => x.seq), r.map((x) => x.ts), r.map((x) => x.kind), r.map((x) => x.data)],
          );
        }
        const snap = batch.snapshot;
        if (snap) {
          await client.query(`INSERT INTO ${this.q}.snapshots (seq, ts, state) VALUES ($1, $2, $3) ON CONFLICT (seq) DO NOTHING`, [snap.seq, snap.ts, snap.state]);
          await client.query(`DELETE FROM ${this.q}.snapshots WHERE seq < (SELECT seq FROM ${this.q}.snapshots ORDER BY seq DESC LIMIT 1 OFFSET $1)`, [this.snapshotsKept - 1]);
        }
      });
    } finally {
      client.release();
    }
  }

  async lastSeq(): Promise<number> {
    const { rows } = await this.pool.query<{ seq: string | null }>(`SELECT max(seq) AS seq FROM ${this.q}.journal`);
    return Number(rows[0]?.seq ?? 0);
  }

  async latestSnapshot(): Promise<JournalSnapshot | undefined> {
    const { rows } = await this.pool.query<{ seq: string; ts: string; state: string }>(`SELECT seq, ts, state::text AS state FROM ${this.q}.snapshots ORDER BY seq DESC LIMIT 1`);
    const row = rows[0];
    return row && { seq: Number(row.seq), ts: Number(row.ts), state: row.state };
  }

  async read(afterSeq: number, limit: number): Promise<JournalRecord[]> {
    const { rows } = await this.pool.query<{ seq: string; ts: string; kind: string; data: string }>(
      `SELECT seq, ts, kind, data::text AS data FROM ${this.q}.journal WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [afterSeq, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), ts: Number(r.ts), kind: r.kind, data: r.data }));
  }

  async readKv(prefix: string): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ key: string; value: string }>(`SELECT key, value FROM ${this.q}.kv WHERE starts_with(key, $1)`, [prefix]);
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  async stats(): Promise<JournalStats> {
    const kinds = await this.pool.query<{ kind: string; n: string }>(`SELECT kind, count(*) AS n FROM ${this.q}.journal GROUP BY kind`);
    const byKind: Record<string, number> = {};
    let records = 0;
    for (const k of kinds.rows) {
      byKind[k.kind] = Number(k.n);
      records += Number(k.n);
    }
    const snaps = await this.pool.query<{ n: string; last: string | null }>(`SELECT count(*) AS n, max(seq) AS last FROM ${this.q}.snapshots`);
    const kv = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.q}.kv`);
    const last = snaps.rows[0]?.last;
    return {
      lastSeq: await this.lastSeq(),
      records,
      byKind,
      snapshots: Number(snaps.rows[0]?.n ?? 0),
      lastSnapshotSeq: last === null || last === undefined ? undefined : Number(last),
      kvKeys: Number(kv.rows[0]?.n ?? 0),
    };
  }

  async prune(beforeSeq: number): Promise<JournalPruneResult> {
    const client = await this.pool.connect();
    try {
      let result: JournalPruneResult = { records: 0, snapshots: 0 };
      await this.transaction(client, async () => {
        const bounds = await client.query<{ keep_from: string }>(
          `SELECT LEAST($1::bigint, COALESCE((SELECT max(seq) FROM ${this.q}.snapshots), 0), COALESCE((SELECT max(seq) FROM ${this.q}.journal), 0)) AS keep_from`,
          [beforeSeq],
        );
        const keepFrom = bounds.rows[0]!.keep_from;
        const records = await client.query(`DELETE FROM ${this.q}.journal WHERE seq < $1`, [keepFrom]);
        const snapshots = await client.query(`DELETE FROM ${this.q}.snapshots WHERE seq < $1`, [keepFrom]);
        result = { records: records.rowCount ?? 0, snapshots: snapshots.rowCount ?? 0 };
      });
      return result;
    } finally {
      client.release();
    }
  }

  /** Drops the schema and everything in it (tests). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS ${this.q} CASCADE`);
  }

  async close(): Promise<void> {
    if (!this.ownsPool || this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async transaction(client: pg.PoolClient, body: () => Promise<void>): Promise<void> {
    await client.query('BEGIN');
    try {
      await body();
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}
