import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminRoutes } from '../../../src/gateway/admin-routes/index.js';
import { AdminTransport } from '../../../src/cli/api/admin-transport.js';
import { routePath } from '../../../src/cli/api/route-call.js';

test('a route path is built from its declaration, each parameter encoded (a :rest* keeps its slashes)', () => {
  assert.equal(routePath(adminRoutes.secrets.set, { app: 'shop', name: 'A B/C' }), '/apps/shop/secrets/A%20B%2FC');
  assert.equal(routePath(adminRoutes.blobs.get, { bucket: 'pics', key: 'a b/c.png' }), '/blobs/pics/a%20b/c.png');
  assert.equal(routePath(adminRoutes.keys.list), '/keys');
});

test('a typed call sends the declared method, path, query and JSON body, and returns the answer', async (t) => {
  const seen: { method?: string; url?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ secret: { name: 'TOKEN', createdAt: 1, updatedAt: 2 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const transport = new AdminTransport(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'key');
  const answer = await transport.call(adminRoutes.secrets.set, { params: { app: 'shop', name: 'TOKEN' }, body: { value: 'v' }, query: { dry: 1 } });
  assert.equal(answer.secret.name, 'TOKEN');
  assert.deepEqual(seen, [{ method: 'PUT', url: '/_nimbus/api/v1/apps/shop/secrets/TOKEN?dry=1', body: '{"value":"v"}' }]);
});
