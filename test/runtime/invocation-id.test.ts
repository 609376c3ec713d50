import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { newInvocationId } from '../../src/runtime/invocation-id.js';
import { INVOCATION_ID } from '../helpers/invocation-ids.js';


test('an invocation id is a version 7 UUID that starts with the millisecond it was made', () => {
  const before = Date.now();
  const id = newInvocationId();
  const after = Date.now();
  assert.match(id, INVOCATION_ID);
  const madeAt = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  assert.ok(madeAt >= before && madeAt <= after, `${madeAt} within [${before}, ${after}]`);
});

test('ids are unique, across many draws of the random pool', () => {
  const ids = new Set<string>();
  // More than one pool's worth (256 ids per draw), so ids from refilled pools are compared too.
  for (let i = 0; i < 10_000; i++) ids.add(newInvocationId());
  assert.equal(ids.size, 10_000);
  for (const id of ids) assert.match(id, INVOCATION_ID);
});

test('an id made in a later millisecond sorts after an earlier one (so an index on ids grows at its end)', async () => {
  const earlier = Array.from({ length: 50 }, () => newInvocationId());
  // Until the clock the ids are made from has moved on, however long that takes.
  const madeAt = Date.now();
  while (Date.now() <= madeAt) await sleep(1);
  const later = Array.from({ length: 50 }, () => newInvocationId());
  const newestEarlier = earlier.sort().at(-1)!;
  for (const id of later) assert.ok(id > newestEarlier, `${id} sorts after ${newestEarlier}`);
});
