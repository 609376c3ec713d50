import { relative, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { countOf } from '../output/table.js';
import { CliError } from '../cli-error.js';
import { findAppEntry } from './app-entry.js';
import { readAppFormat, type AppFormat, type FormatReading } from './formats/app-format.js';
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
  /** The folder's format; default: found from the files in it (native when none matches). */
  format?: AppFormat;
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
export const REQUIRE_BANNER = "import { createRequire as __nimbusCreateRequire } from 'node:module';\nconst require = __nimbusCreateRequire(import.meta.url);";
const NODE_TARGET = 'node20';
/** The in-memory output file name; it never touches disk but anchors the source map's relative paths. */
const BUNDLE_FILE_NAME = '__nimbus_bundle__.mjs';

/** The app folder, name and entry module a deploy works on. */
export interface AppSource {
  appDir: string;
  appName: string;
  /** Absolute path of the entry module (for another platform's code: of the generated one, which is never written). */
  entry: string;
  /** Another platform's code: what its adapter read, with the generated entry. Absent for native apps. */
  reading?: FormatReading;
}

/** Where a generated entry appears to live: in the app folder, so its imports resolve from there. */
const GENERATED_ENTRY_NAME = '__nimbus_entry__.ts';

export async function resolveAppSource(dir: string, options: Pick<BundleOptions, 'app' | 'entry' | 'format'> = {}): Promise<AppSource> {
  const appDir = resolve(dir);
  if (!existsSync(appDir)) throw new CliError(`app folder not found: ${appDir}`);
  // An entry given by hand is a native app's; only then is detection skipped.
  const reading = options.entry !== undefined && options.format === undefined ? undefined : await readAppFormat(appDir, options.format);
  if (reading) {
    if (options.entry !== undefined) throw new CliError(`--entry is for native apps: a ${reading.format} app's entries come from ${reading.source}`);
    return { appDir, appName: await resolveAppName(appDir, options.app, reading.appName === undefined ? undefined : { name: reading.appName, source: reading.source }), entry: resolve(appDir, GENERATED_ENTRY_NAME), reading };
  }
  return { appDir, appName: await resolveAppName(appDir, options.app), entry: await findAppEntry(appDir, options.entry) };
}

/** Type-check (unless told not to), then bundle: what `nimbus deploy` uploads. */
export async function bundleApp(dir: string, options: BundleOptions = {}): Promise<AppBundle> {
  const source = await resolveAppSource(dir, options);
  // Another platform's code is bundled as its own tools bundle it: types stripped, not checked.
  if (options.typecheck !== false && !source.reading) throwOnTypeErrors(await typecheckApp(source.appDir, source.entry));
  const bundler = new AppBundler(source);
  try {
    return { appName: source.appName, entry: source.entry, ...(await bundler.bundle()) };
  } finally {
    await bundler.dispose();
  }
}

export function throwOnTypeErrors(problems: readonly string[]): void {
  if (problems.length > 0) throw new CliError(`type check failed (${countOf(problems.length, 'error')}; skip with --no-typecheck)`, [...problems]);
}

/**
 * Bundles one app's entry with esbuild. With `incremental`, esbuild keeps
 * what it parsed and a rebuild after a save reads only what changed
 * (`nimbus dev`); call dispose() when done.
 */
export class AppBundler {
  readonly #source: AppSource;
  readonly #incremental: boolean;
  #context: Promise<esbuild.BuildContext<BuildOptions>> | undefined;

  constructor(source: AppSource, options: { incremental?: boolean } = {}) {
    this.#source = source;
    this.#incremental = options.incremental ?? false;
  }

  async bundle(): Promise<{ bundle: string; sourceMap: string }> {
    const { appDir } = this.#source;
    let result: esbuild.BuildResult<BuildOptions>;
    try {
      if (this.#incremental) {
        this.#context ??= esbuild.context(this.#buildOptions());
        result = await (await this.#context).rebuild();
      } else {
        result = await esbuild.build(this.#buildOptions());
      }
    } catch (err) {
      if (isBuildFailure(err)) throw new CliError(`bundling failed (${countOf(err.errors.length, 'error')})`, err.errors.map((m) => formatMessage(m, appDir)));
      throw err;
    }
    const bundle = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
    const sourceMap = result.outputFiles.find((f) => f.path.endsWith('.map'));
    if (!bundle || !sourceMap) throw new CliError('internal: esbuild produced no bundle');
    return { bundle: bundle.text, sourceMap: sourceMap.text };
  }

  async dispose(): Promise<void> {
    const context = this.#context;
    this.#context = undefined;
    if (context) await (await context.catch(() => undefined))?.dispose();
  }

  #buildOptions(): BuildOptions {
    const { appDir, entry, reading } = this.#source;
    return {
      absWorkingDir: appDir,
      ...(reading
        ? { stdin: { contents: reading.entrySource, resolveDir: appDir, sourcefile: GENERATED_ENTRY_NAME, loader: 'ts' as const } }
        : { entryPoints: [entry] }),
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
    };
  }
}

type BuildOptions = esbuild.BuildOptions & { write: false };

/**
 * `import … from 'nimbus-functions'` resolves to this package's own compiled SDK, wherever the app lives;
 * so does `@azure/functions`, installed or not: Azure Functions code runs on Nimbus's implementation of it.
 */
const nimbusSdkPlugin: esbuild.Plugin = {
  name: 'nimbus-sdk',
  setup(build) {
    build.onResolve({ filter: /^(nimbus(-functions)?(\/.*)?|@azure\/functions)$/ }, (args) => {
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
