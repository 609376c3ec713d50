import { accessSync, constants } from 'node:fs';

/** Whether this process may write `path` now (permissions and read-only mounts alike). */
export function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
