import { relative, sep } from 'node:path';
import type { OwnPackage } from './own-package.js';

/** What the app's `typecheck` script (`tsc --noEmit`) needs: tsconfig.json names Node's types. */
export const TYPECHECK_PACKAGES = ['typescript', '@types/node'] as const;

/**
 * The devDependencies an app needs, each with the spec `npm install` can
 * fetch. nimbus-functions is not on the npm registry yet, so an init run
 * from a clone depends on that clone (npm links it); an installed package
 * was installed from somewhere, and that dependency is already there.
 * TypeScript and Node's types are the versions Nimbus itself is checked with.
 */
export function appDevDependencies(own: OwnPackage, appDir: string): Record<string, string> {
  // Relative to the app's own folder, where npm reads it (`file:..` for an app in a folder of the clone); never
  // empty, since scaffoldApp refuses the clone itself.
  const wanted: Record<string, string> = { [own.name]: own.checkout ? `file:${relative(appDir, own.root).split(sep).join('/')}` : `^${own.version}` };
  for (const name of TYPECHECK_PACKAGES) wanted[name] = own.dependencies[name] ?? 'latest';
  return wanted;
}
