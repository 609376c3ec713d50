import { chmodSync, copyFileSync, linkSync, statSync } from 'node:fs';
import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** World-readable: the sandbox runs as "nobody" and must read what it is given, and nothing more. */
const READABLE_FILE = 0o644;
const TRAVERSABLE_DIR = 0o755;
const OTHERS_READ = 0o004;

/**
 * The generated /etc a sandbox sees instead of the host's: enough for name
 * resolution and for libc's user lookups, nothing else.
 */
export async function writeSandboxEtc(dir: string, dnsServers: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: TRAVERSABLE_DIR });
  await chmod(dir, TRAVERSABLE_DIR);
  const files: Record<string, string> = {
    hosts: '127.0.0.1 localhost\n',
    'resolv.conf': dnsServers.map((server) => `nameserver ${server}\n`).join('') || '# no resolver\n',
    'nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\n',
    passwd: 'nobody:x:65534:65534:nobody:/tmp:/usr/sbin/nologin\n',
    group: 'nogroup:x:65534:\n',
  };
  for (const [name, text] of Object.entries(files)) {
    await writeFile(join(dir, name), text, { mode: READABLE_FILE });
  }
}

/** An empty, per-sandbox folder that will be bound read-only at /app. */
export async function makeAppDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: TRAVERSABLE_DIR });
  await chmod(dir, TRAVERSABLE_DIR);
}

/**
 * Puts a bundle into a sandbox's app folder: a hard link when the stored
 * file is already world-readable on the same file system (no copy), a
 * readable copy otherwise. Returns the file name inside the folder.
 * Synchronous on purpose: this is on the cold-start path, a stat and a link
 * take microseconds, and a trip through libuv's thread pool costs more than
 * that on a busy machine.
 */
export function placeFile(appDir: string, hostPath: string): string {
  const name = basename(hostPath);
  const target = join(appDir, name);
  if (statSync(hostPath).mode & OTHERS_READ) {
    try {
      linkSync(hostPath, target);
      return name;
    } catch {
      // Another file system, or links not allowed: copy instead.
    }
  }
  copyFileSync(hostPath, target);
  chmodSync(target, READABLE_FILE);
  return name;
}

/** Copies a file the sandbox must read (the instance runtime) where "nobody" can read it. */
export async function placeReadableCopy(hostPath: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: TRAVERSABLE_DIR });
  await chmod(dir, TRAVERSABLE_DIR);
  const target = join(dir, basename(hostPath));
  await copyFile(hostPath, target);
  await chmod(target, READABLE_FILE);
  return target;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
