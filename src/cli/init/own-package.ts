import { readFileSync } from 'node:fs';

/** This package's package.json (dist/src/cli/init/ → the package root). */
const MANIFEST = new URL('../../../../package.json', import.meta.url);

export interface OwnPackage {
  name: string;
  version: string;
}

/** The name and version an app's package.json should depend on. */
export function ownPackage(): OwnPackage {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Partial<OwnPackage>;
  if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string') throw new Error(`${MANIFEST.pathname} has no name or version`);
  return { name: manifest.name, version: manifest.version };
}
