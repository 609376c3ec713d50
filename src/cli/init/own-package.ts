import { existsSync, readFileSync } from 'node:fs';
import { packagePath } from '../../shared/package-root.js';

export interface OwnPackage {
  name: string;
  version: string;
  /** The folder this package runs from. */
  root: string;
  /** A clone of the repository (the SDK's sources are there), not a package npm installed. */
  checkout: boolean;
  /** This package's own dependencies and their version ranges. */
  dependencies: Readonly<Record<string, string>>;
}

/** This package as an app's package.json should depend on it. */
export function ownPackage(): OwnPackage {
  const manifest = packagePath('package.json');
  const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as Partial<Omit<OwnPackage, 'root' | 'checkout'>>;
  if (typeof parsed.name !== 'string' || typeof parsed.version !== 'string') throw new Error(`${manifest} has no name or version`);
  // npm packs no sources (package.json "files"), so only a clone has them.
  const checkout = existsSync(packagePath('src', 'sdk', 'index.ts'));
  return { name: parsed.name, version: parsed.version, root: packagePath(), checkout, dependencies: parsed.dependencies ?? {} };
}
