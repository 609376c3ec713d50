import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeStorage, maskUrl, parseBlobsUrl, parseStoreUrl, StorageConfigError } from '../../src/server/storage-config.js';

describe('--store', () => {
  test('absent, empty or sqlite: is SQLite in the data folder', () => {
    for (const raw of [undefined, '', '  ', 'sqlite:', 'sqlite://']) assert.deepEqual(parseStoreUrl(raw), { kind: 'sqlite', dir: null }, String(raw));
  });

  test('a folder (bare or after sqlite:) is SQLite there', () => {
    assert.deepEqual(parseStoreUrl('/var/lib/nimbus-state'), { kind: 'sqlite', dir: '/var/lib/nimbus-state' });
    assert.deepEqual(parseStoreUrl('./state'), { kind: 'sqlite', dir: './state' });
    assert.deepEqual(parseStoreUrl('sqlite:/srv/state'), { kind: 'sqlite', dir: '/srv/state' });
    assert.deepEqual(parseStoreUrl('sqlite:///srv/state'), { kind: 'sqlite', dir: '/srv/state' });
  });

  test('postgres:// and postgresql:// are PostgreSQL, the URL kept whole', () => {
    for (const url of ['postgres://nimbus:pw@db.internal/nimbus', 'postgresql://db.internal:5433/nimbus?sslmode=require', 'postgres:///nimbus?host=/run/postgresql']) {
      assert.deepEqual(parseStoreUrl(url), { kind: 'postgres', url });
    }
  });

  test('an unknown scheme or a broken PostgreSQL URL names the flag and never shows the password', () => {
    assert.throws(() => parseStoreUrl('mysql://root:hunter2@db/nimbus'), (err: Error) => {
      assert.ok(err instanceof StorageConfigError);
      assert.match(err.message, /^--store: unknown store "mysql:"/);
      return true;
    });
    assert.throws(() => parseStoreUrl('postgres://nimbus:hunter2@'), (err: Error) => {
      assert.match(err.message, /^--store: /);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
  });
});

describe('--blobs', () => {
  test('absent or local is files in the data folder', () => {
    for (const raw of [undefined, '', 'local', 'file']) assert.deepEqual(parseBlobsUrl(raw), { kind: 'file' });
  });

  test('s3://bucket with an endpoint and region is S3', () => {
    const url = 's3://nimbus-blobs/prefix?endpoint=http://minio.internal:9000&region=us-east-1';
    const parsed = parseBlobsUrl(url);
    assert.equal(parsed.kind, 's3');
    assert.ok(parsed.kind === 's3' && parsed.bucket === 'nimbus-blobs' && parsed.prefix === 'prefix/' && parsed.endpoint === 'http://minio.internal:9000' && parsed.region === 'us-east-1');
  });

  test('other schemes, a missing bucket or a bad endpoint name the flag', () => {
    assert.throws(() => parseBlobsUrl('gs://bucket'), /^StorageConfigError: --blobs: expected "file" or s3:\/\//);
    assert.throws(() => parseBlobsUrl('s3://'), /--blobs: /);
    assert.throws(() => parseBlobsUrl('s3://bucket?endpoint=minio:9000'), /--blobs: endpoint "minio:9000" is not an http:\/\/ or https:\/\/ URL/);
  });
});

test('passwords and secret parameters are masked wherever a URL is shown', () => {
  assert.equal(maskUrl('postgres://nimbus:s3cr%40t@db.internal:5432/nimbus'), 'postgres://nimbus:***@db.internal:5432/nimbus');
  assert.equal(maskUrl('postgres://db.internal/nimbus?password=hunter2&sslmode=require'), 'postgres://db.internal/nimbus?password=***&sslmode=require');
  assert.equal(maskUrl('s3://b?endpoint=http://m:9000&region=eu&secretAccessKey=abc'), 's3://b?endpoint=http%3A%2F%2Fm%3A9000&region=eu&secretAccessKey=***');
  assert.equal(maskUrl('postgres://nimbus@db.internal/nimbus'), 'postgres://nimbus@db.internal/nimbus');
  assert.doesNotMatch(maskUrl('postgres://u:hunter2@[bad'), /hunter2/);
  assert.deepEqual(
    describeStorage({ store: { kind: 'postgres', url: 'postgres://u:hunter2@db/n' }, blobs: { kind: 'file' } }, '/data'),
    { store: 'postgres://u:***@db/n', blobs: 'local:/data' },
  );
});
