import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchBlobs } from '../../bench/blobs.js';

test('the blob bench reports copyFile, upload and download rows and cleans up after itself', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-bench-blobs-'));
  try {
    const { rows } = await benchBlobs(dir, { sizeMb: 4 });
    assert.deepEqual(rows.map((r) => r.op), ['fs.copyFile (baseline)', 'PUT via blob API (hash + fsync + commit)', 'GET via blob API (to a file)']);
    for (const row of rows) {
      assert.equal(row.mb, 4);
      assert.ok(typeof row.mbPerSec === 'number' && row.mbPerSec > 0);
      assert.ok(typeof row.ratioToCopy === 'number' && row.ratioToCopy > 0);
    }
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
