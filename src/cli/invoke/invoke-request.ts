import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { CliError, UsageError } from '../cli-error.js';
import type { CliContext } from '../command.js';

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const BINARY_TYPE = 'application/octet-stream';
/** Methods whose requests carry no body (fetch refuses one). */
const BODILESS = new Set(['GET', 'HEAD']);
/** The methods a function's Request can carry (as the node accepts at /fn). */
export const INVOKE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export interface InvokeFlags {
  route: string | null;
  method?: string;
  path?: string;
  headers: readonly string[];
  query: readonly string[];
  data?: string;
}

export interface InvokeRequest {
  method: string;
  /** Path and query below the node's URL: `/fn/<app>/<function><path>?<query>`. */
  target: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

/**
 * The request `nimbus invoke` sends to `/fn/<app>/<function>`: the method is
 * `--method`, else the one the function's route declares, else POST; `--path`
 * is appended (the node matches it against the route's parameters); each
 * `--query K=V` and `--header 'K: V'` is added as given.
 */
export async function buildInvokeRequest(app: string, fn: string, flags: InvokeFlags, ctx: CliContext): Promise<InvokeRequest> {
  const method = (flags.method ?? declaredMethod(flags.route) ?? 'POST').toUpperCase();
  if (!(INVOKE_METHODS as readonly string[]).includes(method)) throw new UsageError(`--method must be one of ${INVOKE_METHODS.join(', ')}, got "${flags.method}"`, 'invoke');
  let path = flags.path ?? '';
  if (path !== '' && !path.startsWith('/')) path = `/${path}`;
  const query = new URLSearchParams();
  for (const pair of flags.query) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--query expects NAME=VALUE, got "${pair}"`, 'invoke');
    query.append(pair.slice(0, equals), pair.slice(equals + 1));
  }
  const search = query.size > 0 ? `${path.includes('?') ? '&' : '?'}${query}` : '';
  const headers: Record<string, string> = {};
  for (const line of flags.headers) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (name === '' || /\s/.test(name)) throw new UsageError(`--header expects "NAME: VALUE", got "${line}"`, 'invoke');
    headers[name.toLowerCase()] = line.slice(colon + 1).trim();
  }
  const request: InvokeRequest = { method, target: `/fn/${encodeURIComponent(app)}/${encodeURIComponent(fn)}${path}${search}`, headers };
  if (flags.data === undefined) return request;
  if (BODILESS.has(method)) throw new UsageError(`a ${method} request carries no body: drop --data or pass --method POST`, 'invoke');
  const { body, contentType } = await readData(flags.data, ctx);
  request.body = body;
  if (headers['content-type'] === undefined) headers['content-type'] = contentType;
  return request;
}

/** `GET /orders/:id` → GET; a route for any method (or none) declares nothing. */
function declaredMethod(route: string | null): string | undefined {
  const parts = route?.trim().split(/\s+/) ?? [];
  return parts.length === 2 && parts[0] !== '*' ? parts[0] : undefined;
}

/** `--data`: JSON or text as typed, `@FILE` for a file, `@-` for standard input. */
async function readData(data: string, ctx: CliContext): Promise<{ body: Uint8Array | string; contentType: string }> {
  if (data === '@-') {
    if (!ctx.readStdin) throw new CliError('--data @- reads standard input, and there is none here');
    const body = await ctx.readStdin();
    return { body, contentType: isJson(Buffer.from(body).toString('utf8')) ? JSON_TYPE : BINARY_TYPE };
  }
  if (data.startsWith('@')) {
    const path = resolve(ctx.cwd, data.slice(1));
    try {
      return { body: await readFile(path), contentType: extname(path) === '.json' ? JSON_TYPE : BINARY_TYPE };
    } catch {
      throw new CliError(`cannot read --data file ${path}`);
    }
  }
  return { body: data, contentType: isJson(data) ? JSON_TYPE : TEXT_TYPE };
}

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
