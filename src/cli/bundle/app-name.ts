import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CliError } from '../cli-error.js';

/** Same rule the admin API enforces (NIMBUS_ERR_DEPLOY_INVALID_NAME). */
export const APP_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const APP_NAME_MAX_LENGTH = 63;

/**
 * The name an app deploys under: the explicit `--app`, else the name another
 * platform's description gives, else package.json
 * `name` (scope stripped), else the folder name. Derived names are made
 * valid where they can be (lower-cased, other characters turned into dashes);
 * an explicit name is taken as typed, so a typo is reported, not rewritten.
 */
export async function resolveAppName(dir: string, explicit?: string, described?: { name: string; source: string }): Promise<string> {
  if (explicit !== undefined) return validateAppName(explicit, '--app');
  // Another platform's description names the service (serverless `service`, wrangler `name`).
  if (described !== undefined) return validateAppName(sanitiseAppName(described.name), `${described.source} "${described.name}"`);
  const packageName = await readPackageName(dir);
  if (packageName !== undefined) return validateAppName(sanitiseAppName(packageName), `package.json name "${packageName}"`);
  const folder = basename(resolve(dir));
  return validateAppName(sanitiseAppName(folder), `folder name "${folder}"`);
}

export function sanitiseAppName(raw: string): string {
  const unscoped = raw.replace(/^@[^/]*\//, '');
  return unscoped
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, APP_NAME_MAX_LENGTH)
    .replace(/-+$/, '');
}

function validateAppName(name: string, source: string): string {
  if (APP_NAME_PATTERN.test(name)) return name;
  throw new CliError(
    `invalid app name "${name}" (from ${source}): use 1-63 lower-case letters, digits and dashes, starting with a letter; choose one with --app`,
  );
}

async function readPackageName(dir: string): Promise<string | undefined> {
  const manifest = await readPackageJson(dir);
  return typeof manifest?.['name'] === 'string' && manifest['name'] !== '' ? manifest['name'] : undefined;
}

export async function readPackageJson(dir: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, 'package.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch (err) {
    throw new CliError(`${join(dir, 'package.json')} is not valid JSON: ${(err as Error).message}`);
  }
}
