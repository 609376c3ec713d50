import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where this package's own compiled SDK lives. An app imports `nimbus-functions`, but
 * the app folder may be anywhere on disk with no `node_modules` of its own, so
 * the bundler and the type checker point those imports here, relative to the
 * CLI's compiled module (dist/src/cli/bundle/ → dist/src/sdk/).
 */
const SDK_ROOT = new URL('../../sdk/', import.meta.url);

export interface SdkModule {
  /** The import specifier an app writes. */
  specifier: string;
  /** Compiled JavaScript the bundler inlines. */
  js: string;
  /** Declarations the type checker reads. */
  dts: string;
}

/** The package's name; apps written before it was renamed import plain `nimbus`, which still resolves here. */
export const PACKAGE_NAME = 'nimbus-functions';
const LEGACY_NAME = 'nimbus';

export const SDK_MODULES: readonly SdkModule[] = [PACKAGE_NAME, LEGACY_NAME].flatMap((name) => [
  { specifier: name, js: sdkFile('index.js'), dts: sdkFile('index.d.ts') },
  { specifier: `${name}/client`, js: sdkFile('client/index.js'), dts: sdkFile('client/index.d.ts') },
]);

export function findSdkModule(specifier: string): SdkModule | undefined {
  return SDK_MODULES.find((m) => m.specifier === specifier);
}

/** The SDK modules that exist in this build (the client may not be built yet). */
export function availableSdkModules(): SdkModule[] {
  return SDK_MODULES.filter((m) => existsSync(m.js));
}

function sdkFile(relative: string): string {
  return fileURLToPath(new URL(relative, SDK_ROOT));
}
