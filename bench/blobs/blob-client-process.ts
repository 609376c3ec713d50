/**
 * Entry of the blob bench's client process: uploads a file and downloads an
 * object over HTTP on request (IPC), timing each transfer from the first
 * byte sent to the answer's last byte. It runs apart from the servers so
 * neither shares an event loop with it; downloaded bytes are counted and
 * dropped, so the client's own disk writes never slow a server's fsync.
 */
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { BlobClientReply, BlobClientRequest } from './children.js';

function put(message: Extract<BlobClientRequest, { kind: 'put' }>): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(message.url, { method: 'PUT', headers: { ...message.headers, 'content-length': message.size } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 || res.statusCode === 200 ? resolve(performance.now() - start) : reject(new Error(`PUT answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    pipeline(createReadStream(message.source), req).catch(reject);
  });
}

function get(message: Extract<BlobClientRequest, { kind: 'get' }>): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    request(message.url, { headers: message.headers }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET answered ${res.statusCode}`));
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => (bytes === message.size ? resolve(performance.now() - start) : reject(new Error(`GET gave ${bytes} of ${message.size} bytes`))));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

process.on('message', (message: BlobClientRequest) => {
  (message.kind === 'put' ? put(message) : get(message))
    .then((ms): BlobClientReply => ({ id: message.id, ms }), (err: unknown): BlobClientReply => ({ id: message.id, error: err instanceof Error ? err.message : String(err) }))
    .then((reply) => process.send?.(reply));
});
process.once('disconnect', () => process.exit(0));
