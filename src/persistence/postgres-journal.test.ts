/**
 * PostgresJournal's existing-only open, as the journal commands (inspect, export, prune) use it: it
 * reads a journal that exists and creates nothing where there is none. Runs whenever CI=true;
 * elsewhere skipped (with a message) only when the server is unreachable.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { PostgresJournal } from './postgres-journal.js';
import { postgresTestsEnabled, TEST_POSTGRES_URL } from './testkit.js';

const enabled = await postgresTestsEnabled('PostgresJournal existing-only open');
const schema = `bourse_existing_test_${process.pid}_${Date.now() % 1_000_000}`;
const stores: PostgresJournal[] = [];
const store = (existingOnly: boolean): PostgresJournal => {
  const s = new PostgresJournal({ connectionString: TEST_POSTGRES_URL, schema, existingOnly });
  stores.push(s);
  return s;
};

async function schemaExists(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = $1', [schema]);
    return rows[0]!.n !== '0';
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  if (!enabled) return;
  await store(false).dropSchema();
  for (const s of stores) await s.close();
});

describe.skipIf(!enabled)('PostgresJournal existing-only open', () => {
  it('refuses a schema with no journal, naming it, and leaves the database untouched', async () => {
    await expect(store(true).open()).rejects.toThrow(new InputError(`journal: no journal in postgres schema ${schema}`));
    expect(await schemaExists()).toBe(false);
  });

  it('reads a journal a session created', async () => {
    const writer = store(false);
    await writer.open();
    await writer.write({ records: [{ seq: 1, ts: 1_000, kind: 'note', data: '{"n":1}' }] });
    const reader = store(true);
    await reader.open();
    expect(await reader.lastSeq()).toBe(1);
    expect((await reader.read(0, 10)).map((r) => r.data)).toEqual(['{"n":1}']);
  });

  it('refuses a journal that lacks a migration this build needs', async () => {
    await store(false).open();
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`DELETE FROM "${schema}".schema_migrations WHERE version = 1`);
    } finally {
      await client.end();
    }
    await expect(store(true).open()).rejects.toThrow(/lacks migration 1 \(journal, snapshots and key-value tables\)/);
  });
});
