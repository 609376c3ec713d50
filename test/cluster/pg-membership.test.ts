import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PgMembership, type PgMembershipOptions } from '../../src/cluster/pg-membership.js';
import { PgDatabase } from '../../src/store/postgres/pg-database.js';
import { eventually } from '../helpers/admin-client.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { postgresUnavailable } from '../helpers/postgres-server.js';
import { freshMigratedDatabase } from '../store/postgres/helpers.js';

/**
 * Long, so a survivor is never declared dead because the test process or the
 * database stalled between two of its heartbeats; no test waits this long: a
 * node meant to look silent has its heartbeat moved back in the database
 * (`silentFor`). Not the default (10 s), so the tests also see the option used.
 */
const DEAD_AFTER_MS = 60_000;
const quiet = { info() {}, warn() {}, error() {} };

describe('PostgreSQL membership', { skip: postgresUnavailable() }, () => {
  let database: Awaited<ReturnType<typeof freshMigratedDatabase>>;
  const started: PgMembership[] = [];

  before(async () => {
    database = await freshMigratedDatabase();
  });
  after(async () => {
    for (const m of started) m.abandon();
    await database.close();
  });

  /** A member on its own fake clock: it heartbeats only when the test says so (heartbeatNow) or advances its clock. */
  function member(id: string, options: Partial<PgMembershipOptions> & { db?: PgDatabase } = {}) {
    const clock = new FakeClock();
    const dead: string[] = [];
    const membership = new PgMembership(options.db ?? database.db, {
      nodeId: id, address: () => `http://${id}.internal:8080`, version: '9.9.9', load: () => ({ instances: 3, inflight: 2 }),
      clock, log: quiet, deadAfterMs: DEAD_AFTER_MS, heartbeatIntervalMs: 100, ...options,
    });
    membership.onNodeDead(async (nodeId) => {
      dead.push(nodeId);
    });
    started.push(membership);
    return { membership, clock, dead };
  }

  async function row(id: string) {
    return (await started[0]!.nodes()).find((n) => n.id === id);
  }

  /** Makes `id`'s last heartbeat `ms` old on the database's clock, as if it had been silent that long. */
  async function silentFor(id: string, ms: number): Promise<void> {
    const rows = await database.db.query(
      `UPDATE cluster_nodes SET heartbeat_at = now() - $2 * interval '1 millisecond' WHERE id = $1 RETURNING id`, [id, ms],
    );
    assert.equal(rows.length, 1, `${id} has a row`);
  }

  /** Steps the survivors until one of them has declared `id` dead. */
  async function untilDeclared(id: string, survivors: PgMembership[]): Promise<void> {
    await eventually(async () => {
      await Promise.all(survivors.map((s) => s.heartbeatNow()));
      return (await row(id))?.state === 'dead';
    }, 10_000, `${id} declared dead`);
  }

  test('every registered node is listed with its address, version, heartbeat, instances and load', async () => {
    const a = member('list-a');
    const b = member('list-b');
    await a.membership.start();
    await b.membership.start();
    const nodes = (await a.membership.nodes()).filter((n) => n.id.startsWith('list-'));
    assert.deepEqual(nodes.map((n) => [n.id, n.address, n.version, n.state, n.instances, n.load]), [
      ['list-a', 'http://list-a.internal:8080', '9.9.9', 'alive', 3, 2],
      ['list-b', 'http://list-b.internal:8080', '9.9.9', 'alive', 3, 2],
    ]);
    for (const n of nodes) {
      assert.ok(n.startedAt <= n.lastHeartbeat);
      assert.ok(n.heartbeatAgeMs >= 0 && n.heartbeatAgeMs < 60_000);
    }
    assert.deepEqual(a.membership.readiness(), { ready: true });
    await a.membership.stop();
    await b.membership.stop();
  });

  test('a node that stops heartbeating is declared dead exactly once, and the takeover runs once, on one survivor', async () => {
    const gone = member('dead-a');
    const b = member('dead-b');
    const c = member('dead-c');
    for (const m of [gone, b, c]) await m.membership.start();
    gone.membership.abandon();

    // Silent for half the dead-after time: not dead yet.
    await silentFor('dead-a', DEAD_AFTER_MS / 2);
    assert.deepEqual(await Promise.all([b.membership.heartbeatNow(), c.membership.heartbeatNow()]), [[], []]);
    assert.equal((await row('dead-a'))?.state, 'alive');

    await silentFor('dead-a', DEAD_AFTER_MS + 1_000);
    await untilDeclared('dead-a', [b.membership, c.membership]);
    // More rounds on both survivors change nothing: the declaration is a conditional update only one wins.
    for (let i = 0; i < 3; i++) await Promise.all([b.membership.heartbeatNow(), c.membership.heartbeatNow()]);

    assert.deepEqual([...b.dead, ...c.dead], ['dead-a']);
    assert.equal((await row('dead-b'))?.state, 'alive');
    assert.equal((await row('dead-c'))?.state, 'alive');
    await b.membership.stop();
    await c.membership.stop();
  });

  test('a clean stop marks the node stopped, and nobody declares it dead afterwards', async () => {
    const leaving = member('stop-a');
    const b = member('stop-b');
    await leaving.membership.start();
    await b.membership.start();
    await leaving.membership.stop();
    assert.equal((await row('stop-a'))?.state, 'stopped');
    assert.deepEqual(leaving.membership.readiness(), { ready: false, reason: 'stopped' });

    await silentFor('stop-a', DEAD_AFTER_MS + 1_000);
    assert.ok(((await row('stop-a'))?.heartbeatAgeMs ?? 0) > DEAD_AFTER_MS, 'the stop is older than dead-after');
    assert.deepEqual(await b.membership.heartbeatNow(), []);
    assert.equal((await row('stop-a'))?.state, 'stopped');
    assert.deepEqual(b.dead, []);
    await b.membership.stop();
  });

  test('a paused node that was declared dead registers again on its next heartbeat, keeping its start time', async () => {
    const paused = member('pause-a');
    const b = member('pause-b');
    await paused.membership.start();
    await b.membership.start();
    const startedAt = (await row('pause-a'))!.startedAt;

    // pause-a's clock does not move: its heartbeat timer does not fire, as in a process stopped for a while.
    await silentFor('pause-a', DEAD_AFTER_MS + 1_000);
    await untilDeclared('pause-a', [b.membership]);
    assert.deepEqual(b.dead, ['pause-a']);

    await paused.clock.advance(100);
    await eventually(async () => (await row('pause-a'))?.state === 'alive', 10_000, 'pause-a to register again');
    assert.equal((await row('pause-a'))!.startedAt, startedAt);
    assert.deepEqual(paused.dead, [], 'the rejoining node does not take over from itself: the survivor did');
    await paused.membership.stop();
    await b.membership.stop();
  });

  test('a node restarted after a crash, before anyone declared it dead, takes over its own previous run', async () => {
    const first = member('crash-a');
    await first.membership.start();
    first.membership.abandon();

    const again = member('crash-a');
    await again.membership.start();
    assert.deepEqual(again.dead, ['crash-a']);
    assert.equal((await row('crash-a'))?.state, 'alive');
    await again.membership.stop();
  });

  test('readiness is lost while the database cannot be reached', async () => {
    const db = new PgDatabase(database.url, { poolSize: 1 });
    const m = member('ready-a', { db });
    await m.membership.start();
    assert.deepEqual(m.membership.readiness(), { ready: true });
    await db.close();
    await m.membership.heartbeatNow();
    const readiness = m.membership.readiness();
    assert.equal(readiness.ready, false);
    assert.match(readiness.reason ?? '', /^store unreachable: /);
    m.membership.abandon();
  });
});
