import { readFileSync } from 'node:fs';

/** This installation's package version, from the package.json three folders above the compiled file (dist/src/cli/). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
