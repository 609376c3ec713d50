import { closeSync, copyFileSync, ftruncateSync, mkdtempSync, openSync, rmSync, renameSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** One way an editor or a tool writes new content to an existing file. */
export type SaveStyle = (file: string, content: string) => void;

/**
 * The ways files get saved. They differ in what the file system sees: the same
 * inode written (in place), a new inode renamed over the path (atomic save),
 * the path missing for a moment (vim with backupcopy=no, delete-then-create).
 * A watcher that holds on to an inode notices some of these and not others.
 */
export const SAVE_STYLES: Readonly<Record<string, SaveStyle>> = {
  /** VS Code: open the existing file r+, write, truncate to the new length. */
  'in place': (file, content) => {
    const fd = openSync(file, 'r+');
    try {
      const bytes = Buffer.from(content);
      writeSync(fd, bytes, 0, bytes.length, 0);
      ftruncateSync(fd, bytes.length);
    } finally {
      closeSync(fd);
    }
  },
  /** Atomic saves (JetBrains' safe write, many formatters): a temp file written beside it and renamed over the path. */
  'temp then rename': (file, content) => {
    const temp = join(dirname(file), `.${Date.now()}-${Math.random().toString(36).slice(2)}.tmp`);
    writeFileSync(temp, content);
    renameSync(temp, file);
  },
  /** vim with backupcopy=no: the original renamed away as a backup, a new file written, the backup deleted. */
  'rename away then write': (file, content) => {
    const backup = `${file}~`;
    renameSync(file, backup);
    writeFileSync(file, content);
    unlinkSync(backup);
  },
  /** `cp other.ts index.ts`: the existing file truncated and written through a copy (the source outside the folder, so only the copy is seen). */
  'copy over': (file, content) => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'nimbus-copy-'));
    try {
      const source = join(elsewhere, 'source');
      writeFileSync(source, content);
      copyFileSync(source, file);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  },
  /** Some tools and sync clients: delete, then create. */
  'delete then create': (file, content) => {
    unlinkSync(file);
    writeFileSync(file, content);
  },
  /** `touch index.ts`: only the times change; the content is left as it is. */
  touch: (file) => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(file, later, later);
  },
};
