import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideShare } from '../../src/cluster/postgres/pg-budget-shares.js';

test('alone or without contention a node takes what it wants plus a chunk of headroom, within the limit', () => {
  assert.deepEqual(decideShare(20, 3, []), { permits: 5, rateShare: 1 });
  assert.deepEqual(decideShare(20, 0, []), { permits: 2, rateShare: 1 });
  assert.deepEqual(decideShare(4, 4, []), { permits: 4, rateShare: 1 });
  assert.equal(decideShare(20, 3, [{ held: 10, wanted: 8 }]).permits, 5);
  // An idle node gives its headroom up as soon as another node wants the whole budget.
  assert.equal(decideShare(10, 0, [{ held: 9, wanted: 10 }]).permits, 0);
  assert.equal(decideShare(10, 10, [{ held: 0, wanted: 0 }]).permits, 10);
});

test('never more than the others leave free: the rows never add up past the limit', () => {
  assert.equal(decideShare(10, 10, [{ held: 10, wanted: 10 }]).permits, 0);
  assert.equal(decideShare(10, 6, [{ held: 7, wanted: 4 }]).permits, 3);
});

test('under contention each node aims at its demand-proportional part, so a greedy node gives way', () => {
  // The busy node holding everything aims at its part; the other gets the rest once it is given back.
  const busy = decideShare(10, 30, [{ held: 0, wanted: 10 }]);
  assert.equal(busy.permits, 7);
  assert.equal(busy.rateShare, 0.75);
  const other = decideShare(10, 10, [{ held: 7, wanted: 30 }]);
  assert.equal(other.permits, 2);
  assert.equal(decideShare(3, 1, [{ held: 0, wanted: 50 }]).permits, 1, 'a node with demand gets at least one when one is free');
});
