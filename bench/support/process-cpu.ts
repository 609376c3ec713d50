import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for /proc's utime and stime (USER_HZ; 100 on every Linux Node runs on). */
const CLOCK_TICKS_PER_SEC = 100;

/** CPU time (ms) used so far by the direct children of `parentPid` except `exclude`, read from /proc. */
export function childrenCpuMs(parentPid: number, exclude: ReadonlySet<number>): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || exclude.has(Number(entry))) continue;
    const fields = readStatFields(entry);
    if (!fields || Number(fields[1]) !== parentPid) continue;
    // After the "(comm)" field: state, ppid, … utime is field 14, stime 15 (1-based); here index 11, 12.
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SEC;
}

/**
 * CPU time (ms) used so far by every descendant of `rootPid` (children,
 * grandchildren…), leaving out the subtrees of `exclude`: the instances of
 * strict isolation run under bwrap, two forks below the node, so counting
 * direct children alone saw only the idle bwrap monitor.
 */
export function descendantsCpuMs(rootPid: number, exclude: ReadonlySet<number>): number {
  const parentOf = new Map<number, number>();
  const ticksOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = readStatFields(entry);
    if (!fields) continue;
    parentOf.set(Number(entry), Number(fields[1]));
    ticksOf.set(Number(entry), Number(fields[11]) + Number(fields[12]));
  }
  let ticks = 0;
  for (const [pid, own] of ticksOf) {
    for (let up = parentOf.get(pid); up !== undefined && up > 1; up = parentOf.get(up)) {
      if (exclude.has(up) || exclude.has(pid)) break;
      if (up === rootPid) {
        ticks += own;
        break;
      }
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SEC;
}

/** CPU time (ms) one process has used so far (0 once it is gone). */
export function processCpuMs(pid: number): number {
  const fields = readStatFields(String(pid));
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SEC : 0;
}

/** CPU time (ms) used so far by every process named `command` (for example all of a PostgreSQL server's backends). */
export function commandCpuMs(command: string): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== command) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited while we looked
    }
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SEC;
}

/** CPU time (ms) this process has used so far. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function readStatFields(pid: string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // exited while we looked
  }
}
