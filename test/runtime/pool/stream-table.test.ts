import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamTable } from '../../../src/runtime/pool/stream-table.js';

test('a stream table knows which invocations still have an open stream, through deletes while iterating and clear', () => {
  const table = new StreamTable<{ invocationId: string; n: number }>();
  table.set(1, { invocationId: 'a', n: 1 });
  table.set(2, { invocationId: 'a', n: 2 });
  table.set(3, { invocationId: 'b', n: 3 });
  assert.equal(table.size, 3);
  assert.ok(table.runs('a') && table.runs('b') && !table.runs('c'));
  assert.equal(table.delete(1), true);
  assert.ok(table.runs('a'), 'a still has stream 2');
  assert.equal(table.delete(1), false, 'a second delete is a no-op and does not miscount');
  table.delete(2);
  assert.ok(!table.runs('a'));
  // Replacing a stream under the same id moves its count to the new invocation.
  table.set(3, { invocationId: 'c', n: 4 });
  assert.ok(!table.runs('b') && table.runs('c'));
  table.set(5, { invocationId: 'd', n: 5 });
  for (const [id, stream] of table) if (stream.invocationId === 'd') table.delete(id);
  assert.deepEqual([...table].map(([id]) => id), [3]);
  table.clear();
  assert.ok(!table.runs('c'));
  assert.equal(table.size, 0);
});
