import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CgroupTree } from '../cgroups/cgroup-tree.js';
import type { CgroupHierarchy } from '../cgroups/hierarchy.js';
import { NetworkSlots } from '../network/network-slots.js';
import type { OwnerRecords } from '../owners.js';
import { removeDir } from './sandbox-files.js';

export const STATE_DIR_PREFIX = 'nimbus-sandboxes-';

export interface ReapedLeftovers {
  tables: number;
  cgroupTrees: number;
  stateDirs: number;
}

/**
 * Removes what drivers whose owner is gone left on the host (a node killed
 * with SIGKILL cannot clean up): nftables tables and their namespaces,
 * cgroup trees, sandbox state folders. `ownTag`'s leftovers go too: they
 * are from an earlier run of this node, and this driver has made nothing yet.
 */
export async function reapLeftovers(
  ownTag: string,
  owners: OwnerRecords,
  where: { hierarchy: CgroupHierarchy | undefined; network: boolean; stateParent: string },
): Promise<ReapedLeftovers> {
  // Asked afresh for every resource, never remembered: a driver starting meanwhile has its record
  // in place before it makes anything, so whatever is found after its record appeared is kept.
  const isStale = async (tag: string): Promise<boolean> => tag === ownTag || !(await owners.isAlive(tag));
  const tables = where.network ? await NetworkSlots.reapStale(isStale).catch(() => 0) : 0;
  const cgroupTrees = where.hierarchy ? await CgroupTree.reapStale(where.hierarchy, isStale).catch(() => 0) : 0;
  let stateDirs = 0;
  for (const name of await readdir(where.stateParent).catch(() => [] as string[])) {
    if (!name.startsWith(STATE_DIR_PREFIX)) continue;
    // `nimbus-sandboxes-<tag>-<random>`: the tag holds no '-' (it is made of \w characters).
    const tag = name.slice(STATE_DIR_PREFIX.length, name.lastIndexOf('-'));
    // Only root's folders: an unprivileged node keeps no owner record, and its folder is its user's.
    if ((await stat(join(where.stateParent, name)).catch(() => null))?.uid !== 0 || !(await isStale(tag))) continue;
    await removeDir(join(where.stateParent, name)).catch(() => undefined);
    stateDirs++;
  }
  // Last, once what they described is gone: a record of a dead owner would otherwise stay until reboot.
  // This driver's own earlier record goes too; it claims a fresh one next.
  for (const tag of await owners.tags()) {
    if (await isStale(tag)) await owners.release(tag).catch(() => undefined);
  }
  return { tables, cgroupTrees, stateDirs };
}
