import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapStatistics } from 'node:v8';
import { wholeBlob } from '../../../src/sdk/adapters/azure/binding-data.js';
import type { BlobObject } from '../../../src/sdk/context.js';

function blobOf(size: number, bytes: Uint8Array): BlobObject & { reads: number } {
  const found = {
    bucket: 'b', key: 'k', size, etag: '"x"', contentType: 'application/octet-stream', metadata: {}, lastModified: 0, reads: 0,
    async arrayBuffer() {
      found.reads++;
      return bytes.slice().buffer;
    },
  };
  return found as unknown as BlobObject & { reads: number };
}

test('a blob binding reads a blob whole, and refuses one larger than half the heap limit without reading it', async () => {
  const small = blobOf(3, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...(await wholeBlob(small, 'b/k'))], [1, 2, 3]);
  const huge = blobOf(getHeapStatistics().heap_size_limit, new Uint8Array(0));
  await assert.rejects(wholeBlob(huge, 'b/huge'), /blob b\/huge is \d+ bytes: an Azure blob binding reads it whole/);
  assert.equal(huge.reads, 0, 'nothing was read');
});
