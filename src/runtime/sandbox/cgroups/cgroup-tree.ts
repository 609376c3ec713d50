import { mkdir, readdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { killUntilEmpty, removeDir, writeValue } from './cgroup-files.js';
import { V2_CONTROLLERS, type CgroupHierarchy, type V1Controller } from './hierarchy.js';
import type { SandboxCgroup } from './sandbox-cgroup.js';
import { V1SandboxCgroup, v1ParentDir } from './v1-cgroup.js';
import { V2SandboxCgroup } from './v2-cgroup.js';

/**
 * The groups one Nimbus node owns: a parent (`nimbus/<nodeId>`) and one
 * child per sandbox. The parent goes beneath this process's own group so
 * whatever limits the node also limits its sandboxes; on v2, where a group
 * with processes cannot hand controllers to children, it falls back to the
 * hierarchy's root.
 */
export class CgroupTree {
  readonly #groups = new Set<SandboxCgroup>();
  /** Directories made for the parent, deepest last, removed in reverse on dispose. */
  readonly #madeDirs: string[];
  readonly #makeGroup: (name: string) => Promise<SandboxCgroup>;

  private constructor(readonly version: 'v1' | 'v2', madeDirs: string[], makeGroup: (name: string) => Promise<SandboxCgroup>) {
    this.#madeDirs = madeDirs;
    this.#makeGroup = makeGroup;
  }

  static async create(hierarchy: CgroupHierarchy, nodeId: string): Promise<CgroupTree> {
    const relative = ['nimbus', nodeId];
    if (hierarchy.version === 'none') throw new Error(`cgroups are unavailable: ${hierarchy.reason}`);
    if (hierarchy.version === 'v1') {
      const parents: Partial<Record<V1Controller, string>> = {};
      const made: string[] = [];
      for (const [controller, place] of Object.entries(hierarchy.controllers) as [V1Controller, NonNullable<(typeof hierarchy.controllers)[V1Controller]>][]) {
        for (let depth = 1; depth <= relative.length; depth++) {
          const dir = v1ParentDir(place, relative.slice(0, depth).join('/'));
          if (!made.includes(dir)) {
            await mkdir(dir, { recursive: true });
            made.push(dir);
          }
        }
        parents[controller] = v1ParentDir(place, relative.join('/'));
      }
      return new CgroupTree('v1', made, (name) => V1SandboxCgroup.create(parents, name));
    }

    let lastError: unknown;
    for (const base of new Set([hierarchy.ownPath, '/'])) {
      const made: string[] = [];
      try {
        let dir = join(hierarchy.mount, base);
        await enableV2Controllers(dir);
        for (const part of relative) {
          dir = join(dir, part);
          await mkdir(dir, { recursive: true });
          made.push(dir);
          await enableV2Controllers(dir);
        }
        const parent = dir;
        return new CgroupTree('v2', made, (name) => V2SandboxCgroup.create(parent, name));
      } catch (error) {
        lastError = error;
        for (const dir of made.reverse()) await removeDir(dir).catch(() => undefined);
      }
    }
    throw new Error(`cannot delegate cgroup v2 controllers to a Nimbus group: ${String(lastError)}`);
  }

  /**
   * Removes the groups of nodes `isStale` names (their tag is the directory
   * under `nimbus/`): kills what still runs in them, then removes them
   * deepest first. Returns how many node groups went.
   */
  static async reapStale(hierarchy: CgroupHierarchy, isStale: (tag: string) => Promise<boolean>): Promise<number> {
    if (hierarchy.version === 'none') return 0;
    const parents = hierarchy.version === 'v1'
      ? Object.values(hierarchy.controllers).map((place) => v1ParentDir(place, 'nimbus'))
      : [...new Set([hierarchy.ownPath, '/'])].map((base) => join(hierarchy.mount, base, 'nimbus'));
    const reaped = new Set<string>();
    for (const parent of new Set(parents)) {
      for (const tag of await childDirs(parent)) {
        if (!(await isStale(tag))) continue;
        reaped.add(tag);
        await removeTree(join(parent, tag));
      }
    }
    return reaped.size;
  }

  async createSandboxGroup(name: string): Promise<SandboxCgroup> {
    const group = await this.#makeGroup(name);
    this.#groups.add(group);
    return group;
  }

  async removeSandboxGroup(group: SandboxCgroup): Promise<void> {
    this.#groups.delete(group);
    await group.remove();
  }

  /** Remove every sandbox group still present, then the parent directories this tree made (others' siblings stay). */
  async dispose(): Promise<void> {
    for (const group of [...this.#groups]) await this.removeSandboxGroup(group).catch(() => undefined);
    for (const dir of [...this.#madeDirs].reverse()) {
      // `nimbus/` may hold another node's group: only empty directories go.
      await rmdir(dir).catch(() => undefined);
    }
  }
}

async function enableV2Controllers(dir: string): Promise<void> {
  const enabled = (await readFile(join(dir, 'cgroup.subtree_control'), 'utf8')).split(/\s+/);
  const missing = V2_CONTROLLERS.filter((c) => !enabled.includes(c));
  if (missing.length > 0) await writeValue(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
}

async function childDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

async function removeTree(dir: string): Promise<void> {
  for (const child of await childDirs(dir)) await removeTree(join(dir, child));
  await killUntilEmpty(join(dir, 'cgroup.procs'));
  await removeDir(dir).catch(() => undefined);
}
