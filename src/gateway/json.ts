import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_JSON_DEPTH, JsonLimitError, parseBoundedJson, type JsonLimits } from '../shared/bounded-json.js';
import { NimbusError } from '../shared/errors.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  // A HEAD answer has the headers of the GET one and no body.
  res.end(res.req?.method === 'HEAD' ? undefined : text);
}

export function sendError(res: ServerResponse, error: NimbusError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  sendJson(res, error.status, error.toJSON(), { ...errorHeaders(error), ...headers });
}

/** Headers an error implies: `Retry-After` for errors that pass, `Allow` for a 405 that names the methods allowed. */
export function errorHeaders(error: NimbusError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  const allow = error.details?.['allow'];
  if (error.code === 'NIMBUS_ERR_METHOD_NOT_ALLOWED' && Array.isArray(allow)) headers['allow'] = allow.join(', ');
  return headers;
}

/**
 * Reads a JSON body up to `limit` bytes and `maxDepth` levels of nesting:
 * 413 beyond the size, 400 when it is nested deeper or isn't JSON. An empty
 * body is `undefined`.
 */
export async function readJsonBody(req: IncomingMessage, limit: number, maxDepth = DEFAULT_JSON_DEPTH): Promise<unknown> {
  const bytes = await readBody(req, limit);
  if (bytes.length === 0) return undefined;
  return parseClientJson(bytes, { maxBytes: limit, maxDepth });
}

/** parseBoundedJson, with its failures as the answers a client gets (413, 400 naming the problem). */
export function parseClientJson(input: Uint8Array | string, limits: JsonLimits, field = 'body'): unknown {
  // JSON is UTF-8 (RFC 8259); decoding would quietly turn bad bytes into U+FFFD.
  if (typeof input !== 'string' && input.byteLength <= limits.maxBytes && !isUtf8(input)) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `${field} is not valid UTF-8`, { field });
  }
  try {
    return parseBoundedJson(input, limits);
  } catch (err) {
    if (!(err instanceof JsonLimitError)) throw err;
    if (err.reason === 'too-large') throw new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `${field} is ${err.message}`, { field });
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `${field} is ${err.message}`, { field });
  }
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `${declared} bytes, limit ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `more than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
