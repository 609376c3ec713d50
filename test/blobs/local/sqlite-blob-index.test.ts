import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { BlobEventRecord } from '../../../src/blobs/blob-event-log.js';
import { openLocalBackend } from './temp-local-backend.js';

const body = (s: string): Readable => Readable.from([Buffer.from(s)]);

test('every create, overwrite and delete is one event, with a per-bucket increasing sequencer', async () => {
  const t = await openLocalBackend();
  try {
    await t.backend.putObject('a-bucket', 'x', body('1'), { contentType: 'text/plain' });
    await t.backend.putObject('b-bucket', 'y', body('22'));
    await t.backend.putObject('a-bucket', 'x', body('333'));
    await t.backend.deleteObject('a-bucket', 'x');
    await t.backend.deleteObject('a-bucket', 'x'); // nothing to delete: no event
    const events = await t.index.readAfter('reader', 100);
    assert.deepEqual(
      events.map((e) => [e.bucket, e.key, e.eventType, e.size, e.sequencer]),
      [
        ['a-bucket', 'x', 'created', 1, '0000000000000001'],
        ['b-bucket', 'y', 'created', 2, '0000000000000001'],
        ['a-bucket', 'x', 'updated', 3, '0000000000000002'],
        ['a-bucket', 'x', 'deleted', 3, '0000000000000003'],
      ],
    );
    assert.ok(events.every((e, i) => i === 0 || e.position > (events[i - 1] as BlobEventRecord).position));
    assert.equal(events[0]?.contentType, 'text/plain');
    assert.equal(events[3]?.etag, events[2]?.etag, 'a delete event carries what was deleted');
  } finally {
    await t.dispose();
  }
});

test('a re-created bucket never reuses a sequencer', async () => {
  const t = await openLocalBackend();
  try {
    const first = await t.backend.putObject('again', 'k', body('x'));
    await t.backend.deleteObject('again', 'k');
    await t.backend.deleteBucket('again');
    const second = await t.backend.putObject('again', 'k', body('x'));
    assert.ok(second.sequencer > first.sequencer);
  } finally {
    await t.dispose();
  }
});

test('cursors are durable, named, and never move backwards', async () => {
  const t = await openLocalBackend();
  for (const k of ['a', 'b', 'c']) await t.backend.putObject('cur', k, body(k));
  const [first, second] = await t.index.readAfter('one', 2);
  assert.deepEqual([first?.key, second?.key], ['a', 'b']);
  await t.index.advance('one', (second as BlobEventRecord).position);
  await t.index.advance('one', (first as BlobEventRecord).position); // ignored: backwards
  await t.close();

  const reopened = await openLocalBackend(t.dir);
  try {
    assert.deepEqual((await reopened.index.readAfter('one', 10)).map((e) => e.key), ['c']);
    assert.deepEqual((await reopened.index.readAfter('other', 10)).map((e) => e.key), ['a', 'b', 'c'], 'a new cursor starts at the beginning');
    await assert.rejects(reopened.index.readAfter('one', 0), RangeError);
    await assert.rejects(reopened.index.readAfter('', 1), RangeError);
  } finally {
    await reopened.dispose();
  }
});

test('onEvent wakes listeners after the commit, and unsubscribes', async () => {
  const t = await openLocalBackend();
  try {
    const heard: string[] = [];
    const off = t.index.onEvent((e) => {
      heard.push(`${e.eventType}:${e.key}`);
      throw new Error('a faulty listener does not fail the write');
    });
    await t.backend.putObject('wake', 'k', body('x'));
    off();
    await t.backend.putObject('wake', 'k', body('y'));
    assert.deepEqual(heard, ['created:k']);
  } finally {
    await t.dispose();
  }
});

test('a refused write records no event', async () => {
  const t = await openLocalBackend();
  try {
    await t.backend.putObject('refuse', 'k', body('x'));
    await assert.rejects(t.backend.putObject('refuse', 'k', body('y'), { ifNoneMatch: '*' }));
    assert.equal((await t.index.readAfter('r', 10)).length, 1);
  } finally {
    await t.dispose();
  }
});
