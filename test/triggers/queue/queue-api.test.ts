import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { NimbusError } from '../../../src/shared/errors.js';
import { MAX_MESSAGE_BYTES } from '../../../src/store/queue-store.js';
import { SqliteQueueStore } from '../../../src/store/sqlite/sqlite-queue-store.js';
import { addQueueApi } from '../../../src/triggers/queue/queue-api.js';
import { AdminRouter } from '../../../src/gateway/admin-router.js';
import { segmentCaller } from '../../helpers/admin-route-call.js';
import { openDatabase, tempDir } from '../../store/sqlite/helpers.js';
import { FakeClock } from '../../helpers/fake-clock.js';

async function withApi(fn: (api: ReturnType<typeof segmentCaller>, store: SqliteQueueStore) => Promise<void>) {
  const tmp = tempDir();
  const db = openDatabase(join(tmp.dir, 'state.db'));
  const store = new SqliteQueueStore(db, new FakeClock());
  try {
    const router = new AdminRouter();
    addQueueApi(router, store);
    await fn(segmentCaller(router), store);
  } finally {
    db.close();
    tmp.remove();
  }
}

const refuses = async (answer: Promise<unknown>, code: string, status: number) =>
  assert.rejects(answer, (err: NimbusError) => {
    assert.ok(err instanceof NimbusError);
    assert.deepEqual([err.code, err.status], [code, status]);
    return true;
  });

test('POST messages takes a list or a single message and answers 201 with ids', async () => {
  await withApi(async (api) => {
    const many = await api('POST', ['queues', 'orders', 'messages'], { messages: [{ body: 1 }, { body: 2, dedupId: 'd', priority: 3, delayMs: 10 }] });
    assert.equal(many.status, 201);
    const { messages } = many.body as { messages: { id: string; duplicate: boolean }[] };
    assert.equal(messages.length, 2);
    const one = await api('POST', ['queues', 'orders', 'messages'], { body: 'x', dedupId: 'd' });
    assert.deepEqual(one, { status: 201, body: { messages: [{ id: messages[1]!.id, duplicate: true }] } });
  });
});

test('GET queues lists stats; GET messages peeks; DELETE purges; POST redrive redrives', async () => {
  await withApi(async (api, store) => {
    await api('POST', ['queues', 'orders', 'messages'], { messages: [{ body: 1 }, { body: 2 }, { body: 3 }] });
    const [m] = await store.receive('orders', 1, 30_000);
    await store.deadLetter(m!.id, 'boom');
    const list = await api('GET', ['queues'], undefined);
    assert.equal(list.status, 200);
    const stats = (list.body as { queues: { name: string; depth: number; deadLettered: number }[] }).queues;
    assert.deepEqual(stats.map((q) => [q.name, q.depth, q.deadLettered]), [['orders', 2, 1], ['orders.dlq', 1, 0]]);

    const peeked = await api('GET', ['queues', 'orders', 'messages'], undefined, new URLSearchParams('limit=1'));
    assert.deepEqual((peeked.body as { messages: { body: unknown }[] }).messages.map((x) => x.body), [2]);
    const peekedViaPath = await api('GET', ['queues', 'orders', 'messages?limit=5'], undefined);
    assert.equal((peekedViaPath.body as { messages: unknown[] }).messages.length, 2);

    assert.deepEqual(await api('POST', ['queues', 'orders.dlq', 'redrive'], undefined), { status: 200, body: { redriven: 1 } });
    assert.deepEqual(await api('DELETE', ['queues', 'orders', 'messages'], undefined), { status: 200, body: { purged: 3 } });
  });
});

test('bad input is refused with the NimbusError the gateway maps to its status', async () => {
  await withApi(async (api) => {
    await refuses(api('POST', ['queues', 'Bad Name', 'messages'], { body: 1 }), 'NIMBUS_ERR_BODY_INVALID', 400);
    await refuses(api('POST', ['queues', '_async.shop.fn', 'messages'], { body: 1 }), 'NIMBUS_ERR_BODY_INVALID', 400);
    await refuses(api('POST', ['queues', 'q', 'messages'], { messages: [] }), 'NIMBUS_ERR_BODY_INVALID', 400);
    await refuses(api('POST', ['queues', 'q', 'messages'], { nothing: true }), 'NIMBUS_ERR_BODY_INVALID', 400);
    await refuses(api('POST', ['queues', 'q', 'messages'], 'text'), 'NIMBUS_ERR_BODY_INVALID', 400);
    await refuses(api('POST', ['queues', 'q', 'messages'], { body: 'x'.repeat(MAX_MESSAGE_BYTES) }), 'NIMBUS_ERR_BODY_TOO_LARGE', 413);
    await refuses(api('POST', ['queues', 'q', 'messages'], { messages: Array.from({ length: 1_001 }, () => ({ body: 1 })) }), 'NIMBUS_ERR_BODY_TOO_LARGE', 413);
    await refuses(api('GET', ['queues', 'q', 'messages'], undefined, new URLSearchParams('limit=0')), 'NIMBUS_ERR_BODY_INVALID', 400);
    await refuses(api('GET', ['queues', 'q', 'messages'], undefined, new URLSearchParams('limit=many')), 'NIMBUS_ERR_BODY_INVALID', 400);
    await refuses(api('PUT', ['queues', 'q', 'messages'], undefined), 'NIMBUS_ERR_METHOD_NOT_ALLOWED', 405);
    await refuses(api('DELETE', ['queues'], undefined), 'NIMBUS_ERR_METHOD_NOT_ALLOWED', 405);
    await refuses(api('GET', ['queues', 'q', 'redrive'], undefined), 'NIMBUS_ERR_METHOD_NOT_ALLOWED', 405);
    await refuses(api('GET', ['queues', 'q', 'other'], undefined), 'NIMBUS_ERR_API_NOT_FOUND', 404);
    await refuses(api('GET', ['queues', 'q', 'messages', 'x'], undefined), 'NIMBUS_ERR_API_NOT_FOUND', 404);
    await refuses(api('GET', ['apps'], undefined), 'NIMBUS_ERR_API_NOT_FOUND', 404);
    // Peek, purge and redrive name a queue that exists; a send makes one.
    await refuses(api('GET', ['queues', 'never-used', 'messages'], undefined), 'NIMBUS_ERR_QUEUE_NOT_FOUND', 404);
    await refuses(api('DELETE', ['queues', 'never-used', 'messages'], undefined), 'NIMBUS_ERR_QUEUE_NOT_FOUND', 404);
    await refuses(api('POST', ['queues', 'never-used', 'redrive'], undefined), 'NIMBUS_ERR_QUEUE_NOT_FOUND', 404);
    await refuses(api('GET', ['queues', 'never-used.dlq', 'messages'], undefined), 'NIMBUS_ERR_QUEUE_NOT_FOUND', 404);
    // Operators may look at internal queues and long dead-letter queues (of a queue that exists).
    assert.equal((await api('POST', ['queues', 'x'.repeat(100), 'messages'], { body: 1 })).status, 201);
    assert.equal((await api('GET', ['queues', '_async.shop.fn.dlq', 'messages'], undefined)).status, 200);
    assert.equal((await api('GET', ['queues', `${'x'.repeat(100)}.dlq`, 'messages'], undefined)).status, 200);
  });
});
