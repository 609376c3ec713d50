import { access, readFile, rmdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** A group's directory cannot be removed until the kernel has reaped its last process: retry briefly. */
const RMDIR_ATTEMPTS = 50;
const RMDIR_RETRY_MS = 20;

export async function writeValue(path: string, value: string | number): Promise<void> {
  await writeFile(path, String(value));
}

export async function readNumber(path: string): Promise<number> {
  return Number((await readFile(path, 'utf8')).trim());
}

/** A "key value" line from files like memory.events, cpu.stat, memory.oom_control. */
export async function readKeyed(path: string, key: string): Promise<number> {
  const text = await readFile(path, 'utf8');
  const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

export async function readPids(procsFile: string): Promise<number[]> {
  try {
    return (await readFile(procsFile, 'utf8')).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Kill rounds before giving up on a group whose processes keep forking (pids.max bounds how many there can be). */
const KILL_ROUNDS = 100;
const KILL_ROUND_PAUSE_MS = 5;

/** SIGKILL whatever `procsFile` lists until it lists nothing: processes forked between reading and killing are caught next round. */
export async function killUntilEmpty(procsFile: string): Promise<void> {
  for (let round = 0; round < KILL_ROUNDS; round++) {
    const pids = await readPids(procsFile);
    if (pids.length === 0) return;
    killPids(pids);
    await sleep(KILL_ROUND_PAUSE_MS);
  }
}

export function killPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export async function removeDir(path: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(path);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || attempt >= RMDIR_ATTEMPTS) throw error;
      await sleep(RMDIR_RETRY_MS);
    }
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
