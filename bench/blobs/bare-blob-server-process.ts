/**
 * Entry of the child process running the bare baseline for the blob bench:
 * a plain `node:http` server, written the way one would by hand, that
 * stores one file per path. PUT streams the request body into a file,
 * fsyncs it, then answers 201; GET streams the file back with its
 * Content-Length. No hashing, no index, no auth: the floor for "bytes over
 * HTTP to and from a disk". Its folder comes in argv; it tells the parent
 * its port over IPC and exits when the parent disconnects.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const folder = process.argv[2];
if (!folder) throw new Error('usage: bare-blob-server-process <folder>');
const fileFor = (url: string | undefined): string => join(folder, encodeURIComponent(url ?? '/'));

const server = createServer((req, res) => {
  const path = fileFor(req.url);
  const work = req.method === 'PUT'
    ? (async () => {
      await pipeline(req, createWriteStream(path));
      // fsync through a second descriptor: on Linux it flushes the file's data, whoever wrote it.
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      res.writeHead(201).end();
    })()
    : (async () => {
      const { size } = await stat(path);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      await pipeline(createReadStream(path), res);
    })();
  work.catch(() => {
    if (!res.headersSent) res.writeHead(500).end();
    else res.destroy();
  });
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.once('disconnect', () => process.exit(0));
