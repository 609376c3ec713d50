import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { handleBlobRequest } from '../../../src/gateway/blob-api/handle-blob-request.js';
import type { BlobBackend } from '../../../src/blobs/blob-backend.js';

export const PREFIX = '/_nimbus/api/v1/blobs';

/** A real node:http server on 127.0.0.1 that serves the blob API the way the gateway mounts it. */
export async function startBlobApiServer(backend: BlobBackend): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const internalErrors: unknown[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(PREFIX)) {
      res.writeHead(404).end();
      return;
    }
    void handleBlobRequest(req, res, url.slice(PREFIX.length), backend, { onInternalError: (err) => internalErrors.push(err) });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (internalErrors.length > 0) throw new Error(`the handler hit internal errors: ${internalErrors.map(String).join('; ')}`);
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): any;
}

/** Sends the path as written (no URL normalisation, unlike fetch), so `..` reaches the server. */
export function send(
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string | number>; body?: string | Buffer | Readable } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: PREFIX + path, headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    const b = options.body;
    if (b === undefined) req.end();
    else if (typeof b === 'string' || Buffer.isBuffer(b)) req.end(b);
    else b.pipe(req);
  });
}
