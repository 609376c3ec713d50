import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Stack traces mapped to the app's sources, with each source map read and
 * parsed the first time a stack needs it rather than when its file loads.
 *
 * `--enable-source-maps` parses a bundle's whole map while the bundle is
 * imported: measured here, about 30 ms of every cold start for an app whose
 * bundled dependencies make a 2 MB map, paid whether or not an error ever
 * happens. Formatting follows Node's own mapped stacks
 * (`at Type.name (source:line:column)`); frames in files without a map are
 * V8's own text.
 */
export function installLazySourceMaps(): void {
  Error.prepareStackTrace = formatStack;
}

/** Per file: its parsed map and where the map lives (to resolve relative sources), or null for none. */
const maps = new Map<string, { map: SourceMap; url: string } | null>();
/** A sourceMappingURL comment sits at the end of the file; this much of the end is read to find it. */
const TAIL_BYTES = 4096;

function formatStack(error: Error, trace: NodeJS.CallSite[]): string {
  let out = headerOf(error);
  for (const site of trace) out += `\n    at ${formatSite(site)}`;
  return out;
}

function headerOf(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

function formatSite(site: NodeJS.CallSite): string {
  try {
    const file = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    const found = file && line !== null && column !== null ? mapOf(file) : null;
    if (found) {
      const entry = found.map.findEntry(line! - 1, column! - 1);
      if ('originalSource' in entry && entry.originalSource) {
        const source = displaySource(entry.originalSource, found.url);
        const name = callName(site);
        return name ? `${name} (${source}:${entry.originalLine + 1}:${entry.originalColumn + 1})` : `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
      }
    }
  } catch {
    // A frame that cannot be mapped is shown as V8 would.
  }
  return String(site);
}

/** `async`/`new`, the receiver's type and the function's name, as in V8's own frames. */
function callName(site: NodeJS.CallSite): string {
  const fn = site.getFunctionName() ?? site.getMethodName();
  const type = site.isConstructor() ? null : site.getTypeName();
  if (!fn && site.isToplevel()) return '';
  const qualified = `${type !== null && type !== 'global' ? `${type}.` : ''}${fn ?? '<anonymous>'}`;
  return `${site.isAsync() ? 'async ' : ''}${site.isConstructor() ? 'new ' : ''}${qualified}`;
}

function displaySource(source: string, mapUrl: string): string {
  const absolute = /^[a-z][a-z\d+.-]*:/i.test(source) ? source : new URL(source, mapUrl).href;
  return absolute.startsWith('file:') ? fileURLToPath(absolute) : absolute;
}

/**
 * This runtime's own bundle: its frames stay as they are (`instance.mjs:line`), so they read as the platform's, not
 * as sources of the app, and the host can drop them from the stacks it logs (cleanStack).
 */
const OWN_FILE = import.meta.url;
const OWN_PATH = fileURLToPath(OWN_FILE);

function mapOf(file: string): { map: SourceMap; url: string } | null {
  if (file === OWN_FILE || file === OWN_PATH) return null;
  let found = maps.get(file);
  if (found === undefined) {
    found = readMap(file);
    maps.set(file, found);
  }
  return found;
}

function readMap(file: string): { map: SourceMap; url: string } | null {
  if (!file.startsWith('file:') && !file.startsWith('/')) return null; // node: internals, eval code
  try {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    const comment = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(fileTail(path))?.[1];
    if (!comment) return null;
    const fileUrl = pathToFileURL(path).href;
    if (comment.startsWith('data:')) {
      const payload = Buffer.from(comment.slice(comment.indexOf(',') + 1), 'base64').toString('utf8');
      return { map: new SourceMap(JSON.parse(payload) as SourceMapPayload), url: fileUrl };
    }
    const url = new URL(comment, fileUrl).href;
    return { map: new SourceMap(JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as SourceMapPayload), url };
  } catch {
    return null;
  }
}

function fileTail(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
