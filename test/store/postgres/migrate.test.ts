import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { migratePostgres, type PgMigration } from '../../../src/store/postgres/migrate.js';
import { POSTGRES_MIGRATIONS } from '../../../src/store/postgres/migrations/index.js';
import { freshPostgresDatabase, postgresUnavailable } from '../../helpers/postgres-server.js';
import { PgDatabase } from '../../../src/store/postgres/pg-database.js';
import { PgMeteringStore } from '../../../src/store/postgres/pg-metering-store.js';
import { bucketOf, DURATION_BUCKET_COUNT } from '../../../src/metering/duration-histogram.js';
import { toInvocationRecord } from '../../../src/metering/invocation-record.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { batchOf, finished } from '../../metering/events.js';

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

test('roll-ups written before duration histograms read back with empty ones, and new invocations add to them', { skip }, async (t) => {
  const database = await freshPostgresDatabase();
  t.after(() => database.drop());
  const before = POSTGRES_MIGRATIONS.filter((m) => m.version < 6);
  await migratePostgres(database.url, before);
  const client = await connect(database.url, t);
  const minute = Date.UTC(2026, 0, 15, 12, 0, 0);
  await client.query(`INSERT INTO metering_minutes (app, function_name, minute, invocations, errors, timeouts, out_of_memory, throttled, crashed,
    cold_starts, billed_ms, gb_seconds, cpu_ms, duration_sum_ms, duration_max_ms) VALUES ('shop', 'checkout', $1, 5, 1, 0, 0, 0, 0, 1, 60, 0.01, 5, 55, 20)`, [minute]);
  assert.deepEqual((await migratePostgres(database.url, POSTGRES_MIGRATIONS.filter((m) => m.version <= 6))).applied, [6]);

  const db = new PgDatabase(database.url, { poolSize: 2 });
  t.after(() => db.close());
  const store = new PgMeteringStore(db, new FakeClock(minute));
  const [old] = await store.listRollups({ since: 0 });
  assert.deepEqual([old?.invocations, old?.durationBuckets], [5, new Array<number>(DURATION_BUCKET_COUNT).fill(0)]);
  await store.writeBatch(batchOf([toInvocationRecord(finished({ startedAt: minute + 1, durationMs: 12 }))]));
  const expected = new Array<number>(DURATION_BUCKET_COUNT).fill(0);
  expected[bucketOf(12)] = 1;
  const [upgraded] = await store.listRollups({ since: 0 });
  assert.deepEqual([upgraded?.invocations, upgraded?.durationBuckets], [6, expected]);
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
