import type { CgroupLimits } from './limits.js';

/** What the kernel counted for one sandbox group. */
export interface CgroupUsage {
  memoryBytes: number;
  cpuMicros: number;
}

/**
 * One sandbox's cgroup (one directory on v2, one per controller on v1).
 * Created with the warm sandbox; the launcher joins it by writing its own
 * pid to every `procsFiles` entry before it execs, so every process of the
 * sandbox is counted from its first instruction.
 */
export interface SandboxCgroup {
  readonly version: 'v1' | 'v2';
  /** `cgroup.procs` files the launcher must write its pid to. */
  readonly procsFiles: readonly string[];
  setLimits(limits: CgroupLimits): Promise<void>;
  usage(): Promise<CgroupUsage>;
  /** How many times the kernel's OOM killer killed a process of this group. */
  oomKills(): Promise<number>;
  /** SIGKILL every process in the group (fork bombs included). */
  killAll(): Promise<void>;
  /** Kill what is left and remove the group's directories. */
  remove(): Promise<void>;
}
