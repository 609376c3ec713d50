import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlobsConfigError, describeBlobsConfig, parseBlobsSetting } from '../../../src/blobs/s3/s3-blobs-url.js';

const MB = 1024 * 1024;

test('no setting, "" and "file" mean local files', () => {
  for (const value of [undefined, '', 'file', ' file ']) assert.deepEqual(parseBlobsSetting(value), { kind: 'file' });
});

test('an s3:// URL names the bucket, prefix, endpoint, region and path style, with defaults for the rest', () => {
  assert.deepEqual(parseBlobsSetting('s3://nimbus-blobs?endpoint=http://minio.internal:9000&region=us-east-1'), {
    kind: 's3', bucket: 'nimbus-blobs', prefix: '', endpoint: 'http://minio.internal:9000', region: 'us-east-1',
    forcePathStyle: true, partSizeBytes: 8 * MB, queueSize: 4, sweepGraceMs: 60 * 60_000,
  });
  const aws = parseBlobsSetting('s3://my.bucket/cluster/one/?region=eu-west-1&partSizeMb=16&queueSize=2&sweepGraceMinutes=120');
  assert.deepEqual(aws, {
    kind: 's3', bucket: 'my.bucket', prefix: 'cluster/one/', region: 'eu-west-1',
    forcePathStyle: false, partSizeBytes: 16 * MB, queueSize: 2, sweepGraceMs: 120 * 60_000,
  });
  assert.equal(describeBlobsConfig(aws), 's3://my.bucket/cluster/one/ (eu-west-1)');
  const virtualHosted = parseBlobsSetting('s3://b-1?endpoint=https://s3.example.com&forcePathStyle=false');
  assert.equal(virtualHosted.kind === 's3' && virtualHosted.forcePathStyle, false);
});

test('bad URLs are refused with a message that names the problem and holds no secret', () => {
  const cases: [string, RegExp][] = [
    ['http://bucket', /expected "file" or s3:\/\//],
    ['s3://AB?region=x', /not an S3 bucket name/],
    ['s3://ab', /not an S3 bucket name/],
    ['s3://a..b', /not an S3 bucket name/],
    ['s3://key:supersecret@bucket', /no credentials in the URL/],
    ['s3://bucket:9000', /takes no port/],
    ['s3://bucket/a//b', /empty, "\." or "\.\." segment/],
    ['s3://bucket/a/../b', /segment|not a valid/],
    ['s3://bucket?endpoint=minio:9000', /not an http:\/\/ or https:\/\/ URL/],
    ['s3://bucket?endpoint=http://u:supersecret@minio:9000', /no credentials in the endpoint/],
    ['s3://bucket?region=US_EAST', /not a region name/],
    ['s3://bucket?forcePathStyle=yes', /forcePathStyle must be true or false/],
    ['s3://bucket?partSizeMb=4', /partSizeMb must be a whole number from 5 to 5120/],
    ['s3://bucket?queueSize=0', /queueSize must be/],
    ['s3://bucket?sweepGraceMinutes=0', /sweepGraceMinutes must be/],
    ['s3://bucket?acl=public', /unknown parameter "acl"/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parseBlobsSetting(value), (err: unknown) => {
      assert.ok(err instanceof BlobsConfigError, value);
      assert.match(err.message, /^invalid blobs setting \(--blobs \/ NIMBUS_BLOBS\): /);
      assert.match(err.message, message, value);
      assert.doesNotMatch(err.message, /supersecret/);
      return true;
    });
  }
});
