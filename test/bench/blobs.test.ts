import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchBlobs } from '../../bench/blobs.js';

test('the blob bench measures bare and Nimbus upload and download per round, prints the ratios against the target, and cleans up', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-bench-blobs-'));
  try {
    const { rows } = await benchBlobs(dir, { sizeMb: 4, rounds: 2 });
    const ops = rows.map((r) => String(r.op));
    assert.equal(ops[0], 'fs.copyFile of the same file (context)');
    const perRound = rows.filter((r) => typeof r.round === 'number');
    assert.equal(perRound.length, 8);
    for (const row of perRound) {
      assert.ok(typeof row.mbPerSec === 'number' && row.mbPerSec > 0, JSON.stringify(row));
      assert.ok(typeof row.ratioVsBare === 'number' && row.ratioVsBare > 0, JSON.stringify(row));
    }
    assert.match(ops.at(-2)!, /^PUT ratio vs bare, median of 2 rounds: (met|not met) \(target ≥ 0.5\)$/);
    assert.match(ops.at(-1)!, /^GET ratio vs bare, median of 2 rounds: (met|not met) \(target ≥ 0.5\)$/);
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
