import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cron } from 'croner';
import { app, output, type InvocationContext, type Timer } from '../../../src/sdk/adapters/azure/index.js';
import { cronFromSchedule } from '../../../src/sdk/adapters/azure/schedule.js';
import type { BlobEvent, QueueBatch, TimerTick } from '../../../src/sdk/definition.js';
import { blobMetadataNames, ncrontabExamples, queueMetadataTypes, timerExample } from './fixtures/events.js';
import { definitionsOf, fakeContext, invoke } from './harness.js';

const batch = (bodies: unknown[]): QueueBatch => ({
  queue: 'orders',
  messages: bodies.map((body, i) => ({ id: `m${i}`, body, attempt: 1, enqueuedAt: Date.UTC(2026, 0, 1) })),
});

test('a storage queue function gets each message as Azure gives it, with the documented metadata', async () => {
  const seen: { entry: unknown; context: InvocationContext }[] = [];
  const defs = definitionsOf(() => app.storageQueue('processOrder', {
    queueName: 'orders', connection: 'AzureWebJobsStorage',
    handler: (entry, context) => void seen.push({ entry, context }),
  }));
  assert.deepEqual(defs['processOrder']!.settings, {
    queue: 'orders', batchSize: 16, maxAttempts: 5, deadLetterQueue: 'orders-poison', backoff: { initialMs: 0, maxMs: 0 }, origin: 'azure',
  }, 'host.json defaults: batchSize 16, maxDequeueCount 5, visibilityTimeout 0, poison queue <name>-poison');

  const result = await invoke(defs['processOrder'], batch([{ orderId: 1 }, '{"parsed":true}', 'plain text', 42]), fakeContext());
  assert.deepEqual(result, { failed: [] });
  assert.deepEqual(seen.map((s) => s.entry), [{ orderId: 1 }, { parsed: true }, 'plain text', 42], 'JSON parsed, other text as a string');
  const metadata = seen[0]!.context.triggerMetadata!;
  for (const [name, type] of Object.entries(queueMetadataTypes)) assert.equal(typeof metadata[name], type, name);
  assert.deepEqual([metadata['id'], metadata['dequeueCount'], metadata['insertionTime']], ['m0', 1, '2026-01-01T00:00:00.000Z']);
  assert.equal(metadata['expirationTime'], '2026-01-08T00:00:00.000Z', 'seven days after insertion');
  assert.deepEqual(metadata['queueTrigger'], { orderId: 1 });
  assert.equal(seen[0]!.context.functionName, 'processOrder');
});

test('host.json queue settings map to batch size, attempts and retry delay; a failed message alone is retried', async () => {
  const defs = definitionsOf(() => app.storageQueue('work', {
    queueName: 'jobs', connection: 'c',
    handler: (entry) => {
      if ((entry as { fail?: boolean }).fail) throw new Error('cannot');
    },
  }), { queues: { batchSize: 4, maxDequeueCount: 3, visibilityTimeoutMs: 2000 } });
  assert.deepEqual(defs['work']!.settings, { queue: 'jobs', batchSize: 4, maxAttempts: 3, deadLetterQueue: 'jobs-poison', backoff: { initialMs: 2000, maxMs: 2000 }, origin: 'azure' });
  const original = console.error;
  console.error = () => {};
  try {
    assert.deepEqual(await invoke(defs['work'], batch([{ ok: 1 }, { fail: true }, { ok: 2 }]), fakeContext()), { failed: ['m1'] });
  } finally {
    console.error = original;
  }
});

test('a blob function gets the content as a Buffer, the path captures and the documented metadata; only new and updated blobs', async () => {
  let seen: { content: unknown; context: InvocationContext } | undefined;
  const defs = definitionsOf(() => app.storageBlob('resize', {
    path: 'samples-workitems/{name}.{ext}', connection: 'AzureWebJobsStorage',
    return: output.storageBlob({ path: 'done/{name}.txt', connection: 'c' }),
    handler: (content, context) => {
      seen = { content, context };
      return `seen ${(content as Buffer).length} bytes`;
    },
  }));
  assert.deepEqual(defs['resize']!.settings, { bucket: 'samples-workitems', path: '{name**}.{ext**}', events: ['created', 'updated'], origin: 'azure' });
  const ctx = fakeContext();
  ctx.recorded.blobs.set('samples-workitems/photos/cat.png', { body: Buffer.from('PNGDATA'), contentType: 'image/png', metadata: { owner: 'ada' } });
  const event: BlobEvent = { bucket: 'samples-workitems', key: 'photos/cat.png', eventType: 'created', size: 7, etag: '"x"', contentType: 'image/png', sequencer: '01', params: { name: 'photos/cat', ext: 'png' } };
  await invoke(defs['resize'], event, ctx);
  assert.ok(Buffer.isBuffer(seen!.content));
  assert.equal((seen!.content as Buffer).toString(), 'PNGDATA');
  const metadata = seen!.context.triggerMetadata!;
  for (const name of blobMetadataNames) assert.ok(name in metadata, name);
  assert.deepEqual([metadata['name'], metadata['ext'], metadata['blobTrigger']], ['photos/cat', 'png', 'samples-workitems/photos/cat.png']);
  assert.equal(metadata['uri'], '/_nimbus/api/v1/blobs/samples-workitems/photos/cat.png');
  assert.deepEqual(metadata['metadata'], { owner: 'ada' });
  assert.deepEqual(metadata['properties'], {
    blobType: 'Block', contentLength: 7, contentType: 'image/png', eTag: '"9e107d9d372bb6826bd81d3542a419d6"',
    lastModified: '2026-01-02T03:04:05.000Z', contentHash: Buffer.from('9e107d9d372bb6826bd81d3542a419d6', 'hex').toString('base64'),
  });
  assert.equal(Buffer.from(ctx.recorded.blobs.get('done/photos/cat.txt')!.body).toString(), 'seen 7 bytes', 'the return output, its path from the captures');
});

test('a timer function gets the timer object of the documented example; NCRONTAB is kept, retries only with a retry policy', async () => {
  let seen: Timer | undefined;
  const defs = definitionsOf(() => {
    app.timer('nightly', { schedule: '0 30 9 * * 1-5', runOnStartup: true, handler: (timer) => void (seen = timer) });
    app.timer('retried', { schedule: '0 */5 * * * *', useMonitor: false, retry: { strategy: 'fixedDelay', maxRetryCount: 2, delayInterval: { seconds: 10 } }, handler: () => {} });
  });
  assert.deepEqual(defs['nightly']!.settings, { cron: '0 30 9 * * 1-5', runOnStartup: true, catchUp: 'once', maxAttempts: 1, origin: 'azure' });
  assert.deepEqual(defs['retried']!.settings, { cron: '0 */5 * * * *', runOnStartup: false, catchUp: 'skip', maxAttempts: 3, backoff: { initialMs: 10_000, maxMs: 10_000 }, origin: 'azure' });

  const tick: TimerTick = { scheduledAt: '2016-10-04T10:20:00.000Z', firedAt: '2016-10-04T10:20:00.004Z', isPastDue: false, missed: 0, lastRun: '2016-10-04T10:15:00.000Z' };
  await invoke(defs['nightly'], tick, fakeContext());
  assert.deepEqual(Object.keys(seen!).sort(), Object.keys(timerExample).sort());
  assert.deepEqual(Object.keys(seen!.scheduleStatus).sort(), Object.keys(timerExample.scheduleStatus).sort());
  assert.deepEqual(seen!.schedule, timerExample.schedule);
  assert.equal(seen!.isPastDue, false);
  assert.equal(seen!.scheduleStatus.last, new Date(timerExample.scheduleStatus.last).toISOString());
  assert.equal(seen!.scheduleStatus.next, new Date(timerExample.scheduleStatus.next).toISOString());
});

test('the documented NCRONTAB examples are schedules Nimbus runs; TimeSpan intervals become crons when they divide evenly', () => {
  for (const expression of ncrontabExamples) {
    assert.equal(cronFromSchedule(expression), expression);
    assert.ok(new Cron(expression, { paused: true }).nextRun(), expression);
  }
  assert.equal(cronFromSchedule('00:05:00'), '0 */5 * * * *');
  assert.equal(cronFromSchedule('00:00:15'), '*/15 * * * * *');
  assert.equal(cronFromSchedule('02:00:00'), '0 0 */2 * * *');
  assert.equal(cronFromSchedule('1.00:00:00'), '0 0 0 * * *');
  assert.throws(() => cronFromSchedule('00:07:00'), /does not divide/);
});

test('%SETTING% in a schedule or queue name reads the app setting; a missing one names it', () => {
  process.env['AZ_TEST_SCHEDULE'] = '0 0 * * * *';
  try {
    const defs = definitionsOf(() => app.timer('hourly', { schedule: '%AZ_TEST_SCHEDULE%', handler: () => {} }));
    assert.equal((defs['hourly']!.settings as { cron: string }).cron, '0 0 * * * *');
  } finally {
    delete process.env['AZ_TEST_SCHEDULE'];
  }
  assert.throws(() => definitionsOf(() => app.storageQueue('q', { queueName: '%AZ_TEST_MISSING%', connection: 'c', handler: () => {} })),
    /Azure function "q": queueName reads the app setting %AZ_TEST_MISSING%, which is not set/);
});

test('unsupported triggers refuse to load unless the deploy listed them; names map to identifiers; clashes are refused', () => {
  assert.throws(() => definitionsOf(() => app.cosmosDB('feed', { handler: () => {} })), /Azure function "feed": its cosmosDBTrigger trigger \(app.cosmosDB\) has no Nimbus equivalent/);
  const defs = definitionsOf(() => {
    app.cosmosDB('feed', { handler: () => {} });
    app.http('hello-world', { handler: () => ({}) });
    app.http('2fast', { handler: () => ({}) });
  }, { leftOut: ['feed'] });
  assert.deepEqual(Object.keys(defs), ['hello_world', '_2fast']);
  assert.throws(() => definitionsOf(() => {
    app.http('a-b', { handler: () => ({}) });
    app.http('a_b', { handler: () => ({}) });
  }), /"a-b" and "a_b" both map to the Nimbus name a_b/);
  assert.throws(() => definitionsOf(() => {
    app.http('same', { handler: () => ({}) });
    app.get('same', () => ({}));
  }), /A function with the name "same" has already been registered/);
});
