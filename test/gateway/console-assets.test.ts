import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { acceptsGzip, CONSOLE_CSP, ConsoleAssets } from '../../src/gateway/console-assets.js';
import { consoleAssetsDir } from '../../src/server/node.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request whose path goes out byte for byte (fetch would resolve `..` before sending). */
function raw(base: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function errorCode(answer: RawAnswer): string {
  return (JSON.parse(answer.body.toString()) as { error: { code: string } }).error.code;
}

describe('the console is served by every node at /_nimbus/console/', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(() => node.dispose());

  test('/_nimbus/console redirects to /_nimbus/console/, which is the page, with no key and the security headers', async () => {
    const redirect = await raw(node.url, '/_nimbus/console');
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers['location'], '/_nimbus/console/');
    const page = await raw(node.url, '/_nimbus/console/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['content-security-policy'], CONSOLE_CSP);
    assert.match(CONSOLE_CSP, /default-src 'none'; script-src 'self'; style-src 'self';/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal(page.body.toString(), readFileSync(join(consoleAssetsDir(), 'index.html'), 'utf8'));
    assert.doesNotMatch(page.body.toString(), /<script>|<style|\sstyle=|\son\w+=/i, 'no inline script or style');
    for (const name of ['app.js', 'app.css']) {
      const asset = await raw(node.url, `/_nimbus/console/${name}`);
      assert.equal(asset.status, 200, name);
      assert.match(String(asset.headers['content-type']), name.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      assert.equal(asset.headers['content-security-policy'], CONSOLE_CSP);
    }
  });

  test('gzip when the browser takes it (the build\'s precompressed copy), identity when not', async () => {
    const plain = await raw(node.url, '/_nimbus/console/app.js');
    assert.equal(plain.headers['content-encoding'], undefined);
    const zipped = await raw(node.url, '/_nimbus/console/app.js', { headers: { 'accept-encoding': 'br, gzip;q=0.8' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers['vary'], 'accept-encoding');
    assert.ok(zipped.body.length < plain.body.length);
    assert.deepEqual(gunzipSync(zipped.body), plain.body);
    const refused = await raw(node.url, '/_nimbus/console/app.js', { headers: { 'accept-encoding': 'gzip;q=0, deflate' } });
    assert.equal(refused.headers['content-encoding'], undefined);
  });

  test('ETag revalidation answers 304 without a body, per encoding', async () => {
    const first = await raw(node.url, '/_nimbus/console/app.css', { headers: { 'accept-encoding': 'gzip' } });
    const etag = String(first.headers['etag']);
    assert.match(etag, /^".+"$/);
    const again = await raw(node.url, '/_nimbus/console/app.css', { headers: { 'accept-encoding': 'gzip', 'if-none-match': `"other", ${etag}` } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const identity = await raw(node.url, '/_nimbus/console/app.css', { headers: { 'if-none-match': etag } });
    assert.equal(identity.status, 200, 'the gzip ETag does not validate the identity copy');
    assert.notEqual(identity.headers['etag'], etag);
  });

  test('HEAD has the headers and no body; other methods are 405', async () => {
    const head = await raw(node.url, '/_nimbus/console/app.js', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.ok(Number(head.headers['content-length']) > 0);
    assert.equal(head.body.length, 0);
    const post = await raw(node.url, '/_nimbus/console/', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers['allow'], 'GET, HEAD');
  });

  test('unknown files and traversal attempts are 404 with a JSON error, never a file from elsewhere', async () => {
    for (const path of [
      '/_nimbus/console/nope.js', '/_nimbus/console/../..', '/_nimbus/console/../../package.json', '/_nimbus/console/%2e%2e/%2e%2e/package.json',
      '/_nimbus/console/..%2f..%2fpackage.json', '/_nimbus/console//etc/passwd', '/_nimbus/console/app.js/', '/_nimbus/console/app.js.gz', '/_nimbus/console/.',
    ]) {
      const answer = await raw(node.url, path);
      assert.equal(answer.status, 404, path);
      assert.equal(errorCode(answer), 'NIMBUS_ERR_CONSOLE_NOT_FOUND', path);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff', path);
    }
    // Near misses of the prefix are not the console's.
    assert.equal(errorCode(await raw(node.url, '/_nimbus/consolex')), 'NIMBUS_ERR_API_NOT_FOUND');
  });
});

describe('ConsoleAssets on a folder of its own', () => {
  test('a folder without a build says so, and a build made later is found without a restart', async () => {
    const dir = makeTempDir('nimbus-console-assets-');
    try {
      const assets = new ConsoleAssets(dir.dir);
      const answers: { status: number; body: string; headers: Record<string, unknown> }[] = [];
      const fakeRes = () => {
        const headers: Record<string, unknown> = {};
        return {
          headers,
          setHeader: (name: string, value: unknown) => (headers[name] = value),
          writeHead: (status: number, more: Record<string, unknown>) => answers.push({ status, body: '', headers: { ...headers, ...more } }),
          end: (body?: Buffer) => (answers[answers.length - 1]!.body = body ? body.toString() : ''),
        };
      };
      const req = { headers: { 'accept-encoding': 'gzip' } };
      await assert.rejects(
        assets.serve(req as never, fakeRes() as never, 'GET', '/_nimbus/console/'),
        (err: Error & { code?: string }) => err.code === 'NIMBUS_ERR_CONSOLE_NOT_FOUND' && /not built/.test(err.message),
      );
      writeFileSync(join(dir.dir, 'index.html'), '<!doctype html><title>t</title>');
      writeFileSync(join(dir.dir, 'index.html.gz'), gzipSync('<!doctype html><title>t</title>'));
      await assets.serve(req as never, fakeRes() as never, 'GET', '/_nimbus/console/');
      assert.equal(answers[0]!.status, 200);
      assert.equal(answers[0]!.headers['content-encoding'], 'gzip');
    } finally {
      dir.remove();
    }
  });

  test('Accept-Encoding is read with its weights', () => {
    assert.equal(acceptsGzip(undefined), false);
    assert.equal(acceptsGzip('gzip'), true);
    assert.equal(acceptsGzip('deflate, GZIP;q=0.5'), true);
    assert.equal(acceptsGzip('gzip;q=0'), false);
    assert.equal(acceptsGzip('*'), true);
    assert.equal(acceptsGzip('*, gzip;q=0'), false);
    assert.equal(acceptsGzip('br'), false);
  });
});
