import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { conditionMatches } from '../blobs/etag.js';
import { NimbusError } from '../shared/errors.js';

/** Where every node serves the console (docs/console.md). */
export const CONSOLE_PATH = '/_nimbus/console';

/**
 * The console's page may run only its own script and style and talk only to
 * this node: an injected string that became markup could still do nothing.
 */
export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
  "font-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/** Sent with every console answer, errors included. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

interface Representation {
  bytes: Buffer;
  etag: string;
}

interface Asset {
  contentType: string;
  identity: Representation;
  /** The build's precompressed `.gz` copy, when there is one. */
  gzip: Representation | null;
}

/**
 * The console's static files (the build's `dist/console`), served from memory:
 * exact file names only (nothing is resolved against the folder, so no path
 * can reach outside it), gzip when the client takes it, ETag revalidation.
 * No key is needed for the files; the data they fetch needs one.
 */
export class ConsoleAssets {
  #assets: Promise<Map<string, Asset>> | null = null;

  constructor(private readonly dir: string) {}

  /** Whether the gateway should hand this path to the console. */
  static owns(path: string): boolean {
    return path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);
  }

  async serve(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (method !== 'GET' && method !== 'HEAD') {
      throw new NimbusError('NIMBUS_ERR_METHOD_NOT_ALLOWED', `${method} ${path}: the console is static files`, { allow: ['GET', 'HEAD'] });
    }
    if (path === CONSOLE_PATH) {
      res.writeHead(308, { location: `${CONSOLE_PATH}/` });
      res.end();
      return;
    }
    const name = path.slice(CONSOLE_PATH.length + 1) || 'index.html';
    const assets = await this.#load();
    if (assets.size === 0) throw new NimbusError('NIMBUS_ERR_CONSOLE_NOT_FOUND', 'the console is not built into this installation (npm run build)');
    const asset = assets.get(name);
    if (!asset) throw new NimbusError('NIMBUS_ERR_CONSOLE_NOT_FOUND', JSON.stringify(name));

    const gzip = asset.gzip && acceptsGzip(req.headers['accept-encoding']);
    const chosen = gzip ? asset.gzip! : asset.identity;
    const headers: Record<string, string> = {
      'content-type': asset.contentType,
      etag: chosen.etag,
      vary: 'accept-encoding',
      // File names carry no hash: the browser asks each time and mostly hears 304.
      'cache-control': 'no-cache',
    };
    if (gzip) headers['content-encoding'] = 'gzip';
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch !== undefined && conditionMatches(ifNoneMatch, chosen.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(chosen.bytes.length) });
    res.end(method === 'HEAD' ? undefined : chosen.bytes);
  }

  async #load(): Promise<Map<string, Asset>> {
    this.#assets ??= readAssets(this.dir);
    const assets = await this.#assets;
    // A console built after the node started is found on the next request.
    if (assets.size === 0) this.#assets = null;
    return assets;
  }
}

async function readAssets(dir: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return assets;
  }
  const present = new Set(names);
  for (const name of names) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (!contentType) continue;
    const bytes = await readFile(join(dir, name));
    const identity = { bytes, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 22)}"` };
    const gzip = present.has(`${name}.gz`) ? { bytes: await readFile(join(dir, `${name}.gz`)), etag: `${identity.etag.slice(0, -1)}-gz"` } : null;
    assets.set(name, { contentType, identity, gzip });
  }
  return assets;
}

/** `Accept-Encoding` names gzip (or `*`) with a weight above 0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star = false;
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (token.trim() === 'gzip') return weight > 0;
    if (token.trim() === '*') star = weight > 0;
  }
  return star;
}
