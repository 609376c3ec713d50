import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writable } from '../../../shared/writable.js';

/** The controllers Nimbus limits a sandbox with. `cpuacct` only exists on v1, where it reports CPU time. */
export type V1Controller = 'memory' | 'cpu' | 'cpuacct' | 'pids';
export const V1_CONTROLLERS: readonly V1Controller[] = ['memory', 'cpu', 'cpuacct', 'pids'];
/** v2 controllers that must be enabled down the tree for a sandbox group to be limited. */
export const V2_CONTROLLERS = ['memory', 'cpu', 'pids'] as const;

/** Where one v1 controller is mounted and which group this process sits in there. */
export interface V1ControllerPlace {
  mount: string;
  /** This process's group, as a path relative to `mount` ('/' for the root). */
  ownPath: string;
}

export type CgroupHierarchy =
  | { version: 'v2'; mount: string; ownPath: string; controllers: string[] }
  | { version: 'v1'; controllers: Partial<Record<V1Controller, V1ControllerPlace>> }
  | { version: 'none'; reason: string };

interface MountEntry {
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/** Mount entries of /proc/self/mountinfo (fields after the " - " separator give type and super options). */
function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType, , superOpts] = right.split(' ');
    if (!fsType || fields.length < 5) continue;
    entries.push({ root: fields[3]!, mountPoint: unescapeMountPath(fields[4]!), fsType, superOptions: (superOpts ?? '').split(',') });
  }
  return entries;
}

function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** `/proc/self/cgroup`: "id:controllers:path" lines; v2 is the line with id 0 and no controllers. */
function parseOwnCgroups(text: string): { v2?: string; v1: Map<string, string> } {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, id, controllers, path] = match;
    if (id === '0' && controllers === '') v2 = path!;
    else for (const name of controllers!.split(',')) v1.set(name, path!);
  }
  return v2 === undefined ? { v1 } : { v2, v1 };
}

/** A group path as seen inside a mount whose root is itself a sub-group (containers bind their own group as the root). */
function relativeToMountRoot(path: string, mountRoot: string): string {
  if (mountRoot === '/' || !path.startsWith(mountRoot)) return path;
  const rest = path.slice(mountRoot.length);
  return rest === '' ? '/' : rest;
}

function readControllers(dir: string): string[] {
  try {
    return readFileSync(join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}


/**
 * Finds which cgroup hierarchy can limit sandboxes. v2 wins when its
 * hierarchy carries the memory, cpu and pids controllers (most current
 * hosts); otherwise the v1 controllers are used (hybrid hosts like the
 * Debian 12 machines Nimbus is measured on, where v2 has no controllers).
 * "Usable" also means writable: without root or a delegated group there is
 * nothing to limit with.
 */
export function detectCgroupHierarchy(
  files: { mountinfo: string; ownCgroup: string } = {
    mountinfo: readFileSync('/proc/self/mountinfo', 'utf8'),
    ownCgroup: readFileSync('/proc/self/cgroup', 'utf8'),
  },
): CgroupHierarchy {
  const mounts = parseMountinfo(files.mountinfo);
  const own = parseOwnCgroups(files.ownCgroup);

  const v2Mount = mounts.find((m) => m.fsType === 'cgroup2');
  if (v2Mount && own.v2 !== undefined) {
    const controllers = readControllers(v2Mount.mountPoint);
    if (V2_CONTROLLERS.every((c) => controllers.includes(c))) {
      if (!writable(v2Mount.mountPoint) && !writable(join(v2Mount.mountPoint, relativeToMountRoot(own.v2, v2Mount.root)))) {
        return { version: 'none', reason: 'cgroup v2 is not writable (run as root or in a delegated cgroup)' };
      }
      return { version: 'v2', mount: v2Mount.mountPoint, ownPath: relativeToMountRoot(own.v2, v2Mount.root), controllers };
    }
  }

  const controllers: Partial<Record<V1Controller, V1ControllerPlace>> = {};
  for (const mount of mounts) {
    if (mount.fsType !== 'cgroup') continue;
    for (const name of V1_CONTROLLERS) {
      if (!mount.superOptions.includes(name) || controllers[name]) continue;
      const path = own.v1.get(name) ?? '/';
      controllers[name] = { mount: mount.mountPoint, ownPath: relativeToMountRoot(path, mount.root) };
    }
  }
  if (controllers.memory && controllers.pids && controllers.cpu) {
    if (!writable(controllers.memory.mount)) return { version: 'none', reason: 'cgroup v1 is not writable (run as root)' };
    return { version: 'v1', controllers };
  }
  return { version: 'none', reason: 'no cgroup hierarchy with the memory, cpu and pids controllers is mounted' };
}
