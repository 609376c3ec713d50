import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchDecisions } from '../../../src/sdk/adapters/workers/message-batch.js';
import { decodeQueueBody, encodeQueueBody } from '../../../src/sdk/adapters/workers/queue-body.js';
import { decodeR2Metadata, encodeR2Metadata, R2_METADATA_NAME } from '../../../src/sdk/adapters/workers/r2-metadata.js';

const batch = () => new BatchDecisions({
  queue: 'jobs',
  messages: ['a', 'b', 'c'].map((id, i) => ({ id, body: { n: i }, attempt: 1, enqueuedAt: 1_700_000_000_000 })),
});
const message = (d: BatchDecisions, id: string) => d.batch.messages.find((m) => m.id === id)!;

// Precedence as https://developers.cloudflare.com/queues/configuration/batching-retries/ describes it:
// a message's own ack()/retry() wins over ackAll()/retryAll(), whatever the order, and the first call wins.
test('a handler that returns acknowledges what it did not retry', () => {
  const d = batch();
  message(d, 'b').retry({ delaySeconds: 30 });
  assert.deepEqual(d.result(false), { failed: ['b'], retryDelayMs: { b: 30_000 } });
});

test('own decisions win over the batch-wide call, in either order; the first call of each kind wins', () => {
  const d = batch();
  message(d, 'a').ack();
  d.batch.retryAll({ delaySeconds: 5 });
  message(d, 'b').retry();
  message(d, 'b').ack();
  d.batch.ackAll();
  assert.deepEqual(d.result(false), { failed: ['b', 'c'], retryDelayMs: { c: 5_000 } });
});

test('a handler that throws retries what it did not acknowledge; with nothing decided the throw is the invocation\'s', () => {
  const d = batch();
  assert.equal(d.explicit, false);
  message(d, 'a').ack();
  assert.equal(d.explicit, true);
  assert.deepEqual(d.result(true), { failed: ['b', 'c'] });
  const all = batch();
  all.batch.ackAll();
  assert.equal(all.result(true), undefined);
});

test('messages carry Cloudflare\'s fields: timestamp as a Date, attempts from 1', () => {
  const m = message(batch(), 'c');
  assert.deepEqual({ id: m.id, body: m.body, attempts: m.attempts, timestamp: m.timestamp }, { id: 'c', body: { n: 2 }, attempts: 1, timestamp: new Date(1_700_000_000_000) });
  assert.throws(() => m.retry({ delaySeconds: -1 }), /delaySeconds must be a number of seconds ≥ 0/);
});

test('queue bodies: bytes survive the JSON queue as the view they were sent as; JSON values pass as they are', () => {
  const roundTrip = (value: unknown) => decodeQueueBody(JSON.parse(JSON.stringify(encodeQueueBody(value))));
  assert.deepEqual(roundTrip(new Uint8Array([1, 2, 255])), new Uint8Array([1, 2, 255]));
  const buffer = roundTrip(new Uint8Array([9, 8]).buffer);
  assert.ok(buffer instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(buffer as ArrayBuffer)], [9, 8]);
  assert.deepEqual(roundTrip({ a: [1, 'x'], b: null }), { a: [1, 'x'], b: null });
  assert.equal(roundTrip('text'), 'text');
});

test('R2 metadata: custom names and values of any case and charset, and HTTP metadata, round-trip through one header-safe entry', () => {
  const expiry = new Date('2027-01-01T00:00:00Z');
  const { contentType, metadata } = encodeR2Metadata({ contentType: 'text/csv', contentLanguage: 'de', cacheExpiry: expiry }, { CamelCase: 'Grüße' });
  assert.equal(contentType, 'text/csv');
  assert.deepEqual(Object.keys(metadata), [R2_METADATA_NAME]);
  assert.match(metadata[R2_METADATA_NAME]!, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeR2Metadata({ contentType: 'text/csv', metadata }), {
    httpMetadata: { contentType: 'text/csv', contentLanguage: 'de', cacheExpiry: expiry },
    customMetadata: { CamelCase: 'Grüße' },
  });
  // Written natively (CLI, S3 clients, ctx.blobs): its own metadata is the custom metadata.
  assert.deepEqual(decodeR2Metadata({ contentType: 'image/png', metadata: { owner: 'ada' } }), { httpMetadata: { contentType: 'image/png' }, customMetadata: { owner: 'ada' } });
  assert.deepEqual(encodeR2Metadata(undefined, undefined), { metadata: {} });
});
