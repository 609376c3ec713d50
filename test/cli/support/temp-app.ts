import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempDir {
  path: string;
  write(relative: string, content: string): Promise<void>;
  remove(): Promise<void>;
}

/**
 * A folder in the OS temp dir, outside this repository, so nothing resolves
 * through the repository's own node_modules by accident.
 */
export async function makeTempDir(files: Record<string, string> = {}, prefix = 'nimbus-cli-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const write = async (relative: string, content: string): Promise<void> => {
    const file = join(path, relative);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  };
  for (const [relative, content] of Object.entries(files)) await write(relative, content);
  return { path, write, remove: () => rm(path, { recursive: true, force: true }) };
}
