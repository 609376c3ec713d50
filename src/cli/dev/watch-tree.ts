import { lstatSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

export interface TreeWatcher {
  close(): void;
}

export interface TreeWatchOptions {
  /** Whether a path relative to the root is left out: not reported and, for a folder, not watched. */
  ignored(relativePath: string): boolean;
  /** An entry changed, appeared or went away (its path relative to the root). */
  onEvent(relativePath: string): void;
  /** A folder that could not be watched for a reason other than being gone: saves in it go unnoticed. */
  onWarning?(message: string): void;
}

interface WatchedFolder {
  watcher: FSWatcher;
  /** The folder's inode when it was watched: a folder renamed over it is a different folder, with no watch yet. */
  ino: number;
}

/**
 * Watches every folder under `root` with its own non-recursive fs.watch.
 *
 * Not `fs.watch(root, { recursive: true })`: on Linux, Node 20 emulates that
 * with one inotify watch per file, and a watch is on an inode. A save that
 * renames a new file over the old path (atomic save, vim) leaves that watch on
 * the unlinked inode, and every later in-place save of the file goes unseen.
 * A folder's watch reports writes, renames, creations and deletions of its
 * entries by name, and no way of saving a file replaces the folder, so it
 * keeps working whichever way files are saved; only folders need re-arming,
 * when they appear, vanish or are replaced, which their parent's watch reports.
 * That makes a stat poll as a safety net unnecessary, and costs one watch per
 * folder (bounded by the folders there are: one entry per path, ignored
 * folders never entered), nothing while idle. The root has no watched parent,
 * so the folder that holds it is watched too, for the root's name alone: a root
 * removed and made again (`rm -rf app && cp -r other app`, a checkout that
 * recreates it) is watched afresh, as a subfolder would be.
 */
export function watchTree(root: string, options: TreeWatchOptions): TreeWatcher {
  const folders = new Map<string, WatchedFolder>();
  let closed = false;
  let warned = false;

  const warn = (folder: string, error: NodeJS.ErrnoException): void => {
    // One line, not one per folder: a watch limit reached fails every folder after it the same way.
    if (warned || !options.onWarning) return;
    warned = true;
    const hint = error.code === 'ENOSPC' ? ' (the inotify watch limit: raise fs.inotify.max_user_watches)' : '';
    options.onWarning(`cannot watch ${join(root, folder)}: ${error.code ?? error.message}${hint}; saves there and in folders like it are not noticed`);
  };

  /** Watches `folder` and every folder in it, unless ignored or already watched. */
  const arm = (folder: string): void => {
    const pending = [folder];
    for (let next = pending.pop(); next !== undefined && !closed; next = pending.pop()) {
      const current = next;
      if (folders.has(current)) continue;
      const path = join(root, current);
      let watched: WatchedFolder;
      try {
        const ino = folderIno(path, current === '');
        // Raced with a removal, or a link, not a folder, under the root.
        if (ino === undefined) continue;
        const watcher = watch(path, (event, name) => onFolderEvent(current, event, name));
        watcher.on('error', (error) => onWatchError(current, watcher, error));
        watched = { watcher, ino };
      } catch (error) {
        if (!gone(error)) warn(current, error as NodeJS.ErrnoException);
        continue;
      }
      folders.set(current, watched);
      // Listed after the watch is on, so a folder made in between is in one or the other.
      for (const child of subfolders(path)) {
        const relative = join(current, child);
        if (!options.ignored(relative)) pending.push(relative);
      }
    }
  };

  /** Drops the watches on `folder` and every folder under it. */
  const disarm = (folder: string): void => {
    const prefix = folder === '' ? '' : folder + sep;
    for (const [path, watched] of folders) {
      if (path === folder || path.startsWith(prefix)) {
        watched.watcher.close();
        folders.delete(path);
      }
    }
  };

  /**
   * After an entry appeared, vanished or was replaced: watch it if it is a folder now, drop the watches of what was
   * there. `renamed`: the folder's own parent reported it, so it is watched afresh even when its inode is the same one:
   * a folder removed and made again often gets its old inode back (ext4 reuses it at once), while the old watch went
   * with the removed folder.
   */
  const resync = (entry: string, renamed: boolean): void => {
    if (closed || entry === '') return;
    const watched = folders.get(entry);
    const ino = folderIno(join(root, entry));
    if (!renamed && watched && watched.ino === ino) return;
    disarm(entry);
    if (ino !== undefined) arm(entry);
  };

  /**
   * The root appeared, vanished or was replaced, as the folder holding it reports: every watch under it may be on a
   * folder that is gone, so all are dropped and the tree is watched afresh (on a 'rename' even with the same inode,
   * which a folder made again at once often gets back). What the new tree holds was never seen: that is a change.
   */
  const resyncRoot = (event: string): void => {
    if (closed) return;
    const ino = folderIno(root, true);
    if (event !== 'rename' && folders.get('')?.ino === ino) return;
    disarm('');
    if (ino === undefined) return;
    arm('');
    options.onEvent('');
  };

  /**
   * A watch that errors is closed by Node (a folder removed under it, on some platforms). Not re-armed here, which
   * could loop on an error that persists: if the folder went away its parent reports it (the root's too, see
   * watchEntry), and when it comes back it is watched again; if it is still there, say that saves in it go unnoticed.
   */
  const onWatchError = (folder: string, watcher: FSWatcher, error: Error): void => {
    if (closed || folders.get(folder)?.watcher !== watcher) return;
    disarm(folder);
    if (folderIno(join(root, folder), folder === '') !== undefined) warn(folder, error);
  };

  const onFolderEvent = (folder: string, event: string, name: string | null): void => {
    if (closed) return;
    if (name === null) {
      // No name (some platforms, on overflow): anything in the folder may have changed, folders in it too.
      options.onEvent(folder);
      const present = subfolders(join(root, folder)).map((child) => join(folder, child));
      const watchedHere = [...folders.keys()].filter((path) => path !== folder && dirname(path) === (folder === '' ? '.' : folder));
      for (const entry of new Set([...present, ...watchedHere])) {
        if (!options.ignored(entry)) resync(entry, false);
      }
      return;
    }
    const entry = join(folder, name);
    if (options.ignored(entry)) return;
    // Content and time changes ('change') never turn an entry into or out of a folder; only a 'rename' can.
    if (event === 'rename') resync(entry, true);
    options.onEvent(entry);
  };

  arm('');
  const rootEntry = watchEntry(root, resyncRoot, (error) => warn('..', error));
  return {
    close() {
      closed = true;
      rootEntry?.close();
      for (const { watcher } of folders.values()) watcher.close();
      folders.clear();
    },
  };
}

/**
 * Watches the folder that holds `path`, non-recursively, reporting only events on `path`'s own name. A nameless event
 * (some platforms, on overflow) may be about it too, and goes on as a 'change': the root's inode then decides, so a
 * busy parent without names does not re-arm the tree at each of its events. None when `path` is a file system's root or its parent cannot be watched (no read
 * permission): then a replaced root goes unnoticed, as the parent's events would be the only sign of it.
 */
function watchEntry(path: string, onEvent: (event: string) => void, onFailure: (error: NodeJS.ErrnoException) => void): FSWatcher | undefined {
  // Resolved: `.` has no parent to name it by.
  const full = resolve(path);
  const parent = dirname(full);
  const name = basename(full);
  if (parent === full) return undefined;
  let watcher: FSWatcher;
  try {
    watcher = watch(parent, (event, entry) => {
      if (entry === name) onEvent(event);
      else if (entry === null) onEvent('change');
    });
  } catch (error) {
    // A parent it may not read is expected (a home folder's); a watch limit reached is worth a line.
    if (!UNREADABLE.has((error as NodeJS.ErrnoException).code ?? '')) onFailure(error as NodeJS.ErrnoException);
    return undefined;
  }
  // Node closes a watch that errors (the parent removed): the root is then as unwatched as any folder whose parent went.
  watcher.on('error', () => undefined);
  return watcher;
}

const UNREADABLE = new Set(['EACCES', 'EPERM', 'ENOENT']);

function subfolders(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/**
 * The inode of the folder at `path`, or undefined if there is none (gone, a file). Links are followed only for the
 * root (the app folder may be one); under it a link to a folder is not entered, as the recursive watch did not.
 */
function folderIno(path: string, followLink = false): number | undefined {
  try {
    const stats = followLink ? statSync(path) : lstatSync(path);
    return stats.isDirectory() ? stats.ino : undefined;
  } catch {
    return undefined;
  }
}

function gone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
