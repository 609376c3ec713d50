import { mkdtemp, mkdir, rename, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

export interface TempDir {
  path: string;
  write(relative: string, content: string): Promise<void>;
  remove(): Promise<void>;
}

/** Names each write's temporary file apart from the others'. */
let writes = 0;

/**
 * A folder in the OS temp dir, outside this repository, so nothing resolves
 * through the repository's own node_modules by accident.
 */
export async function makeTempDir(files: Record<string, string> = {}, prefix = 'nimbus-cli-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  // Whole at once (a rename over it), as an editor saves: a watcher (nimbus dev) that wakes between the
  // truncate and the write of an in-place save would read an empty file on a loaded machine.
  const write = async (relative: string, content: string): Promise<void> => {
    const file = join(path, relative);
    await mkdir(dirname(file), { recursive: true });
    // A dotfile: `nimbus dev` ignores those, so only the rename is a change.
    const partial = join(dirname(file), `.${basename(file)}.${process.pid}.${++writes}.partial`);
    await writeFile(partial, content);
    await rename(partial, file);
  };
  for (const [relative, content] of Object.entries(files)) await write(relative, content);
  return { path, write, remove: () => rm(path, { recursive: true, force: true }) };
}
