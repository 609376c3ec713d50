import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { migratePostgres, type PgMigration } from '../../../src/store/postgres/migrate.js';
import { POSTGRES_MIGRATIONS } from '../../../src/store/postgres/migrations/index.js';
import { freshPostgresDatabase, postgresUnavailable } from '../../helpers/postgres-server.js';

const skip = postgresUnavailable();

test('nodes starting at once migrate the schema once, in order', { skip }, async (t) => {
  const database = await freshPostgresDatabase();
  t.after(() => database.drop());
  const results = await Promise.all([1, 2, 3].map(() => migratePostgres(database.url, POSTGRES_MIGRATIONS)));
  const applied = results.flatMap((r) => r.applied);
  assert.deepEqual(applied.sort((a, b) => a - b), POSTGRES_MIGRATIONS.map((m) => m.version));
  const client = await connect(database.url, t);
  const { rows } = await client.query<{ version: number }>('SELECT version FROM nimbus_schema_migrations ORDER BY version');
  assert.deepEqual(rows.map((r) => r.version), POSTGRES_MIGRATIONS.map((m) => m.version));
});

test('a failed step leaves the schema at the step before and names the step', { skip }, async (t) => {
  const database = await freshPostgresDatabase();
  t.after(() => database.drop());
  const steps: PgMigration[] = [
    { version: 1, name: 'one', sql: 'CREATE TABLE one (x int)' },
    { version: 2, name: 'broken', sql: 'CREATE TABLE two (x int); SELECT no_such_function()' },
  ];
  await assert.rejects(migratePostgres(database.url, steps), /migration 2 \(broken\) failed/);
  const client = await connect(database.url, t);
  const tables = (await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t);
  assert.deepEqual(tables, ['nimbus_schema_migrations', 'one']);
});

test('a database migrated by a newer release is refused with a clear error', { skip }, async (t) => {
  const database = await freshPostgresDatabase();
  t.after(() => database.drop());
  await migratePostgres(database.url, [{ version: 1, name: 'a', sql: 'SELECT 1' }, { version: 9, name: 'future', sql: 'SELECT 1' }]);
  await assert.rejects(migratePostgres(database.url, [{ version: 1, name: 'a', sql: 'SELECT 1' }]), /newer than this release knows/);
});

/** A client that ignores being cut off when the test drops its database. */
async function connect(url: string, t: { after(fn: () => Promise<void>): void }): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.end());
  return client;
}
