import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Who owns the host resources a sandbox driver makes (nftables table,
 * network namespaces, cgroups, state folder), so that a driver starting up
 * can remove what a node killed without shutting down left behind.
 *
 * A record is `<pid> <start time>` in a file named after the driver's tag,
 * written before the resources are made. The start time (from
 * /proc/<pid>/stat) tells a live owner from a reused pid. /run is a tmpfs:
 * records and the resources they describe both end with a reboot.
 */
export const OWNERS_DIR = '/run/nimbus/owners';

export interface OwnerRecords {
  claim(tag: string): Promise<void>;
  release(tag: string): Promise<void>;
  /** False when the record is missing or its process has exited. */
  isAlive(tag: string): Promise<boolean>;
  /** The tags that have a record, whether their owner still runs or not. */
  tags(): Promise<string[]>;
}

export function ownerRecords(dir = OWNERS_DIR): OwnerRecords {
  return {
    async claim(tag) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // Written whole, then renamed into place: a reaper never reads a half-written record as "no owner".
      const partial = join(dir, `.${tag}.${process.pid}`);
      await writeFile(partial, `${process.pid} ${await processStartTime(process.pid)}\n`);
      await rename(partial, join(dir, tag));
    },
    async release(tag) {
      await rm(join(dir, tag), { force: true });
    },
    async isAlive(tag) {
      const record = await readFile(join(dir, tag), 'utf8').catch(() => '');
      const [pid, started] = record.trim().split(' ');
      if (!pid || !started) return false;
      return (await processStartTime(Number(pid)).catch(() => null)) === started;
    },
    async tags() {
      return (await readdir(dir).catch(() => [] as string[])).filter((name) => !name.startsWith('.'));
    },
  };
}

/** Field 22 of /proc/<pid>/stat (clock ticks after boot), read after the command name, which may hold spaces. */
async function processStartTime(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19]!;
}
