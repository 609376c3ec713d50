import { readdir, readFile } from 'node:fs/promises';
import { readProcStats } from '../process/proc-stats.js';
import type { SandboxUsage } from '../driver.js';

/** bwrap forks twice (its monitor and the namespace's init) before Node runs: the tree is shallow. */
const MAX_DEPTH = 8;

async function children(pid: number): Promise<number[]> {
  const found: number[] = [];
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  for (const task of tasks) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    for (const child of text.split(' ').filter(Boolean)) found.push(Number(child));
  }
  return found;
}

/**
 * Usage summed over a process and its descendants, from /proc: what a
 * sandbox without its own cgroup (an ordinary user's) can still report to
 * the host's watchdogs.
 */
export async function processTreeUsage(rootPid: number): Promise<SandboxUsage> {
  let total: SandboxUsage = { rssBytes: 0, cpuMicros: 0 };
  let level = [rootPid];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
    const stats = await Promise.all(level.map((pid) => readProcStats(pid)));
    for (const stat of stats) total = { rssBytes: total.rssBytes + stat.rssBytes, cpuMicros: total.cpuMicros + stat.cpuMicros };
    level = (await Promise.all(level.map(children))).flat();
  }
  return total;
}
