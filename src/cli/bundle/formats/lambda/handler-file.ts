import { existsSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { CliError } from '../../../cli-error.js';

/** Tried in this order for a handler's module (`src/handler.hello` → src/handler.ts, .mjs, .js, .cjs). */
export const HANDLER_EXTENSIONS = ['.ts', '.mjs', '.js', '.cjs'] as const;

export interface HandlerFile {
  /** Relative import specifier from the app folder: `./src/handler.ts`. */
  specifier: string;
  /** The export the handler names. */
  exportName: string;
}

/**
 * Finds the module a Lambda handler string names, as the Node.js runtime
 * and the serverless/SAM esbuild builders do: everything before the last dot
 * is the file without its extension, the rest the export.
 */
export function findHandlerFile(appDir: string, handler: string, where: string, source: string): HandlerFile {
  const dot = handler.lastIndexOf('.');
  const base = posix.normalize(handler.slice(0, dot).replace(/\\/g, '/')).replace(/^\.\//, '');
  const exportName = handler.slice(dot + 1);
  if (base === '' || exportName === '') throw new CliError(`${source}: ${where} "${handler}" must be "path/to/file.exportName"`);
  for (const extension of HANDLER_EXTENSIONS) {
    const path = join(appDir, `${base}${extension}`);
    if (existsSync(path) && statSync(path).isFile()) return { specifier: `./${base}${extension}`, exportName };
  }
  throw new CliError(`${source}: ${where} "${handler}": no ${base}${HANDLER_EXTENSIONS.join(`, ${base}`)} in the app folder`);
}
