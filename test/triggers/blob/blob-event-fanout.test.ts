import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { LocalBlobBackend } from '../../../src/blobs/local/local-blob-backend.js';
import { SqliteBlobIndex } from '../../../src/blobs/local/sqlite-blob-index.js';
import type { BlobEvent } from '../../../src/sdk/definition.js';
import { BlobEventFanout, type BlobTriggerBinding } from '../../../src/triggers/blob/blob-event-fanout.js';
import { openLocalBackend, type TempLocalBackend } from '../../blobs/local/temp-local-backend.js';
import { FakeClock } from './fake-clock.js';

const body = (s: string): Readable => Readable.from([Buffer.from(s)]);

interface SinkCall {
  queue: string;
  bodies: BlobEvent[];
}

/** A sink that records what it was given; `fail` makes the next calls reject. */
function recordingSink(): { calls: SinkCall[]; fail: boolean; enqueue(queue: string, bodies: unknown[]): Promise<void> } {
  const sink = {
    calls: [] as SinkCall[],
    fail: false,
    async enqueue(queue: string, bodies: unknown[]): Promise<void> {
      if (sink.fail) throw new Error('queue unavailable');
      sink.calls.push({ queue, bodies: bodies as BlobEvent[] });
    },
  };
  return sink;
}

const trigger = (functionName: string, settings: BlobTriggerBinding['settings']): BlobTriggerBinding => ({ app: 'gallery', functionName, version: 3, settings });

/** Waits (yielding to the event loop) until the condition holds; a hang fails the test by its timeout. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await tick();
}

async function withStore(fn: (t: TempLocalBackend, clock: FakeClock) => Promise<void>): Promise<void> {
  const clock = new FakeClock();
  const t = await openLocalBackend(undefined, clock);
  try {
    await fn(t, clock);
  } finally {
    await t.dispose();
  }
}

test('matching events go to the function\'s queue as BlobEvents with the captured params', () =>
  withStore(async (t, clock) => {
    const sink = recordingSink();
    const fanout = new BlobEventFanout({ events: t.index, enqueue: sink.enqueue, clock });
    fanout.sync([trigger('thumbnail', { bucket: 'photos', path: 'images/{name}.{ext}' })]);
    const put = await t.backend.putObject('photos', 'images/cat.jpg', body('meow'), { contentType: 'image/jpeg' });
    assert.equal(await fanout.drain(), 1);
    assert.deepEqual(sink.calls, [{
      queue: '_blob.gallery.thumbnail',
      bodies: [{
        bucket: 'photos', key: 'images/cat.jpg', eventType: 'created', size: 4, etag: put.etag,
        contentType: 'image/jpeg', sequencer: put.sequencer, params: { name: 'cat', ext: 'jpg' },
      }],
    }]);
  }));

test('pattern misses, other buckets and unwanted event types enqueue nothing', () =>
  withStore(async (t, clock) => {
    const sink = recordingSink();
    const fanout = new BlobEventFanout({ events: t.index, enqueue: sink.enqueue, clock });
    fanout.sync([
      trigger('onCreate', { bucket: 'photos', path: 'images/{name}.jpg', events: ['created'] }),
      trigger('onDelete', { bucket: 'photos', events: ['deleted'] }),
    ]);
    await t.backend.putObject('photos', 'images/cat.jpg', body('1'));
    await t.backend.putObject('photos', 'images/cat.jpg', body('2')); // updated: neither wants it
    await t.backend.putObject('photos', 'images/nested/dog.jpg', body('3')); // {name} is one segment
    await t.backend.putObject('photos', 'docs/cat.jpg', body('4'));
    await t.backend.putObject('albums', 'images/cat.jpg', body('5')); // another bucket
    await t.backend.deleteObject('photos', 'docs/cat.jpg');
    assert.equal(await fanout.drain(), 6);
    assert.deepEqual(
      sink.calls.map((c) => [c.queue, c.bodies.map((b) => `${b.eventType} ${b.key}`)]),
      [
        ['_blob.gallery.onCreate', ['created images/cat.jpg']],
        ['_blob.gallery.onDelete', ['deleted docs/cat.jpg']],
      ],
    );
    assert.equal(await fanout.drain(), 0, 'read events are not read again');
  }));

test('one event that several triggers match goes to each of their queues', () =>
  withStore(async (t, clock) => {
    const sink = recordingSink();
    const fanout = new BlobEventFanout({ events: t.index, enqueue: sink.enqueue, clock });
    fanout.sync([trigger('a', { bucket: 'photos' }), trigger('b', { bucket: 'photos', path: '{file}' })]);
    await t.backend.putObject('photos', 'x.png', body('x'));
    await fanout.drain();
    assert.deepEqual(sink.calls.map((c) => [c.queue, c.bodies[0]?.params]), [['_blob.gallery.a', {}], ['_blob.gallery.b', { file: 'x.png' }]]);
  }));

test('the cursor moves only after the sink resolved: a failing sink gets the same events again', () =>
  withStore(async (t, clock) => {
    const sink = recordingSink();
    const fanout = new BlobEventFanout({ events: t.index, enqueue: sink.enqueue, clock });
    fanout.sync([trigger('fn', { bucket: 'photos' })]);
    await t.backend.putObject('photos', 'a', body('a'));
    sink.fail = true;
    await assert.rejects(fanout.drain(), /queue unavailable/);
    assert.equal((await t.index.readAfter('blob-fanout', 10)).length, 1, 'the cursor did not move');

    // While the sink has not resolved, the cursor stays put.
    let release!: () => void;
    const held: SinkCall[] = [];
    const slow = new BlobEventFanout({
      events: t.index, clock,
      enqueue: (queue, bodies) => new Promise<void>((resolve) => {
        held.push({ queue, bodies: bodies as BlobEvent[] });
        release = resolve;
      }),
    });
    slow.sync([trigger('fn', { bucket: 'photos' })]);
    const draining = slow.drain();
    await until(() => held.length === 1);
    assert.equal((await t.index.readAfter('blob-fanout', 10)).length, 1);
    release();
    assert.equal(await draining, 1);
    assert.deepEqual(await t.index.readAfter('blob-fanout', 10), []);
  }));

test('after a failed hand-off and a restart, the events are delivered by the new process', async () => {
  const first = await openLocalBackend(undefined, new FakeClock());
  const sink = recordingSink();
  sink.fail = true;
  const before = new BlobEventFanout({ events: first.index, enqueue: sink.enqueue, clock: new FakeClock() });
  before.sync([trigger('fn', { bucket: 'photos' })]);
  await first.backend.putObject('photos', 'kept.txt', body('x'));
  await assert.rejects(before.drain());
  await first.close();

  const reopened = await openLocalBackend(first.dir, new FakeClock());
  try {
    const after = recordingSink();
    const fanout = new BlobEventFanout({ events: reopened.index, enqueue: after.enqueue, clock: new FakeClock() });
    fanout.sync([trigger('fn', { bucket: 'photos' })]);
    await fanout.drain();
    assert.deepEqual(after.calls.map((c) => c.bodies.map((b) => b.key)), [['kept.txt']]);
  } finally {
    await reopened.dispose();
  }
});

test('once started, a write in this process wakes the fan-out at once, without waiting for a poll', () =>
  withStore(async (t, clock) => {
    const sink = recordingSink();
    const fanout = new BlobEventFanout({ events: t.index, enqueue: sink.enqueue, clock, pollIntervalMs: 60_000 });
    fanout.sync([trigger('fn', { bucket: 'photos' })]);
    fanout.start();
    await t.backend.putObject('photos', 'one', body('1'));
    await until(() => sink.calls.length === 1);
    await t.backend.putObject('photos', 'two', body('2'));
    await until(() => sink.calls.length === 2);
    assert.deepEqual(sink.calls.map((c) => c.bodies[0]?.key), ['one', 'two']);
    await fanout.stop();
    await t.backend.putObject('photos', 'three', body('3'));
    clock.advance(120_000);
    await tick();
    assert.equal(sink.calls.length, 2, 'a stopped fan-out hands on nothing');
  }));

test('writes by another process (no wake-up) are found by the poll on the clock', () =>
  withStore(async (t, clock) => {
    const sink = recordingSink();
    const fanout = new BlobEventFanout({ events: t.index, enqueue: sink.enqueue, clock, pollIntervalMs: 5_000 });
    fanout.sync([trigger('fn', { bucket: 'photos' })]);
    fanout.start();
    await until(() => clock.pending().includes(5_000));

    // Another connection to the same database stands in for another process.
    const otherDb = openDatabase(join(t.dir, 'state.db'));
    const otherBackend = await LocalBlobBackend.open({ root: join(t.dir, 'blobs'), index: new SqliteBlobIndex(otherDb, clock) });
    await otherBackend.putObject('photos', 'from-elsewhere', body('x'));
    otherDb.close();
    await tick();
    assert.equal(sink.calls.length, 0, 'no in-process wake-up for a write made elsewhere');

    clock.advance(5_000);
    await until(() => sink.calls.length === 1);
    assert.equal(sink.calls[0]?.bodies[0]?.key, 'from-elsewhere');
    await fanout.stop();
  }));

test('a failing sink is retried on the clock with backoff, and errors are reported', () =>
  withStore(async (t, clock) => {
    const sink = recordingSink();
    const errors: unknown[] = [];
    const fanout = new BlobEventFanout({ events: t.index, enqueue: sink.enqueue, clock, pollIntervalMs: 1_000, onError: (e) => errors.push(e) });
    fanout.sync([trigger('fn', { bucket: 'photos' })]);
    sink.fail = true;
    await t.backend.putObject('photos', 'retry-me', body('x'));
    fanout.start();
    await until(() => errors.length === 1);
    const [retryIn] = clock.pending();
    assert.ok(retryIn !== undefined && retryIn >= 500 && retryIn <= 1_000, `first retry within the backoff bound, got ${retryIn}`);
    sink.fail = false;
    clock.advance(retryIn);
    await until(() => sink.calls.length === 1);
    assert.equal(sink.calls[0]?.bodies[0]?.key, 'retry-me');
    await fanout.stop();
  }));

test('sync refuses an invalid trigger and keeps the previous set', () =>
  withStore(async (t, clock) => {
    const sink = recordingSink();
    const fanout = new BlobEventFanout({ events: t.index, enqueue: sink.enqueue, clock });
    fanout.sync([trigger('fn', { bucket: 'photos' })]);
    assert.throws(() => fanout.sync([trigger('bad', { bucket: 'photos', path: '{a}{b}' })]), { code: 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION' });
    await t.backend.putObject('photos', 'k', body('x'));
    await fanout.drain();
    assert.deepEqual(sink.calls.map((c) => c.queue), ['_blob.gallery.fn']);
  }));
