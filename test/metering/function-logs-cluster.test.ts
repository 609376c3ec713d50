/**
 * Live tails across nodes: two FunctionLogs on one PostgreSQL database, each
 * with its own LISTEN connection, as two nodes have. A tail on one node sees
 * the lines written through the other, in `seq` order, once each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FunctionLogs } from '../../src/metering/function-logs.js';
import { InvocationLifecycle } from '../../src/runtime/lifecycle.js';
import { systemClock } from '../../src/shared/clock.js';
import type { StoredLogLine } from '../../src/store/log-store.js';
import { PgDatabase } from '../../src/store/postgres/pg-database.js';
import { PgLogStore } from '../../src/store/postgres/pg-log-store.js';
import { PgNotifications } from '../../src/store/postgres/pg-notifications.js';
import { eventually } from '../helpers/admin-client.js';
import { postgresUnavailable } from '../helpers/postgres-server.js';
import { freshMigratedDatabase } from '../store/postgres/helpers.js';
import { logLine } from './events.js';

test('a tail on one node sees the lines written through another, in order, once each', { skip: postgresUnavailable() }, async (t) => {
  const database = await freshMigratedDatabase();
  const nodes = await Promise.all([0, 1].map(async () => {
    const db = new PgDatabase(database.url, { poolSize: 2 });
    const notifications = new PgNotifications(database.url);
    await notifications.start();
    const lifecycle = new InvocationLifecycle();
    const logs = new FunctionLogs({ store: new PgLogStore(db, systemClock, {}, { notifications }), clock: systemClock, flushIntervalMs: 20 });
    logs.attach(lifecycle);
    return { lifecycle, logs, close: async () => { await logs.close(); await notifications.close(); await db.close(); } };
  }));
  t.after(async () => {
    for (const node of nodes) await node.close();
    await database.close();
  });
  const [a, b] = nodes;
  const seen: StoredLogLine[] = [];
  b!.logs.subscribe({ app: 'shop' }, (line) => seen.push(line));
  // The tail starts from the newest line stored when it subscribed.
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (let i = 0; i < 5; i++) {
    a!.lifecycle.emit('log', logLine({ message: `from a ${i}` }));
    b!.lifecycle.emit('log', logLine({ message: `from b ${i}` }));
    a!.lifecycle.emit('log', logLine({ app: 'other', message: 'not tailed' }));
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  await eventually(() => seen.length >= 10, 10_000, 'ten lines on the tail');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(seen.length, 10, 'each line once');
  assert.deepEqual(seen.map((l) => l.seq), [...seen.map((l) => l.seq)].sort((x, y) => x - y), 'in seq order');
  assert.deepEqual(new Set(seen.map((l) => l.message)), new Set([0, 1, 2, 3, 4].flatMap((i) => [`from a ${i}`, `from b ${i}`])));
});
