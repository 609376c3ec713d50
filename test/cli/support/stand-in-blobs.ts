import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface StoredBlob {
  path: string;
  headers: IncomingHttpHeaders;
  size: number;
  md5: string;
  /** How many chunks the upload arrived in: more than one means it streamed. */
  chunks: number;
}

export interface StandInBlobs {
  url: string;
  /** By request path (`/_nimbus/api/v1/blobs/<bucket>/<key>`). */
  stored: Map<string, StoredBlob>;
  close(): Promise<void>;
}

/**
 * A blob API stand-in that streams both ways through files in `dir`: a PUT
 * goes to disk as it arrives; a GET is read from disk. `beforeRest`, when
 * given, is awaited after the first MiB of a GET has been sent, so a test can
 * check that the client writes while it is still downloading.
 */
export async function startStandInBlobs(dir: string, beforeRest?: () => Promise<void>): Promise<StandInBlobs> {
  const stored = new Map<string, StoredBlob>();
  let next = 0;
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    if (req.method === 'PUT') {
      const file = join(dir, `upload-${next++}`);
      const md5 = createHash('md5');
      let size = 0;
      let chunks = 0;
      req.on('data', (c: Buffer) => {
        md5.update(c);
        size += c.length;
        chunks++;
      });
      void pipeline(req, createWriteStream(file)).then(() => {
        const blob = { path: file, headers: req.headers, size, md5: md5.digest('hex'), chunks };
        stored.set(path, blob);
        res.writeHead(201, { 'content-type': 'application/json', etag: `"${blob.md5}"` });
        res.end(JSON.stringify({ bucket: 'b', key: 'k', etag: `"${blob.md5}"`, size, eventType: 'created', sequencer: '0000000000000001' }));
      });
      return;
    }
    const blob = stored.get(path);
    if (req.method !== 'GET' || !blob) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NIMBUS_ERR_BLOB_NOT_FOUND', message: 'no such object' } }));
      return;
    }
    void (async () => {
      const { size } = await stat(blob.path);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      const firstMiB = 1024 * 1024;
      await pipeline(createReadStream(blob.path, { end: firstMiB - 1 }), res, { end: false });
      await beforeRest?.();
      await pipeline(createReadStream(blob.path, { start: firstMiB }), res);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stored,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
