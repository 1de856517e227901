/**
 * The persistence layer: the journal port and its stores, the write-ahead client, recovery and
 * reconciliation, and the store the configuration selects.
 */
import type { BourseConfig } from '../infra/config.js';
import type { JournalStore } from './journal.js';
import { PostgresJournal } from './postgres-journal.js';
import { SqliteJournal } from './sqlite-journal.js';

export * from './journal.js';
export { MemoryJournalStore } from './memory-journal.js';
export { SqliteJournal, type SqliteJournalOptions } from './sqlite-journal.js';
export { PostgresJournal, type PostgresJournalOptions } from './postgres-journal.js';
export { WriteAheadExecutionClient } from './write-ahead-client.js';
export { JournalRecorder, type EngineState } from './recorder.js';
export { JournalReplay, ReconciliationError, replayJournal, restoreEngine, reconcileWithVenue, type ReconcileReport } from './recovery.js';
export { openJournaledEngine, type JournaledEngine, type JournaledEngineOptions, type RecoveryReport } from './journaled-engine.js';
export { loadVenueState, persistVenueState } from './venue-state.js';

export interface StoreFromConfigOptions {
  /** SQLite writes on a worker thread (sessions; default) or on the calling thread. */
  readonly writer?: 'sync' | 'worker';
  /** Open an existing SQLite journal read-only (inspect, export). */
  readonly readonly?: boolean;
  /** PostgreSQL schema (default 'bourse'). */
  readonly postgresSchema?: string;
  /** Open a PostgreSQL journal only if it exists, creating and migrating nothing (the journal commands). */
  readonly existingOnly?: boolean;
}

/**
 * The journal store `persistence.kind` selects: SQLite at `persistence.sqlitePath` (default
 * `<engine.dataDir>/bourse.sqlite`), PostgreSQL at `secrets.postgresUrl`, or none.
 */
export function journalStoreFromConfig(cfg: BourseConfig, opts: StoreFromConfigOptions = {}): JournalStore | undefined {
  const p = cfg.persistence;
  switch (p.kind) {
    case 'none':
      return undefined;
    case 'sqlite':
      return new SqliteJournal({ path: p.sqlitePath, writer: opts.writer ?? 'worker', readonly: opts.readonly ?? false });
    case 'postgres':
      // The config schema requires the URL when the kind is postgres.
      return new PostgresJournal({ connectionString: cfg.secrets.postgresUrl, schema: opts.postgresSchema ?? 'bourse', existingOnly: opts.existingOnly ?? false });
  }
}
