import { readFileSync } from 'node:fs';
import { packagePath } from '../shared/package-root.js';

/** This installation's package version, from its package.json. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
