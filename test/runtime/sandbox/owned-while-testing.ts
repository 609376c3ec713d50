import { after } from 'node:test';
import { ownerRecords } from '../../../src/runtime/sandbox/owners.js';

/**
 * Records this test process as the owner of host resources it makes under
 * `tags` (cgroup trees, nftables tables) without a driver, until its tests
 * end: a driver starting meanwhile, in a test file running beside it, reaps
 * whatever has no live owner. Only root's drivers reap, and only root can
 * write the records.
 */
export async function ownedWhileTesting(...tags: string[]): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const owners = ownerRecords();
  for (const tag of tags) await owners.claim(tag);
  after(async () => {
    for (const tag of tags) await owners.release(tag);
  });
}
