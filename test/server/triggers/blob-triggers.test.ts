/**
 * Blob triggers through a real node: writes through the blob HTTP API become
 * `created`, `updated` and `deleted` events with the pattern's captures; keys
 * outside the pattern fire nothing; a handler reads the object (streamed) and
 * writes another through ctx.blobs; a failing handler is retried and then
 * dead-lettered; and a burst of uploads is delivered in full while the
 * function's instance cap holds.
 *
 * The handler records every event it gets in the `events` bucket as
 * `rec/<key>/<sequencer>-<eventType>/<invocation id>` with the event as JSON.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { admin, eventually, instanceCount } from '../../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';
import { blobKeys, blobText, deleteBlob, putBlob, queueStats } from './trigger-fixtures.js';

const MAX_INSTANCES = 2;
const BURST = 50;

const APP = `
import { blob } from 'nimbus-functions';

export const images = blob(
  { bucket: 'uploads', path: 'images/{name}.{ext}', events: ['created', 'updated', 'deleted'], maxInstances: ${MAX_INSTANCES}, concurrency: 1 },
  async (event, ctx) => {
    if (event.params.name.startsWith('many-')) await new Promise((r) => setTimeout(r, 20));
    let thumbnail = null;
    if (event.eventType !== 'deleted' && !event.params.name.startsWith('many-')) {
      const object = await ctx.blobs.get(event.bucket, event.key);
      if (object) {
        // Read the body as a stream, chunk by chunk, the way a real image resizer would.
        const reader = object.body.getReader();
        const chunks = [];
        for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
        const bytes = Buffer.concat(chunks);
        thumbnail = 'thumb of ' + bytes.length + ' bytes: ' + bytes.subarray(0, 16).toString();
        await ctx.blobs.put('thumbnails', event.params.name + '.txt', thumbnail, { contentType: 'text/plain' });
      }
    }
    await ctx.blobs.put('events', 'rec/' + event.key + '/' + event.sequencer + '-' + event.eventType + '/' + ctx.invocationId, JSON.stringify({ ...event, thumbnail }));
  },
);

export const broken = blob({ bucket: 'uploads', path: 'broken/{name}', maxAttempts: 3, backoff: { initialMs: 20, maxMs: 50 } }, async (event, ctx) => {
  await ctx.blobs.put('events', 'broken/' + event.sequencer + '/' + ctx.invocationId, 'tried');
  throw new Error('cannot process ' + event.key);
});
`;

interface RecordedEvent {
  bucket: string; key: string; eventType: string; size: number; etag: string; contentType: string; sequencer: string;
  params: Record<string, string>; thumbnail: string | null;
}

/** The events recorded for `key`, in sequencer order. */
async function eventsFor(node: TestNode, key: string): Promise<RecordedEvent[]> {
  const keys = await blobKeys(node, 'events', `rec/${key}/`);
  const events = await Promise.all(keys.map(async (k) => JSON.parse((await blobText(node, 'events', k))!) as RecordedEvent));
  return events.sort((a, b) => (a.sequencer < b.sequencer ? -1 : 1));
}

const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;

describe('blob triggers on a node', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
    const deployed = await node.deploy('media', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  test('create, overwrite and delete become created, updated and deleted events with the captures', async () => {
    const v1 = 'PNG-v1 a small cat';
    const put1 = await putBlob(node, 'uploads', 'images/cat.png', v1, 'image/png');
    assert.equal(put1.status, 201);
    assert.equal(put1.body.eventType, 'created');
    await eventually(async () => (await eventsFor(node, 'images/cat.png')).length >= 1, 15_000, 'the created event');

    const v2 = 'PNG-v2 a bigger cat, overwritten';
    const put2 = await putBlob(node, 'uploads', 'images/cat.png', v2, 'image/png');
    assert.equal(put2.status, 200);
    await eventually(async () => (await eventsFor(node, 'images/cat.png')).length >= 2, 15_000, 'the updated event');

    assert.equal(await deleteBlob(node, 'uploads', 'images/cat.png'), 204);
    await eventually(async () => (await eventsFor(node, 'images/cat.png')).length >= 3, 15_000, 'the deleted event');

    const [created, updated, deleted] = await eventsFor(node, 'images/cat.png');
    assert.deepEqual(
      { ...created, thumbnail: undefined },
      { bucket: 'uploads', key: 'images/cat.png', eventType: 'created', size: v1.length, etag: md5(v1), contentType: 'image/png', sequencer: put1.body.sequencer, params: { name: 'cat', ext: 'png' }, thumbnail: undefined },
    );
    assert.equal(updated!.eventType, 'updated');
    assert.equal(updated!.etag, md5(v2));
    assert.equal(updated!.size, v2.length);
    assert.equal(updated!.sequencer, put2.body.sequencer);
    assert.ok(created!.sequencer < updated!.sequencer && updated!.sequencer < deleted!.sequencer, 'sequencers increase');
    assert.equal(deleted!.eventType, 'deleted');
    assert.deepEqual(deleted!.params, { name: 'cat', ext: 'png' });
  });

  test('the handler streams the object with ctx.blobs.get and writes a thumbnail with ctx.blobs.put', async () => {
    const content = 'GIF89a-' + 'x'.repeat(200_000);
    await putBlob(node, 'uploads', 'images/dog.gif', content, 'image/gif');
    const expected = `thumb of ${content.length} bytes: ${content.slice(0, 16)}`;
    await eventually(async () => (await blobText(node, 'thumbnails', 'dog.txt')) === expected, 15_000, 'the thumbnail');
    // The handler writes its record after the thumbnail.
    await eventually(async () => (await eventsFor(node, 'images/dog.gif')).length === 1, 15_000, 'the event record');
    const [event] = await eventsFor(node, 'images/dog.gif');
    assert.equal(event?.thumbnail, expected);
    assert.deepEqual(event?.params, { name: 'dog', ext: 'gif' });
  });

  test('a key outside the pattern fires nothing', async () => {
    await putBlob(node, 'uploads', 'docs/readme.txt', 'not an image');
    await putBlob(node, 'uploads', 'images/nested/deep.png', 'one segment only');
    // Events are handed on in log order: once this later one is handled, the earlier ones were considered.
    await putBlob(node, 'uploads', 'images/marker.png', 'after');
    await eventually(async () => (await eventsFor(node, 'images/marker.png')).length === 1, 15_000, 'the marker event');
    assert.deepEqual(await blobKeys(node, 'events', 'rec/docs/'), []);
    assert.deepEqual(await blobKeys(node, 'events', 'rec/images/nested/'), []);
  });

  test('a handler that keeps failing is retried, then its event is dead-lettered', async () => {
    const put = await putBlob(node, 'uploads', 'broken/one', 'bad input');
    const dlq = '_blob.media.broken.dlq';
    await eventually(async () => (await queueStats(node, dlq))?.depth === 1, 20_000, `the event in ${dlq}`);
    const tries = await blobKeys(node, 'events', `broken/${put.body.sequencer}/`);
    assert.equal(tries.length, 3, `tried ${tries.length} times, maxAttempts is 3`);
    const peek = await admin(node, 'GET', `/queues/${dlq}/messages`);
    const [dead] = peek.body.messages;
    assert.equal(dead.body.key, 'broken/one');
    assert.equal(dead.body.sequencer, put.body.sequencer);
    assert.equal(dead.attempts, 3);
    assert.match(dead.lastError, /cannot process broken\/one/);
  });

  test(`${BURST} uploads at once are all delivered while maxInstances: ${MAX_INSTANCES} holds`, async () => {
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, await instanceCount(node, 'media', 'images'));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      const puts = await Promise.all(Array.from({ length: BURST }, (_, i) => putBlob(node, 'uploads', `images/many-${i}.jpg`, `photo ${i}`)));
      assert.ok(puts.every((p) => p.status === 201));
      const expected = new Set(puts.map((p) => `${p.body.key}/${p.body.sequencer}-created`));
      let seen = new Set<string>();
      await eventually(async () => {
        seen = new Set((await blobKeys(node, 'events', 'rec/images/many-')).map((k) => k.slice(4, k.lastIndexOf('/'))));
        return [...expected].every((e) => seen.has(e));
      }, 30_000, `all ${BURST} events`).catch((error: Error) => {
        throw new Error(`${error.message}: ${[...expected].filter((e) => !seen.has(e)).length} missing`);
      });
      assert.equal(seen.size, BURST, 'one event per upload, nothing else');
    } finally {
      sampling = false;
      await sampler;
    }
    assert.ok(most >= 1, 'the sampler never saw an instance');
    assert.ok(most <= MAX_INSTANCES, `saw ${most} instances of images, the cap is ${MAX_INSTANCES}`);
  });
});
