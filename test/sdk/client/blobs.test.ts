import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { NimbusClient } from '../../../src/sdk/client/index.js';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';

let node: TestNode;
let client: NimbusClient;
before(async () => {
  node = await startTestNode();
  client = new NimbusClient({ url: node.url, key: node.adminKey });
});
after(() => node.dispose());

test('the client stores, reads, lists and deletes blobs with metadata, streaming bodies both ways', async () => {
  const put = await client.blobs.put('docs', 'reports/q1.txt', 'first quarter', { contentType: 'text/plain', metadata: { owner: 'ana' } });
  assert.equal(put.size, 13);
  assert.match(put.etag, /^"[0-9a-f]{32}"$/);

  const chunks = [new TextEncoder().encode('streamed '), new TextEncoder().encode('upload')];
  const stream = new ReadableStream<Uint8Array>({ pull(c) { const next = chunks.shift(); if (next) c.enqueue(next); else c.close(); } });
  await client.blobs.put('docs', 'reports/q2.txt', stream);

  const got = await client.blobs.get('docs', 'reports/q1.txt');
  assert.ok(got);
  assert.equal(got.contentType, 'text/plain');
  assert.deepEqual(got.metadata, { owner: 'ana' });
  assert.equal(got.etag, put.etag);
  assert.equal(await got.text(), 'first quarter');
  assert.equal(await (await client.blobs.get('docs', 'reports/q2.txt'))!.text(), 'streamed upload');

  const head = await client.blobs.head('docs', 'reports/q1.txt');
  assert.equal(head?.size, 13);

  const listing = await client.blobs.list('docs', { prefix: 'reports/' });
  assert.deepEqual(listing.objects.map((o) => o.key), ['reports/q1.txt', 'reports/q2.txt']);
  assert.ok((await client.blobs.buckets()).some((b) => b.name === 'docs'));

  await client.blobs.delete('docs', 'reports/q1.txt');
  assert.equal(await client.blobs.get('docs', 'reports/q1.txt'), null);
  assert.equal(await client.blobs.head('docs', 'reports/q1.txt'), null);
  assert.equal(await client.blobs.get('no-such-bucket', 'x'), null);
});
