import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
  return {
    dir,
    failIntoReadOnly() {
      // ext4's own test hook: reports a file system error, which remounts it read-only under every open file.
      writeFileSync(`/sys/fs/ext4/${basename(device)}/trigger_fs_error`, 'nimbus storage test\n');
    },
    unmount: once(() => {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      }
      // A loop device set up by mount detaches itself on umount; make sure.
      try {
        execFileSync('losetup', ['-d', device], { stdio: 'pipe' });
      } catch {
        // already detached
      }
      temp.remove();
    }),
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

function unmountAndRemove(temp: { dir: string; remove(): void }): void {
  try {
    execFileSync('umount', [temp.dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', temp.dir], { stdio: 'pipe' });
  }
  temp.remove();
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
