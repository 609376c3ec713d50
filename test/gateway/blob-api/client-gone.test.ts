import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import type { BlobBackend } from '../../../src/blobs/blob-backend.js';
import { handleBlobRequest } from '../../../src/gateway/blob-api/handle-blob-request.js';

/** A backend whose upload reads the body and then fails as `fail` says: what a real one does when its source errors. */
function failingBackend(fail: () => Error): BlobBackend {
  return {
    putObject: async (_bucket: string, _key: string, body: AsyncIterable<unknown>) => {
      try {
        for await (const _chunk of body) { /* drain */ }
      } catch {
        // the body's own error is replaced by the one under test
      }
      throw fail();
    },
  } as unknown as BlobBackend;
}

async function serve(backend: BlobBackend) {
  const internal: unknown[] = [];
  const handled: Promise<void>[] = [];
  const server = createServer((req, res) => {
    handled.push(handleBlobRequest(req, res, (req.url ?? '').slice('/b'.length), backend, { onInternalError: (err) => internal.push(err) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port, internal, handled,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('an upload whose client went away mid-body is not reported as an internal error', async (t) => {
  const api = await serve(failingBackend(() => new Error('aborted')));
  t.after(api.close);
  await new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port: api.port, method: 'PUT', path: '/b/bucket/key', headers: { 'content-length': 1024 * 1024 } });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(1024), () => setImmediate(() => req.destroy()));
  });
  while (api.handled.length === 0) await new Promise((resolve) => setImmediate(resolve));
  await Promise.all(api.handled);
  assert.deepEqual(api.internal, []);
});

test('the same failure on a request that arrived whole is an internal error', async (t) => {
  const api = await serve(failingBackend(() => new Error('disk on fire')));
  t.after(api.close);
  const res = await fetch(`http://127.0.0.1:${api.port}/b/bucket/key`, { method: 'PUT', body: 'whole' });
  assert.equal(res.status, 500);
  await Promise.all(api.handled);
  assert.equal(api.internal.length, 1);
  assert.match(String(api.internal[0]), /disk on fire/);
});
