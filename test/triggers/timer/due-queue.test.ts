import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DueQueue, type DueEntry } from '../../../src/triggers/timer/due-queue.js';

/** A fixed shuffle of 0..n-1 (a linear congruential walk), so the test is the same every run. */
function shuffled(n: number): number[] {
  const items = Array.from({ length: n }, (_, i) => i);
  let seed = 12345;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const entry = (at: number): DueEntry => ({ at, timerId: `t${at}`, ticket: at });

function drain(queue: DueQueue): number[] {
  const out: number[] = [];
  for (let e = queue.pop(); e; e = queue.pop()) out.push(e.at);
  return out;
}

test('entries come out in due order, however they went in', () => {
  const queue = new DueQueue();
  for (const at of shuffled(500)) queue.push(entry(at));
  assert.equal(queue.size, 500);
  assert.deepEqual(drain(queue), Array.from({ length: 500 }, (_, i) => i));
  assert.equal(queue.pop(), undefined);
});

test('equal times all come out; replaceAll keeps only the entries given', () => {
  const queue = new DueQueue();
  for (const at of [5, 3, 5, 1, 3, 5]) queue.push(entry(at));
  assert.deepEqual(drain(queue), [1, 3, 3, 5, 5, 5]);
  for (const at of shuffled(50)) queue.push(entry(at));
  queue.replaceAll([entry(9), entry(2), entry(7)]);
  assert.equal(queue.size, 3);
  assert.deepEqual(drain(queue), [2, 7, 9]);
});
