import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** Headers an error's code implies (`Retry-After` for errors that pass). */
export function errorHeaders(error: NimbusError): Record<string, string> {
  return error.retryAfterSeconds !== undefined ? { 'retry-after': String(error.retryAfterSeconds) } : {};
}

/** Reads a JSON body up to `limit` bytes; 413 beyond, 400 when it isn't JSON. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const bytes = await readBody(req, limit);
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `not valid JSON (${(err as Error).message})`);
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
