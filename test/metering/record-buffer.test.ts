import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordBuffer } from '../../src/metering/record-buffer.js';
import { toInvocationRecord } from '../../src/metering/invocation-record.js';
import type { InvocationRecord } from '../../src/store/metering-store.js';
import { finished, variedFinished } from './events.js';

test('records come out as the lifecycle events went in, in order, across growth and partial takes', () => {
  const buffer = new RecordBuffer();
  const ends = Array.from({ length: 3000 }, (_, i) => variedFinished(i));
  const out: InvocationRecord[] = [];
  for (let i = 0; i < 2000; i++) buffer.push(ends[i]!);
  assert.equal(buffer.length, 2000);
  out.push(...buffer.take(700).toRecords());
  for (let i = 2000; i < 3000; i++) buffer.push(ends[i]!);
  assert.equal(buffer.length, 2300);
  while (buffer.length > 0) out.push(...buffer.take(450).toRecords());
  assert.deepEqual(out, ends.map(toInvocationRecord));
  assert.equal(buffer.take(10).count, 0);
});

test('an emptied buffer starts over at the front and keeps serving', () => {
  const buffer = new RecordBuffer();
  for (let round = 0; round < 5; round++) {
    const ends = Array.from({ length: 600 }, (_, i) => variedFinished(round * 600 + i));
    for (const end of ends) buffer.push(end);
    assert.deepEqual(buffer.take(1000).toRecords(), ends.map(toInvocationRecord));
    assert.equal(buffer.length, 0);
  }
});

test('a taken batch names only the functions it holds', () => {
  const buffer = new RecordBuffer();
  buffer.push(finished({ app: 'shop', functionName: 'cart' }));
  buffer.push(finished({ app: 'blog', functionName: 'feed' }));
  buffer.push(finished({ app: 'shop', functionName: 'cart' }));
  assert.deepEqual(buffer.take(1).keys.map((k) => k.functionName), ['cart']);
  const rest = buffer.take(10);
  assert.deepEqual(rest.keys.map((k) => k.functionName), ['feed', 'cart']);
  assert.deepEqual(rest.toRecords().map((r) => `${r.app}/${r.functionName}`), ['blog/feed', 'shop/cart']);
});
