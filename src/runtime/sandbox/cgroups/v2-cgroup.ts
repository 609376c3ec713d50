import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { exists, killUntilEmpty, readKeyed, readNumber, removeDir, writeValue } from './cgroup-files.js';
import { CPU_PERIOD_MICROS, sharesToWeight, type CgroupLimits } from './limits.js';
import type { CgroupUsage, SandboxCgroup } from './sandbox-cgroup.js';

/** A sandbox group on cgroup v2: one directory carrying memory, cpu and pids. */
export class V2SandboxCgroup implements SandboxCgroup {
  readonly version = 'v2' as const;
  readonly procsFiles: readonly string[];

  private constructor(readonly dir: string) {
    this.procsFiles = [join(dir, 'cgroup.procs')];
  }

  static async create(parent: string, name: string): Promise<V2SandboxCgroup> {
    const group = new V2SandboxCgroup(join(parent, name));
    await mkdir(group.dir, { recursive: true });
    // One OOM kill takes the whole sandbox down instead of leaving a half-dead instance behind.
    const oomGroup = join(group.dir, 'memory.oom.group');
    if (await exists(oomGroup)) await writeValue(oomGroup, 1);
    return group;
  }

  async setLimits(limits: CgroupLimits): Promise<void> {
    await writeValue(join(this.dir, 'memory.max'), limits.memoryBytes);
    const swapMax = join(this.dir, 'memory.swap.max');
    if (await exists(swapMax)) await writeValue(swapMax, 0);
    await writeValue(join(this.dir, 'cpu.weight'), sharesToWeight(limits.cpuShares));
    const quota = limits.cpuQuota === undefined ? 'max' : String(Math.max(1000, Math.round(limits.cpuQuota * CPU_PERIOD_MICROS)));
    await writeValue(join(this.dir, 'cpu.max'), `${quota} ${CPU_PERIOD_MICROS}`);
    await writeValue(join(this.dir, 'pids.max'), limits.pidsMax);
  }

  async usage(): Promise<CgroupUsage> {
    const [memoryBytes, cpuMicros] = await Promise.all([
      readNumber(join(this.dir, 'memory.current')),
      readKeyed(join(this.dir, 'cpu.stat'), 'usage_usec'),
    ]);
    return { memoryBytes, cpuMicros };
  }

  oomKills(): Promise<number> {
    return readKeyed(join(this.dir, 'memory.events'), 'oom_kill');
  }

  async killAll(): Promise<void> {
    // cgroup.kill (Linux 5.14+) kills the whole group atomically; older kernels get the read-and-kill loop.
    const killFile = join(this.dir, 'cgroup.kill');
    if (await exists(killFile)) await writeValue(killFile, 1);
    await killUntilEmpty(join(this.dir, 'cgroup.procs'));
  }

  async remove(): Promise<void> {
    await this.killAll();
    await removeDir(this.dir);
  }
}
