import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStandInAdmin, type Answer, type RecordedRequest } from '../support/stand-in-admin.js';
import { lines, runNimbus } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-app.js';

async function setUp(t: { after(fn: () => Promise<unknown>): void }, answer: (req: RecordedRequest) => Answer) {
  const admin = await startStandInAdmin(answer);
  const cwd = await makeTempDir();
  t.after(() => Promise.all([admin.close(), cwd.remove()]));
  return { admin, cwd, env: { NIMBUS_URL: admin.url, NIMBUS_ADMIN_KEY: 'k' } };
}

const QUEUES = {
  queues: [
    { name: 'orders', internal: false, depth: 12, inFlight: 2, delayed: 1, deadLettered: 3, oldestAgeMs: 200_000 },
    { name: 'mail', internal: false, depth: 0, inFlight: 0, delayed: 0, deadLettered: 0, oldestAgeMs: null },
  ],
};

test('queue ls shows depth, in flight, delayed, dead and the oldest age; --json as returned', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: QUEUES }));

  const table = await runNimbus(['queue', 'ls'], { cwd: cwd.path, env });
  assert.equal(table.code, 0, table.stderr);
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/queues');
  assert.deepEqual(lines(table.stdout), [
    'NAME    DEPTH  IN FLIGHT  DELAYED  DEAD  OLDEST',
    'orders  12     2          1        3     3m 20s',
    'mail    0      0          0        0     -',
  ]);

  const json = await runNimbus(['queue', 'ls', '--json'], { cwd: cwd.path, env });
  assert.deepEqual(JSON.parse(json.stdout), QUEUES);
});

test('queue send posts the JSON body with delay, dedup id and priority; @file works too', async (t) => {
  // The queue exists (a peek finds it), so no warning; then the send.
  const { admin, cwd, env } = await setUp(t, (req) => (req.method === 'GET' ? { status: 200, body: { messages: [] } } : { status: 201, body: { messages: [{ id: 'm1', duplicate: false }] } }));
  await cwd.write('order.json', '{"id": 9}');
  const sends = () => admin.requests.filter((r) => r.method === 'POST');

  const sent = await runNimbus(['queue', 'send', 'orders', '--data', '{"id":7}', '--delay', '5000', '--dedup', 'order-7', '--priority', '2'], { cwd: cwd.path, env });
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(sent.stderr, '');
  assert.deepEqual(lines(sent.stdout), ['Sent message m1 to orders']);
  assert.equal(sends()[0]!.path, '/_nimbus/api/v1/queues/orders/messages');
  assert.deepEqual(JSON.parse(sends()[0]!.body), { messages: [{ body: { id: 7 }, delayMs: 5000, priority: 2, dedupId: 'order-7' }] });

  const fromFile = await runNimbus(['queue', 'send', 'orders', '--data', '@order.json'], { cwd: cwd.path, env });
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.deepEqual(JSON.parse(sends()[1]!.body), { messages: [{ body: { id: 9 } }] });
});

test('queue send says which message it sent, or which one a dedup id matched', async (t) => {
  const { cwd, env } = await setUp(t, (req) => (req.method === 'GET' ? { status: 200, body: { messages: [] } } : { status: 201, body: { messages: [{ id: '5', duplicate: true }] } }));

  const again = await runNimbus(['queue', 'send', 'greetings', '--data', '{}', '--dedup', 'd1'], { cwd: cwd.path, env });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(lines(again.stdout), ['Not sent: message 5 on greetings has this dedup id']);
});

test('queue send refuses a body that is not JSON, and a missing --data, before sending', async (t) => {
  const { admin, cwd, env } = await setUp(t, () => ({ status: 201, body: {} }));

  const notJson = await runNimbus(['queue', 'send', 'orders', '--data', 'hello'], { cwd: cwd.path, env });
  const noData = await runNimbus(['queue', 'send', 'orders'], { cwd: cwd.path, env });

  for (const run of [notJson, noData]) {
    assert.equal(run.code, 1);
    assert.equal(lines(run.stderr).length, 1, run.stderr);
  }
  assert.match(notJson.stderr, /^nimbus: --data is not JSON/);
  assert.match(noData.stderr, /^nimbus: --data is required/);
  assert.equal(admin.requests.length, 0);
});

test('queue peek lists messages without taking them; --json as returned', async (t) => {
  const messages = [{
    id: 'm1', queue: 'orders', body: { id: 7 }, attempts: 1, lastError: 'boom', priority: 0,
    enqueuedAt: Date.UTC(2026, 0, 2, 3, 4, 5), visibleAt: Date.UTC(2026, 0, 2, 3, 4, 5), state: 'ready', deadLetteredFrom: null,
  }];
  const { admin, cwd, env } = await setUp(t, () => ({ status: 200, body: { messages } }));

  const table = await runNimbus(['queue', 'peek', 'orders', '--limit', '3'], { cwd: cwd.path, env });
  assert.equal(table.code, 0, table.stderr);
  assert.equal(admin.requests[0]!.method, 'GET');
  assert.equal(admin.requests[0]!.path, '/_nimbus/api/v1/queues/orders/messages?limit=3');
  assert.deepEqual(lines(table.stdout), [
    'ID  STATE  PRIORITY  ATTEMPTS  ENQUEUED              BODY',
    'm1  ready  0         1         2026-01-02T03:04:05Z  {"id":7}',
  ]);

  const json = await runNimbus(['queue', 'peek', 'orders', '--json'], { cwd: cwd.path, env });
  assert.deepEqual(JSON.parse(json.stdout), { messages });
});

test('queue purge and redrive report how many messages moved', async (t) => {
  const { admin, cwd, env } = await setUp(t, (req) => (req.method === 'DELETE' ? { status: 200, body: { purged: 4 } } : { status: 200, body: { redriven: 1 } }));

  const purge = await runNimbus(['queue', 'purge', 'orders'], { cwd: cwd.path, env });
  const redrive = await runNimbus(['queue', 'redrive', 'orders'], { cwd: cwd.path, env });

  assert.deepEqual(lines(purge.stdout), ['Purged 4 messages from orders']);
  assert.deepEqual(lines(redrive.stdout), ['Redrove 1 dead letter (orders)']);
  assert.deepEqual(admin.requests.map((r) => [r.method, r.path]), [
    ['DELETE', '/_nimbus/api/v1/queues/orders/messages'],
    ['POST', '/_nimbus/api/v1/queues/orders/redrive'],
  ]);
});

test('queue peek of an unknown queue exits 1 with the server message', async (t) => {
  const { cwd, env } = await setUp(t, () => ({ status: 404, body: { error: { code: 'NIMBUS_ERR_API_NOT_FOUND', message: 'no such queue: ghost' } } }));

  const run = await runNimbus(['queue', 'peek', 'ghost'], { cwd: cwd.path, env });

  assert.equal(run.code, 1);
  assert.deepEqual(lines(run.stderr), ['nimbus: no such queue: ghost']);
});
