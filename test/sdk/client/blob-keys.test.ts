import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NimbusClient } from '../../../src/sdk/client/index.js';
import { refusal } from './support/refusal.js';
import { admin } from '../../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';

const FORBIDDEN = { status: 403, code: 'NIMBUS_ERR_AUTH_FORBIDDEN' };

describe('blobs keys: an outside app reaches its own buckets with a key of its own', () => {
  let node: TestNode;
  let owner: NimbusClient;
  let writer: NimbusClient;
  let reader: NimbusClient;
  let writerKey = '';

  before(async () => {
    node = await startTestNode();
    owner = new NimbusClient({ url: node.url, key: node.adminKey });
    const key = async (scope: unknown) => {
      const created = await admin(node, 'POST', '/keys', { scope });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.key as string;
    };
    writerKey = await key({ kind: 'blobs', buckets: ['uploads', 'avatars'], access: 'write' });
    writer = new NimbusClient({ url: node.url, key: writerKey });
    reader = new NimbusClient({ url: node.url, key: await key({ kind: 'blobs', buckets: ['reports'], access: 'read' }) });
    await owner.blobs.put('reports', 'q1.txt', 'first quarter');
    await owner.blobs.put('payroll', 'march.csv', 'secret');
  });
  after(() => node?.dispose());

  test('a read-write key puts, gets, heads, lists and deletes in its buckets, and may create one of them', async () => {
    await writer.blobs.put('uploads', 'a/photo.jpg', 'jpeg bytes', { contentType: 'image/jpeg' });
    assert.equal(await (await writer.blobs.get('uploads', 'a/photo.jpg'))!.text(), 'jpeg bytes');
    assert.equal((await writer.blobs.head('uploads', 'a/photo.jpg'))!.contentType, 'image/jpeg');
    assert.deepEqual((await writer.blobs.list('uploads')).objects.map((o) => o.key), ['a/photo.jpg']);
    await writer.blobs.createBucket('avatars');
    await writer.blobs.delete('uploads', 'a/photo.jpg');
    assert.equal(await writer.blobs.get('uploads', 'a/photo.jpg'), null);
  });

  test('a method the blob API does not serve is a 405 for a key of that bucket, naming the methods it does', async () => {
    const answer = await fetch(`${node.url}/_nimbus/api/v1/blobs/uploads/a.txt`, { method: 'POST', headers: { authorization: `Bearer ${writerKey}` } });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.get('allow'), 'GET, HEAD, PUT, DELETE');
    assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'NIMBUS_ERR_METHOD_NOT_ALLOWED');
  });

  test('any other bucket is 403, for reading and writing alike; a bucket is deleted only with the admin key', async () => {
    assert.deepEqual(await refusal(writer.blobs.get('payroll', 'march.csv')), FORBIDDEN);
    assert.deepEqual(await refusal(writer.blobs.list('payroll')), FORBIDDEN);
    assert.deepEqual(await refusal(writer.blobs.put('payroll', 'april.csv', 'x')), FORBIDDEN);
    assert.deepEqual(await refusal(writer.blobs.delete('payroll', 'march.csv')), FORBIDDEN);
    assert.deepEqual(await refusal(writer.blobs.createBucket('payroll2')), FORBIDDEN);
    assert.equal((await refusal(writer.blobs.head('payroll', 'march.csv'))).status, 403, 'a HEAD answer has no body, but its status says it');
    assert.deepEqual(await refusal(writer.blobs.deleteBucket('avatars')), FORBIDDEN);
    assert.equal(await (await owner.blobs.get('payroll', 'march.csv'))!.text(), 'secret', 'nothing was changed');
  });

  test('a read-only key reads its bucket and cannot put or delete there', async () => {
    assert.equal(await (await reader.blobs.get('reports', 'q1.txt'))!.text(), 'first quarter');
    assert.deepEqual((await reader.blobs.list('reports')).objects.map((o) => o.key), ['q1.txt']);
    assert.deepEqual(await refusal(reader.blobs.put('reports', 'q2.txt', 'x')), FORBIDDEN);
    assert.deepEqual(await refusal(reader.blobs.delete('reports', 'q1.txt')), FORBIDDEN);
    assert.deepEqual(await refusal(reader.blobs.createBucket('reports')), FORBIDDEN);
    assert.equal(await (await owner.blobs.get('reports', 'q1.txt'))!.text(), 'first quarter');
  });

  test('the list of buckets shows a blobs key only its own; the admin key sees them all', async () => {
    assert.deepEqual((await writer.blobs.buckets()).map((b) => b.name).sort(), ['avatars', 'uploads']);
    assert.deepEqual((await reader.blobs.buckets()).map((b) => b.name), ['reports']);
    assert.deepEqual((await owner.blobs.buckets()).map((b) => b.name).sort(), ['avatars', 'payroll', 'reports', 'uploads']);
  });

  test('a blobs key opens nothing else: not the admin API, not queues, not functions', async () => {
    for (const client of [writer, reader]) {
      assert.deepEqual(await refusal(client.queue('orders').send({ n: 1 })), FORBIDDEN);
      assert.deepEqual(await refusal(client.invoke('shop/checkout')), FORBIDDEN);
    }
    const blobsKey = (await admin(node, 'POST', '/keys', { scope: { kind: 'blobs', buckets: ['uploads'], access: 'write' } })).body.key as string;
    const keysList = await fetch(`${node.url}/_nimbus/api/v1/keys`, { headers: { authorization: `Bearer ${blobsKey}` } });
    assert.equal(keysList.status, 403);
  });
});
