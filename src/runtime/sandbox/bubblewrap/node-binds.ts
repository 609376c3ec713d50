import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';

/** Fallback when ldd is missing: the whole system library folders, read-only. */
const LIBRARY_DIRS = ['/usr/lib', '/lib', '/lib64', '/usr/lib64'];

/** A host path to bind read-only at `target` inside the sandbox. */
export interface ReadOnlyBind {
  source: string;
  target: string;
}

/**
 * What the sandbox must see for Node to start: its binary and the shared
 * libraries ldd lists, each at the path the dynamic loader looks for it
 * (no /etc/ld.so.cache inside: glibc falls back to its default folders).
 */
export function nodeBinds(nodePath: string): ReadOnlyBind[] {
  const binary = realpathSync(nodePath);
  const binds: ReadOnlyBind[] = [{ source: binary, target: nodePath }];
  let lddOutput: string;
  try {
    lddOutput = execFileSync('ldd', [binary], { encoding: 'utf8', env: {} });
  } catch {
    return [...binds, ...LIBRARY_DIRS.filter(exists).map((dir) => ({ source: realpathSync(dir), target: dir }))];
  }
  for (const line of lddOutput.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (match) binds.push({ source: realpathSync(match[1]!), target: match[1]! });
  }
  return binds;
}

function exists(path: string): boolean {
  try {
    realpathSync(path);
    return true;
  } catch {
    return false;
  }
}
