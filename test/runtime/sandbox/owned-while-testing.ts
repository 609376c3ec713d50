import { ownerRecords } from '../../../src/runtime/sandbox/owners.js';

/**
 * Records this test process as the owner of host resources it makes under
 * `tags` (cgroup trees, nftables tables) without a driver: a driver starting
 * meanwhile, in a test file running beside it, reaps whatever has no live
 * owner. Returns what lets them go, for the caller's own `after` (one
 * registered here would belong to the hook that called it, and run when that
 * hook ends). Only root's drivers reap, and only root can write the records.
 */
export async function ownedWhileTesting(...tags: string[]): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) return async () => {};
  const owners = ownerRecords();
  for (const tag of tags) await owners.claim(tag);
  return async () => {
    for (const tag of tags) await owners.release(tag);
  };
}
