import { readFileSync } from 'node:fs';
import { packagePath } from '../../shared/package-root.js';

export interface OwnPackage {
  name: string;
  version: string;
}

/** The name and version an app's package.json should depend on. */
export function ownPackage(): OwnPackage {
  const manifest = packagePath('package.json');
  const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as Partial<OwnPackage>;
  if (typeof parsed.name !== 'string' || typeof parsed.version !== 'string') throw new Error(`${manifest} has no name or version`);
  return { name: parsed.name, version: parsed.version };
}
