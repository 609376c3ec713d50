/**
 * The files that register functions: package.json `main`, a file or a glob
 * (`src/functions/*.js`), expanded as the Functions host expands it. A
 * TypeScript project's `main` points into its build output
 * (`dist/src/functions/*.js`); when tsconfig.json's `outDir` says so, the
 * sources are bundled instead (esbuild compiles them as tsc would), so a
 * deploy never picks up a stale build.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { glob } from 'tinyglobby';
import { CliError } from '../../../cli-error.js';

export interface EntryFiles {
  /** Relative to the app folder, `/`-separated, sorted. */
  files: string[];
  /** How they were found, for the deploy output: `package.json main "src/functions/*.js"`. */
  from: string;
}

export async function findEntryFiles(appDir: string, main: string): Promise<EntryFiles> {
  const pattern = main.replace(/^\.\//, '');
  const sources = await sourcesFor(appDir, pattern);
  if (sources) {
    const files = await expand(appDir, sources);
    if (files.length > 0) return { files, from: `package.json main "${main}" (its TypeScript sources, ${sources})` };
  }
  const files = await expand(appDir, pattern);
  if (files.length === 0) throw new CliError(`package.json main "${main}" matches no file in the app folder`);
  return { files, from: `package.json main "${main}"` };
}

async function expand(appDir: string, pattern: string): Promise<string[]> {
  const files = await glob(pattern, { cwd: appDir, onlyFiles: true, ignore: ['**/node_modules/**'] });
  return files.sort();
}

/** `dist/src/functions/*.js` → `src/functions/*.ts` when tsconfig.json builds `.` into `dist`. */
async function sourcesFor(appDir: string, pattern: string): Promise<string | undefined> {
  const path = join(appDir, 'tsconfig.json');
  if (!existsSync(path)) return undefined;
  let options: Record<string, unknown>;
  try {
    // tsconfig.json may hold comments; whatever cannot be read leaves `main` as written.
    const text = (await readFile(path, 'utf8')).replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    options = ((JSON.parse(text) as { compilerOptions?: Record<string, unknown> }).compilerOptions) ?? {};
  } catch {
    return undefined;
  }
  const clean = (dir: unknown): string => (typeof dir === 'string' ? dir.replace(/^\.\/?/, '').replace(/\/$/, '') : '');
  const outDir = clean(options['outDir']);
  if (outDir === '' || !pattern.startsWith(`${outDir}/`)) return undefined;
  const rootDir = clean(options['rootDir']);
  const inSources = `${rootDir === '' ? '' : `${rootDir}/`}${pattern.slice(outDir.length + 1)}`;
  return inSources.replace(/\.m?js$/, (ext) => (ext === '.mjs' ? '.mts' : '.ts'));
}
