import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { makeTempDir } from './temp-dir.js';

/** A file system mounted for one test; `unmount()` is safe to call more than once. */
export interface ScratchMount {
  dir: string;
  unmount(): void;
}

/** Why a mount cannot be made here, or false. */
export function mountSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'mounting a scratch file system needs root';
  return false;
}

/** A size-capped tmpfs: writes past `sizeMb` fail with ENOSPC. */
export function mountTmpfs(sizeMb: number): ScratchMount {
  const temp = makeTempDir('nimbus-tmpfs-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'tmpfs', temp.dir], { stdio: 'pipe' });
  } catch (error) {
    temp.remove();
    throw error;
  }
  return { dir: temp.dir, unmount: once(() => unmountAndRemove(temp)) };
}

/**
 * An ext4 file system on a loop device that turns read-only on its first
 * error (errors=remount-ro), as a real disk does when it fails.
 * `mount -o remount,ro` is refused while files are open for writing (the
 * node's SQLite files always are); an ext4 error is not.
 */
export function mountExt4(sizeMb: number): ScratchMount & { failIntoReadOnly(): void } {
  const temp = makeTempDir('nimbus-ext4-');
  const image = join(temp.dir, 'disk.img');
  const dir = join(temp.dir, 'mnt');
  try {
    execFileSync('truncate', ['-s', `${sizeMb}M`, image], { stdio: 'pipe' });
    execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', image], { stdio: 'pipe' });
    execFileSync('mkdir', [dir], { stdio: 'pipe' });
    execFileSync('mount', ['-o', 'loop,errors=remount-ro', image, dir], { stdio: 'pipe' });
  } catch (error) {
    temp.remove();
    throw error;
  }
  const device = execFileSync('findmnt', ['-n', '-o', 'SOURCE', dir], { encoding: 'utf8' }).trim();
  // ext4's own test hook: reports a file system error, which remounts it read-only under every open file.
  const trigger = `/sys/fs/ext4/${basename(device)}/trigger_fs_error`;
  // mount -o loop sets the device to detach itself once unmounted (never losetup -d here:
  // by then the number may belong to another test's device).
  const unmount = once(() => unmountAndRemove({ dir, remove: temp.remove }));
  if (!existsSync(trigger)) {
    unmount();
    throw new Error(`this kernel has no ${trigger}`);
  }
  return {
    dir,
    failIntoReadOnly: () => writeFileSync(trigger, 'nimbus storage test\n'),
    unmount,
  };
}

/** Writes zeros into `dir` until the file system is full; returns the filler's path. */
export function fillUp(dir: string): string {
  const filler = join(dir, 'filler');
  try {
    // dd stops at ENOSPC and exits non-zero: that is the point.
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'pipe' });
  } catch {
    // full
  }
  // The last partial block: small writes until nothing fits.
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k', 'oflag=append', 'conv=notrunc'], { stdio: 'pipe' });
  } catch {
    // full
  }
  return filler;
}

/** Unmounts (lazily when still busy) and removes the temp folder around the mount point. */
function unmountAndRemove(mount: { dir: string; remove(): void }): void {
  try {
    execFileSync('umount', [mount.dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', mount.dir], { stdio: 'pipe' });
  }
  mount.remove();
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
