import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../../shared/package-root.js';

/**
 * Where this package's own compiled SDK lives. An app imports `nimbus-functions`, but
 * the app folder may be anywhere on disk with no `node_modules` of its own, so
 * the bundler and the type checker point those imports here.
 */
const SDK_ROOT = packagePath('dist', 'src', 'sdk');
/** The SDK's TypeScript sources, present in a checkout of the repository. */
const SDK_SOURCE_ROOT = packagePath('src', 'sdk');

export interface SdkModule {
  /** The import specifier an app writes. */
  specifier: string;
  /** Compiled JavaScript the bundler inlines. */
  js: string;
  /** Declarations the type checker reads. */
  dts: string;
  /** The TypeScript source, in a checkout. */
  source: string;
}

/** The package's name; apps written before it was renamed import plain `nimbus`, which still resolves here. */
export const PACKAGE_NAME = 'nimbus-functions';
const LEGACY_NAME = 'nimbus';

/** Runtimes that let another platform's code run unchanged; generated entries import them. */
const ADAPTER_RUNTIMES = ['lambda', 'workers', 'azure'] as const;

export const SDK_MODULES: readonly SdkModule[] = [
  ...[PACKAGE_NAME, LEGACY_NAME].flatMap((name) => [
    { specifier: name, js: sdkFile('index.js'), dts: sdkFile('index.d.ts'), source: sdkSource('index.ts') },
    { specifier: `${name}/client`, js: sdkFile('client/index.js'), dts: sdkFile('client/index.d.ts'), source: sdkSource('client/index.ts') },
  ]),
  ...ADAPTER_RUNTIMES.map((format) => sdkModule(`${PACKAGE_NAME}/adapters/${format}`, `adapters/${format}/index`)),
  // Azure Functions code imports its programming model from this package; Nimbus implements that surface.
  sdkModule('@azure/functions', 'adapters/azure/index'),
];

function sdkModule(specifier: string, path: string): SdkModule {
  return { specifier, js: sdkFile(`${path}.js`), dts: sdkFile(`${path}.d.ts`), source: sdkSource(`${path}.ts`) };
}

export function findSdkModule(specifier: string): SdkModule | undefined {
  return SDK_MODULES.find((m) => m.specifier === specifier);
}

/**
 * The SDK modules that exist in this build (the client may not be built
 * yet), each with the file the type checker should read: the declarations,
 * unless this is a checkout whose SDK sources are newer than them or that
 * has none (`npm start` compiles with esbuild, which writes no declarations).
 */
export function availableSdkModules(): (SdkModule & { types: string })[] {
  const sourcesChangedAt = newestSourceMtime();
  return SDK_MODULES.filter((m) => existsSync(m.js)).map((m) => {
    const declaredAt = mtimeOf(m.dts);
    const useSource = sourcesChangedAt !== undefined && existsSync(m.source) && (declaredAt === undefined || declaredAt < sourcesChangedAt);
    return { ...m, types: useSource ? m.source : m.dts };
  });
}

function newestSourceMtime(): number | undefined {
  let newest: number | undefined;
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest ?? 0, mtimeOf(path) ?? 0);
    }
  };
  if (existsSync(SDK_SOURCE_ROOT)) visit(SDK_SOURCE_ROOT);
  return newest;
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function sdkFile(relative: string): string {
  return join(SDK_ROOT, relative);
}

function sdkSource(relative: string): string {
  return join(SDK_SOURCE_ROOT, relative);
}
