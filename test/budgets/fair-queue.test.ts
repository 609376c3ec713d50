import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FairQueue } from '../../src/budgets/fair-queue.js';

interface W { owner: string; priority: number; id: string }
const w = (owner: string, id: string, priority = 0): W => ({ owner, priority, id });

function drainIds(q: FairQueue<W>): string[] {
  const out: string[] = [];
  for (let x = q.shift(); x; x = q.shift()) out.push(x.id);
  return out;
}

test('owners take turns: a hot owner with many waiters does not starve one with a single waiter', () => {
  const q = new FairQueue<W>();
  for (let i = 1; i <= 5; i++) q.push(w('hot', `h${i}`));
  q.push(w('cold', 'c1'));
  assert.equal(q.size, 6);
  const order = drainIds(q);
  assert.ok(order.indexOf('c1') <= 1, `cold waited behind ${order.indexOf('c1')} hot waiters: ${order.join(' ')}`);
  assert.deepEqual(order.filter((id) => id.startsWith('h')), ['h1', 'h2', 'h3', 'h4', 'h5']);
});

test('three owners alternate round-robin, FIFO within each', () => {
  const q = new FairQueue<W>();
  for (const id of ['a1', 'a2', 'a3']) q.push(w('a', id));
  for (const id of ['b1', 'b2']) q.push(w('b', id));
  q.push(w('c', 'c1'));
  assert.deepEqual(drainIds(q), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
});

test('higher priority first; equal priorities share', () => {
  const q = new FairQueue<W>();
  q.push(w('low', 'l1', -5));
  q.push(w('a', 'a1'));
  q.push(w('a', 'a2'));
  q.push(w('vip', 'v1', 10));
  q.push(w('b', 'b1'));
  q.push(w('vip', 'v2', 10));
  assert.deepEqual(drainIds(q), ['v1', 'v2', 'a1', 'b1', 'a2', 'l1']);
});

test('remove takes a waiter out wherever it is; the turn order holds', () => {
  const q = new FairQueue<W>();
  const a1 = w('a', 'a1');
  const b1 = w('b', 'b1');
  q.push(a1);
  q.push(b1);
  q.push(w('a', 'a2'));
  q.push(w('c', 'c1'));
  assert.equal(q.remove(b1), true);
  assert.equal(q.remove(b1), false);
  assert.equal(q.size, 3);
  assert.deepEqual(drainIds(q), ['a1', 'c1', 'a2']);
  assert.equal(q.shift(), undefined);
});

test('drain hands every waiter back and empties the queue', () => {
  const q = new FairQueue<W>();
  q.push(w('a', 'a1'));
  q.push(w('b', 'b1', 3));
  assert.deepEqual(q.drain().map((x) => x.id), ['b1', 'a1']);
  assert.equal(q.size, 0);
  assert.equal(q.shift(), undefined);
});
