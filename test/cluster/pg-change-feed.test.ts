import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppChangeNotice } from '../../src/cluster/change-feed.js';
import { APP_CHANGES_CHANNEL, PgChangeFeed } from '../../src/cluster/pg-change-feed.js';
import { PgNotifications } from '../../src/store/postgres/pg-notifications.js';
import { eventually } from '../helpers/admin-client.js';
import { postgresUnavailable } from '../helpers/postgres-server.js';
import { freshMigratedDatabase } from '../store/postgres/helpers.js';

describe('PostgreSQL change feed', { skip: postgresUnavailable() }, () => {
  let database: Awaited<ReturnType<typeof freshMigratedDatabase>>;
  const listeners: PgNotifications[] = [];

  before(async () => {
    database = await freshMigratedDatabase();
  });
  after(async () => {
    for (const l of listeners) await l.close();
    await database.close();
  });

  async function feedOf(nodeId: string) {
    const notifications = new PgNotifications(database.url);
    listeners.push(notifications);
    await notifications.start();
    const feed = new PgChangeFeed(database.db, notifications, nodeId);
    const heard: AppChangeNotice[] = [];
    let resyncs = 0;
    await feed.follow({ changed: (n) => heard.push(n), resync: () => resyncs++ });
    return { feed, heard, resyncs: () => resyncs };
  }

  test('a change published on one node is heard on the other, not on itself', async () => {
    const one = await feedOf('node-one');
    const two = await feedOf('node-two');

    await one.feed.publish({ app: 'shop', what: 'version' });
    await two.feed.publish({ app: 'shop', what: 'secrets' });

    await eventually(() => two.heard.length === 1 && one.heard.length === 1, 5_000, 'both notices');
    assert.deepEqual(two.heard, [{ app: 'shop', what: 'version' }]);
    assert.deepEqual(one.heard, [{ app: 'shop', what: 'secrets' }]);
  });

  test('malformed notices on the channel are dropped', async () => {
    const one = await feedOf('node-three');
    await database.db.query('SELECT pg_notify($1, $2)', [APP_CHANGES_CHANNEL, 'not json']);
    await database.db.query('SELECT pg_notify($1, $2)', [APP_CHANGES_CHANNEL, JSON.stringify({ node: 'x', app: 'a', what: 'everything' })]);
    await database.db.query('SELECT pg_notify($1, $2)', [APP_CHANGES_CHANNEL, JSON.stringify({ node: 'x', app: 'last', what: 'version' })]);
    // Notices arrive in order on one connection: once the last is heard, the two before it were dropped.
    await eventually(() => one.heard.length > 0, 5_000, 'the valid notice');
    assert.deepEqual(one.heard, [{ app: 'last', what: 'version' }]);
  });

  test('after the listening connection comes back, the follower is told to resync (notices may have been missed)', async () => {
    const one = await feedOf('node-four');
    await database.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'nimbus-listen' AND datname = current_database()`);
    await eventually(() => one.resyncs() >= 1, 10_000, 'a resync after reconnecting');
    // And it hears again.
    await database.db.query('SELECT pg_notify($1, $2)', [APP_CHANGES_CHANNEL, JSON.stringify({ node: 'x', app: 'again', what: 'version' })]);
    await eventually(() => one.heard.some((n) => n.app === 'again'), 10_000, 'a notice after reconnecting');
  });
});
