import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import type * as TypeScript from 'typescript';
import { CliError } from '../cli-error.js';
import { availableSdkModules } from './sdk-location.js';

type TypeScriptApi = typeof TypeScript;

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);
/**
 * "Could not find a declaration file for module …": a plain JavaScript
 * dependency without types. esbuild bundles it fine and TypeScript types it
 * as `any`; refusing the deploy over it would only push users to --no-typecheck.
 */
const UNTYPED_MODULE_DIAGNOSTIC = 7016;

/**
 * Type-checks an app the way it will be bundled: strict, no emit, bundler
 * module resolution (extensionless relative imports, as esbuild allows), with
 * `nimbus-functions` read from this package's own declarations and Node's
 * types from this package's `@types/node`. Returns one `file:line:col message`
 * line per problem, paths relative to the app folder; empty when the app is
 * sound. JavaScript entries are not checked.
 */
export async function typecheckApp(appDir: string, entry: string): Promise<string[]> {
  return new AppTypeChecker(appDir).check(entry);
}

/**
 * A type checker that keeps what it read between checks: the standard
 * library, `@types/node` and every file that did not change since the last
 * check are neither read nor parsed again, and TypeScript reuses the previous
 * program's structure. The first check of a process costs seconds (loading
 * TypeScript, parsing Node's types); a check after one saved file, tens of
 * milliseconds. `nimbus dev` keeps one per app folder.
 */
export class AppTypeChecker {
  readonly #appDir: string;
  #ts: TypeScriptApi | undefined;
  #options: TypeScript.CompilerOptions | undefined;
  #host: TypeScript.CompilerHost | undefined;
  #program: TypeScript.Program | undefined;
  /** Parsed files by path, with the mtime and size they were read at. */
  readonly #files = new Map<string, { mtimeMs: number; size: number; file: TypeScript.SourceFile }>();

  constructor(appDir: string) {
    this.#appDir = appDir;
  }

  async check(entry: string): Promise<string[]> {
    if (!TYPESCRIPT_EXTENSIONS.has(extname(entry))) return [];
    const ts = (this.#ts ??= await loadTypeScript());
    const options = (this.#options ??= compilerOptions(ts, this.#appDir));
    const host = (this.#host ??= this.#cachingHost(ts, options));
    const program = ts.createProgram({ rootNames: [entry], options, host, ...(this.#program ? { oldProgram: this.#program } : {}) });
    this.#program = program;
    // Syntax errors first and alone: the type errors that follow them are mostly echoes.
    const syntactic = program.getSyntacticDiagnostics();
    const diagnostics = syntactic.length > 0 ? syntactic : ts.getPreEmitDiagnostics(program);
    return diagnostics
      .filter((d) => d.category === ts.DiagnosticCategory.Error && d.code !== UNTYPED_MODULE_DIAGNOSTIC)
      .map((d) => formatDiagnostic(ts, d, this.#appDir));
  }

  /** A compiler host that hands back the parsed file it already has while the file on disk is unchanged. */
  #cachingHost(ts: TypeScriptApi, options: TypeScript.CompilerOptions): TypeScript.CompilerHost {
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      const stamp = fileStamp(fileName);
      const cached = this.#files.get(fileName);
      if (cached && stamp && cached.mtimeMs === stamp.mtimeMs && cached.size === stamp.size) return cached.file;
      const file = read(fileName, languageVersion, onError, shouldCreate);
      if (file && stamp) this.#files.set(fileName, { ...stamp, file });
      else this.#files.delete(fileName);
      return file;
    };
    return host;
  }
}

function fileStamp(path: string): { mtimeMs: number; size: number } | undefined {
  try {
    const { mtimeMs, size } = statSync(path);
    return { mtimeMs, size };
  } catch {
    return undefined;
  }
}

function compilerOptions(ts: TypeScriptApi, appDir: string): TypeScript.CompilerOptions {
  const nodeTypesRoot = findNodeTypesRoot();
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2023'],
      esModuleInterop: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      resolveJsonModule: true,
      types: nodeTypesRoot ? ['node'] : [],
      typeRoots: [join(appDir, 'node_modules', '@types'), ...(nodeTypesRoot ? [nodeTypesRoot] : [])],
    },
    appDir,
  );
  if (errors.length > 0) throw new CliError(`internal: bad type-check options: ${ts.flattenDiagnosticMessageText(errors[0]!.messageText, ' ')}`);
  // Absolute paths, so no baseUrl is needed and the app's own node_modules never shadows the SDK.
  options.paths = Object.fromEntries(availableSdkModules().map((m) => [m.specifier, [m.types]]));
  return options;
}

/** The folder holding this package's `@types/node`, so apps without node_modules still see Node's types. */
function findNodeTypesRoot(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@types/node/package.json');
    return dirname(dirname(manifest));
  } catch {
    return undefined;
  }
}

function formatDiagnostic(ts: TypeScriptApi, d: TypeScript.Diagnostic, appDir: string): string {
  const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
  if (!d.file || d.start === undefined) return message;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${relative(appDir, d.file.fileName)}:${line + 1}:${character + 1} ${message}`;
}

async function loadTypeScript(): Promise<TypeScriptApi> {
  try {
    const loaded = (await import('typescript')) as TypeScriptApi & { default?: TypeScriptApi };
    return loaded.default ?? loaded;
  } catch {
    throw new CliError('the type checker (typescript) is not installed: install it, or skip the check with --no-typecheck');
  }
}
