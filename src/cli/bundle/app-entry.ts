import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../cli-error.js';
import { readPackageJson } from './app-name.js';

const DEFAULT_ENTRIES = ['index.ts', 'index.js'] as const;

/**
 * The app's entry module, as an absolute path: the one asked for, else
 * `index.ts`, else `index.js`, else package.json `main`.
 */
export async function findAppEntry(dir: string, entry?: string): Promise<string> {
  if (entry !== undefined) return requireFile(resolve(dir, entry), `entry "${entry}"`);
  for (const name of DEFAULT_ENTRIES) {
    const candidate = join(dir, name);
    if (isFile(candidate)) return candidate;
  }
  const main = (await readPackageJson(dir))?.['main'];
  if (typeof main === 'string') return requireFile(resolve(dir, main), `package.json main "${main}"`);
  throw new CliError(`no entry module in ${dir}: add index.ts or index.js, or set "main" in package.json`);
}

function requireFile(path: string, what: string): string {
  if (!isFile(path)) throw new CliError(`${what} not found: ${path}`);
  return path;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
