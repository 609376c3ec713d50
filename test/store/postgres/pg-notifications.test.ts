import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PgNotifications } from '../../../src/store/postgres/pg-notifications.js';
import { eventually } from '../../helpers/admin-client.js';
import { postgresUnavailable } from '../../helpers/postgres-server.js';
import { freshMigratedDatabase } from './helpers.js';

/** Every warning of this file's process: pg warns once per process when a query is queued behind another on one connection. */
const warnings: Error[] = [];
process.on('warning', (warning) => warnings.push(warning));

describe('PostgreSQL notifications (one LISTEN connection per node)', { skip: postgresUnavailable() }, () => {
  let database: Awaited<ReturnType<typeof freshMigratedDatabase>>;
  const opened: PgNotifications[] = [];

  before(async () => {
    database = await freshMigratedDatabase();
  });
  after(async () => {
    for (const n of opened) await n.close();
    await database.close();
  });

  async function open(): Promise<PgNotifications> {
    const notifications = new PgNotifications(database.url);
    opened.push(notifications);
    await notifications.start();
    return notifications;
  }

  const notify = (channel: string, payload: string) => database.db.query('SELECT pg_notify($1, $2)', [channel, payload]);
  const dropListeners = () =>
    database.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'nimbus-listen' AND datname = current_database()`);

  test('a notice reaches every handler of its channel and no other; a throwing handler does not stop the rest', async () => {
    const notifications = await open();
    const heard: string[] = [];
    await notifications.listen('chan_a', () => {
      throw new Error('a buggy handler');
    });
    await notifications.listen('chan_a', (p) => heard.push(`a:${p}`));
    await notifications.listen('chan_b', (p) => heard.push(`b:${p}`));
    await notify('chan_a', 'one');
    await notify('chan_b', 'two');
    await eventually(() => heard.length === 2, 5_000, 'both notices');
    assert.deepEqual(heard, ['a:one', 'b:two']);
  });

  test('a channel name that is not a plain identifier is refused', async () => {
    const notifications = await open();
    await assert.rejects(notifications.listen('x; DROP TABLE y', () => {}), /not a channel name/);
  });

  test('after the connection is lost it comes back by itself, tells onReconnect, and hears every channel again, also one added while it was away', async () => {
    const notifications = await open();
    const heard: string[] = [];
    let reconnects = 0;
    notifications.onReconnect(() => reconnects++);
    await notifications.listen('chan_c', (p) => heard.push(`c:${p}`));

    await dropListeners();
    await eventually(() => !notifications.connected || reconnects > 0, 5_000, 'the loss noticed');
    // Added while the connection may be away: it must be listened on once it is back.
    await notifications.listen('chan_d', (p) => heard.push(`d:${p}`));
    await eventually(() => reconnects >= 1 && notifications.connected, 10_000, 'the connection back');

    await eventually(async () => {
      await notify('chan_c', 'x');
      await notify('chan_d', 'y');
      await new Promise((resolve) => setTimeout(resolve, 50));
      return heard.includes('c:x') && heard.includes('d:y');
    }, 10_000, 'both channels heard after the reconnect');
  });

  test('an unsubscribed handler hears nothing more', async () => {
    const notifications = await open();
    const heard: string[] = [];
    const stop = await notifications.listen('chan_e', (p) => heard.push(p));
    await notifications.listen('chan_e', (p) => heard.push(`other:${p}`));
    stop();
    await notify('chan_e', 'z');
    await eventually(() => heard.length === 1, 5_000, 'the remaining handler');
    assert.deepEqual(heard, ['other:z']);
  });

  test('channels listened on all at once (a node\'s stores start together) are each heard, their LISTENs sent one after another', async () => {
    // Under --no-deprecation pg's warning is never emitted, and the check at the end could not fail.
    assert.ok(!(process as { noDeprecation?: boolean }).noDeprecation, 'deprecation warnings are switched off: this test cannot see them');
    const notifications = await open();
    const heard: string[] = [];
    const channels = ['chan_f', 'chan_g', 'chan_h', 'chan_i', 'chan_j'];
    await Promise.all(channels.map((channel) => notifications.listen(channel, (p) => heard.push(`${channel}:${p}`))));
    for (const channel of channels) await notify(channel, 'n');
    await eventually(() => heard.length === channels.length, 5_000, 'every channel');
    assert.deepEqual(heard.sort(), channels.map((c) => `${c}:n`));
    await new Promise((resolve) => setImmediate(resolve));
    // pg 8 queues a query handed to a busy connection, and deprecates it: pg 9 will not.
    assert.deepEqual(warnings.map((w) => w.message).filter((m) => m.includes('already executing a query')), []);
  });
});
