import { createRequire } from 'node:module';
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
 * `nimbus` and `nimbus/client` read from this package's own declarations and
 * Node's types from this package's `@types/node`. Returns one
 * `file:line:col message` line per problem, paths relative to the app folder;
 * empty when the app is sound. JavaScript entries are not checked.
 */
export async function typecheckApp(appDir: string, entry: string): Promise<string[]> {
  if (!TYPESCRIPT_EXTENSIONS.has(extname(entry))) return [];
  const ts = await loadTypeScript();
  const program = ts.createProgram({ rootNames: [entry], options: compilerOptions(ts, appDir) });
  // Syntax errors first and alone: the type errors that follow them are mostly echoes.
  const syntactic = program.getSyntacticDiagnostics();
  const diagnostics = syntactic.length > 0 ? syntactic : ts.getPreEmitDiagnostics(program);
  return diagnostics
    .filter((d) => d.category === ts.DiagnosticCategory.Error && d.code !== UNTYPED_MODULE_DIAGNOSTIC)
    .map((d) => formatDiagnostic(ts, d, appDir));
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
  options.paths = Object.fromEntries(availableSdkModules().map((m) => [m.specifier, [m.dts]]));
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
