import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { exists, killUntilEmpty, readKeyed, readNumber, removeDir, writeValue } from './cgroup-files.js';
import type { V1Controller, V1ControllerPlace } from './hierarchy.js';
import { CPU_PERIOD_MICROS, type CgroupLimits } from './limits.js';
import type { CgroupUsage, SandboxCgroup } from './sandbox-cgroup.js';

const NANOS_PER_MICRO = 1000;

/**
 * A sandbox group on cgroup v1: one directory per controller hierarchy
 * (memory, cpu, cpuacct, pids; cpu and cpuacct may share a mount).
 */
export class V1SandboxCgroup implements SandboxCgroup {
  readonly version = 'v1' as const;
  readonly procsFiles: readonly string[];
  readonly #dirs: Partial<Record<V1Controller, string>>;
  readonly #uniqueDirs: string[];

  private constructor(dirs: Partial<Record<V1Controller, string>>) {
    this.#dirs = dirs;
    this.#uniqueDirs = [...new Set(Object.values(dirs))];
    this.procsFiles = this.#uniqueDirs.map((dir) => join(dir, 'cgroup.procs'));
  }

  /** `parents` holds, per controller, the Nimbus parent directory the sandbox group goes under. */
  static async create(parents: Partial<Record<V1Controller, string>>, name: string): Promise<V1SandboxCgroup> {
    const dirs: Partial<Record<V1Controller, string>> = {};
    for (const [controller, parent] of Object.entries(parents) as [V1Controller, string][]) {
      dirs[controller] = join(parent, name);
    }
    const group = new V1SandboxCgroup(dirs);
    for (const dir of group.#uniqueDirs) await mkdir(dir, { recursive: true });
    return group;
  }

  async setLimits(limits: CgroupLimits): Promise<void> {
    const memory = this.#dir('memory');
    await writeValue(join(memory, 'memory.limit_in_bytes'), limits.memoryBytes);
    // Swap off: memory+swap capped at the memory limit when swap accounting exists, else tell reclaim to avoid swap.
    const memsw = join(memory, 'memory.memsw.limit_in_bytes');
    if (await exists(memsw)) await writeValue(memsw, limits.memoryBytes);
    else await writeValue(join(memory, 'memory.swappiness'), 0);

    const cpu = this.#dir('cpu');
    await writeValue(join(cpu, 'cpu.shares'), limits.cpuShares);
    if (limits.cpuQuota !== undefined) {
      await writeValue(join(cpu, 'cpu.cfs_period_us'), CPU_PERIOD_MICROS);
      await writeValue(join(cpu, 'cpu.cfs_quota_us'), Math.max(1000, Math.round(limits.cpuQuota * CPU_PERIOD_MICROS)));
    }
    await writeValue(join(this.#dir('pids'), 'pids.max'), limits.pidsMax);
  }

  async usage(): Promise<CgroupUsage> {
    const memoryBytes = await readNumber(join(this.#dir('memory'), 'memory.usage_in_bytes'));
    const cpuacct = this.#dirs.cpuacct;
    const cpuMicros = cpuacct ? Math.round((await readNumber(join(cpuacct, 'cpuacct.usage'))) / NANOS_PER_MICRO) : 0;
    return { memoryBytes, cpuMicros };
  }

  oomKills(): Promise<number> {
    return readKeyed(join(this.#dir('memory'), 'memory.oom_control'), 'oom_kill');
  }

  killAll(): Promise<void> {
    // Every hierarchy lists the same processes; the pids one is where a fork bomb is bounded.
    return killUntilEmpty(join(this.#dir('pids'), 'cgroup.procs'));
  }

  async remove(): Promise<void> {
    await this.killAll();
    for (const dir of this.#uniqueDirs) await removeDir(dir);
  }

  #dir(controller: V1Controller): string {
    const dir = this.#dirs[controller];
    if (!dir) throw new Error(`cgroup v1 controller ${controller} is not mounted`);
    return dir;
  }
}

/** The Nimbus parent directory under one v1 controller: beneath this process's own group, so outer limits still hold. */
export function v1ParentDir(place: V1ControllerPlace, relative: string): string {
  return join(place.mount, place.ownPath, relative);
}
