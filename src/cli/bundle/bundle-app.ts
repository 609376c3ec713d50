import { relative, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { countOf } from '../output/table.js';
import { CliError } from '../cli-error.js';
import { findAppEntry } from './app-entry.js';
import { resolveAppName } from './app-name.js';
import { findSdkModule } from './sdk-location.js';
import { typecheckApp } from './typecheck-app.js';

export interface BundleOptions {
  /** Entry module, relative to the app folder; default index.ts, index.js, then package.json main. */
  entry?: string;
  /** Type-check before bundling (default true). */
  typecheck?: boolean;
  /** App name; default package.json name, then the folder name. */
  app?: string;
}

export interface AppBundle {
  appName: string;
  /** One ESM module, no sourceMappingURL comment (the map travels beside it). */
  bundle: string;
  /** Source map JSON; sources are relative to the app folder. */
  sourceMap: string;
  /** Absolute path of the entry module. */
  entry: string;
}

/**
 * Bundled CommonJS dependencies call `require` for Node builtins; an ESM
 * module has none, so give the bundle one.
 */
const REQUIRE_BANNER = "import { createRequire as __nimbusCreateRequire } from 'node:module';\nconst require = __nimbusCreateRequire(import.meta.url);";
const NODE_TARGET = 'node20';
/** The in-memory output file name; it never touches disk but anchors the source map's relative paths. */
const BUNDLE_FILE_NAME = '__nimbus_bundle__.mjs';

export async function bundleApp(dir: string, options: BundleOptions = {}): Promise<AppBundle> {
  const appDir = resolve(dir);
  if (!existsSync(appDir)) throw new CliError(`app folder not found: ${appDir}`);
  const appName = await resolveAppName(appDir, options.app);
  const entry = await findAppEntry(appDir, options.entry);

  if (options.typecheck !== false) {
    const problems = await typecheckApp(appDir, entry);
    if (problems.length > 0) throw new CliError(`type check failed (${countOf(problems.length, 'error')}; skip with --no-typecheck)`, problems);
  }

  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      absWorkingDir: appDir,
      entryPoints: [entry],
      outfile: resolve(appDir, BUNDLE_FILE_NAME),
      write: false,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: NODE_TARGET,
      sourcemap: 'external',
      banner: { js: REQUIRE_BANNER },
      logLevel: 'silent',
      plugins: [nimbusSdkPlugin],
    });
  } catch (err) {
    if (isBuildFailure(err)) throw new CliError(`bundling failed (${countOf(err.errors.length, 'error')})`, err.errors.map((m) => formatMessage(m, appDir)));
    throw err;
  }

  const bundle = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
  const sourceMap = result.outputFiles.find((f) => f.path.endsWith('.map'));
  if (!bundle || !sourceMap) throw new CliError('internal: esbuild produced no bundle');
  return { appName, bundle: bundle.text, sourceMap: sourceMap.text, entry };
}

/** `import … from 'nimbus-functions'` resolves to this package's own compiled SDK, wherever the app lives. */
const nimbusSdkPlugin: esbuild.Plugin = {
  name: 'nimbus-sdk',
  setup(build) {
    build.onResolve({ filter: /^nimbus(-functions)?(\/.*)?$/ }, (args) => {
      const sdk = findSdkModule(args.path);
      if (!sdk) return { errors: [{ text: `"${args.path}" is not part of the Nimbus SDK (use "nimbus-functions" or "nimbus-functions/client")` }] };
      if (!existsSync(sdk.js)) return { errors: [{ text: `"${args.path}" is not available in this Nimbus build (${sdk.js} is missing)` }] };
      return { path: sdk.js };
    });
  },
};

function formatMessage(message: esbuild.Message, appDir: string): string {
  const loc = message.location;
  if (!loc) return message.text;
  // esbuild columns are 0-based; editors and tsc count from 1.
  return `${relative(appDir, resolve(appDir, loc.file))}:${loc.line}:${loc.column + 1} ${message.text}`;
}

function isBuildFailure(err: unknown): err is esbuild.BuildFailure {
  return err instanceof Error && Array.isArray((err as Partial<esbuild.BuildFailure>).errors);
}
