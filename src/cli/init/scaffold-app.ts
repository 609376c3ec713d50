import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CliError } from '../cli-error.js';
import { sanitiseAppName } from '../bundle/app-name.js';
import { COMMON_TEMPLATE_DIR, TEMPLATES_DIR, type AppTemplate } from './app-templates.js';
import { appPackageJson, record, type PackageJson } from './app-package-json.js';
import { appDevDependencies } from './app-dependencies.js';
import { ownPackage } from './own-package.js';

/**
 * What a folder may already hold and still count as empty: what `git init` and
 * `npm i -D nimbus-functions` leave there, so both may come before `nimbus init`.
 */
const LEFT_BY_GIT_AND_NPM = new Set(['.git', 'package.json', 'package-lock.json', 'node_modules']);
/** Template files whose name npm would not pack as it is. */
const RENAMED_ON_COPY: Record<string, string> = { gitignore: '.gitignore' };
/** How the written files are listed: the code first; files a template adds go first of all. */
const LISTED_ORDER = ['index.ts', 'tsconfig.json', 'package.json', '.gitignore'];
/** Merged line by line rather than replaced: the user's own entries stay. */
const LINE_MERGED = new Set(['.gitignore']);

export interface ScaffoldOptions {
  /** Absolute path of the app folder; made if missing. */
  dir: string;
  template: AppTemplate;
  /** Write into a folder that holds other files, replacing the template's own. */
  force: boolean;
}

export type WriteKind = 'created' | 'replaced' | 'updated' | 'kept';

export interface ScaffoldResult {
  /** The name written to package.json (and the app's name when it deploys). */
  name: string;
  files: { file: string; kind: WriteKind }[];
  /** What package.json lists for the app that is not in its node_modules yet: `npm install` fetches it. */
  toInstall: { name: string; spec: string }[];
}

export async function scaffoldApp({ dir, template, force }: ScaffoldOptions): Promise<ScaffoldResult> {
  const own = ownPackage();
  await refuseOwnFolder(dir, own.root);
  await prepareFolder(dir, force);
  const files: ScaffoldResult['files'] = [];

  for (const source of [join(TEMPLATES_DIR, COMMON_TEMPLATE_DIR), join(TEMPLATES_DIR, template.name)]) {
    for (const entry of (await readdir(source, { withFileTypes: true })).filter((e) => e.isFile())) {
      const file = RENAMED_ON_COPY[entry.name] ?? entry.name;
      const content = await readFile(join(source, entry.name), 'utf8');
      files.push({ file, kind: await writeTemplateFile(join(dir, file), content, LINE_MERGED.has(file)) });
    }
  }

  const manifestPath = join(dir, 'package.json');
  const existing = await readManifest(manifestPath);
  const needed = appDevDependencies(own, dir);
  const manifest = appPackageJson(existing, { name: sanitiseAppName(basename(dir)) || 'app', devDependencies: needed, force });
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const before = existing === undefined ? undefined : await readFile(manifestPath, 'utf8');
  if (before !== text) await writeFile(manifestPath, text);
  files.push({ file: 'package.json', kind: before === undefined ? 'created' : before === text ? 'kept' : 'updated' });

  files.sort((a, b) => LISTED_ORDER.indexOf(a.file) - LISTED_ORDER.indexOf(b.file));
  const listed = { ...record(manifest['dependencies']), ...record(manifest['devDependencies']) };
  const toInstall = Object.keys(needed)
    .filter((name) => !existsSync(join(dir, 'node_modules', name, 'package.json')))
    .map((name) => ({ name, spec: String(listed[name]) }));
  return { name: String(manifest['name']), files, toInstall };
}

/**
 * Nimbus's own folder (the clone, or where npm installed it) is no place for an app: its package.json
 * would gain a dependency on itself (`file:.`) and, with --force, its tsconfig.json would be replaced.
 * Compared by real path, so a link to the clone is refused too.
 */
async function refuseOwnFolder(dir: string, ownRoot: string): Promise<void> {
  const real = async (path: string): Promise<string> => realpath(path).catch(() => path);
  if ((await real(dir)) !== (await real(ownRoot))) return;
  throw new CliError(`${dir} is Nimbus's own folder, which this command runs from: make the app in a folder of its own (nimbus init ../my-app makes one beside it)`);
}

async function prepareFolder(dir: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new CliError(`${dir} is not a folder`);
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err instanceof CliError ? err : new CliError(`cannot read ${dir}: ${(err as Error).message}`);
    await mkdir(dir, { recursive: true });
    return;
  }
  const others = entries.filter((e) => !LEFT_BY_GIT_AND_NPM.has(e)).sort();
  if (others.length > 0 && !force) {
    const shown = others.slice(0, 3).join(', ') + (others.length > 3 ? `, … (${others.length} in all)` : '');
    throw new CliError(`${dir} is not empty (${shown}): choose a new folder, or pass --force to write the template's files into it`);
  }
}

async function writeTemplateFile(path: string, content: string, mergeLines: boolean): Promise<WriteKind> {
  let before: string;
  try {
    before = await readFile(path, 'utf8');
  } catch {
    await writeFile(path, content);
    return 'created';
  }
  if (before === content) return 'kept';
  if (!mergeLines) {
    await writeFile(path, content);
    return 'replaced';
  }
  const present = new Set(before.split('\n').map((l) => l.trim()));
  const missing = content.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#') && !present.has(l.trim()));
  if (missing.length === 0) return 'kept';
  await writeFile(path, `${before}${before.endsWith('\n') || before === '' ? '' : '\n'}${missing.join('\n')}\n`);
  return 'updated';
}

async function readManifest(path: string): Promise<PackageJson | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as PackageJson;
  } catch {
    // reported below
  }
  throw new CliError(`${path} is not a JSON object: fix or remove it, then run init again`);
}
