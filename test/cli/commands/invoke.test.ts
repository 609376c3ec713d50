import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';
import { lines, runNimbus, type CliRun } from '../support/run-cli.js';
import { spawnNimbus } from '../support/spawn-cli.js';
import { makeTempDir, type TempDir } from '../support/temp-app.js';

const APP = `
import { http, queue, blob, timer } from 'nimbus-functions';

const seen = async (req: Request, ctx: { params: Record<string, string> }) => Response.json({
  method: req.method,
  path: new URL(req.url).pathname,
  query: Object.fromEntries(new URL(req.url).searchParams),
  params: ctx.params,
  header: req.headers.get('x-order-source'),
  authorization: req.headers.get('authorization'),
  contentType: req.headers.get('content-type'),
  body: req.method === 'GET' || req.method === 'HEAD' ? null : await req.text(),
});

export const getOrder = http({ route: 'GET /orders/:id' }, seen);
export const anything = http({}, seen);
export const missing = http({ route: 'GET /missing' }, () => new Response('no such order\\nreally', { status: 404, headers: { 'content-type': 'text/plain' } }));
export const boom = http({ route: 'GET /boom' }, () => { throw new Error('kaput'); });
export const worker = queue({ queue: 'orders' }, async () => {});
export const thumbnails = blob({ bucket: 'photos' }, async () => {});
export const nightly = timer({ cron: '0 3 * * *' }, async () => {});
`;

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  params: Record<string, string>;
  header: string | null;
  authorization: string | null;
  contentType: string | null;
  body: string | null;
}

/** The body of an answer `invoke` printed whole: what follows the first blank line. */
function bodyOf(run: CliRun): string {
  const at = run.stdout.indexOf('\n\n');
  assert.ok(at > 0, `no blank line after the head:\n${run.stdout}`);
  return run.stdout.slice(at + 2);
}

describe('nimbus invoke against a real node', () => {
  let node: TestNode;
  let cwd: TempDir;
  let nimbus: (args: readonly string[]) => Promise<CliRun>;

  before(async () => {
    node = await startTestNode();
    const deployed = await node.deploy('shop', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    cwd = await makeTempDir();
    nimbus = (args) => runNimbus(args, { cwd: cwd.path, env: { NIMBUS_URL: node.url, NIMBUS_ADMIN_KEY: node.adminKey } });
  });
  after(async () => {
    await node.dispose();
    await cwd.remove();
  });

  test('prints the whole answer: status line, headers, a blank line, the body', async () => {
    const run = await nimbus(['invoke', 'shop/getOrder', '--path', '/42']);
    assert.equal(run.code, 0, run.stderr);
    const [status, ...rest] = lines(run.stdout);
    assert.equal(status, 'HTTP/1.1 200 OK');
    assert.ok(rest.includes('content-type: application/json'), run.stdout);
    assert.ok(rest.some((l) => /^x-nimbus-invocation-id: [0-9a-f-]{36}$/.test(l)), run.stdout);
    const seen = JSON.parse(bodyOf(run)) as Seen;
    // The route declares GET, so that is the default method; --path carries the route's parameter.
    assert.equal(seen.method, 'GET');
    assert.deepEqual(seen.params, { id: '42' });
    assert.equal(seen.path, '/fn/shop/getOrder/42');
    assert.equal(seen.authorization, null, 'the admin key never reaches the function');
  });

  test('--path may also be the route path itself; --query and --header are repeatable', async () => {
    const run = await nimbus(['invoke', 'shop/getOrder', '--path', 'orders/7', '--query', 'expand=items', '--query', 'q=a b', '--header', 'X-Order-Source: cli', '-H', 'accept:application/json']);
    assert.equal(run.code, 0, run.stderr);
    const seen = JSON.parse(bodyOf(run)) as Seen;
    assert.deepEqual(seen.params, { id: '7' });
    assert.deepEqual(seen.query, { expand: 'items', q: 'a b' });
    assert.equal(seen.header, 'cli');
  });

  test('--method and --data: JSON as typed, a file, or standard input', async () => {
    const typed = await nimbus(['invoke', 'shop/anything', '--method', 'put', '--data', '{"n":1}', '--path', '/a/b']);
    assert.equal(typed.code, 0, typed.stderr);
    let seen = JSON.parse(bodyOf(typed)) as Seen;
    assert.deepEqual([seen.method, seen.contentType, seen.body], ['PUT', 'application/json', '{"n":1}']);
    assert.deepEqual(seen.params, { '*': 'a/b' }, 'a function without a route gets the rest as *');

    await cwd.write('order.txt', 'from a file');
    const file = await nimbus(['invoke', 'shop/anything', '--data', '@order.txt']);
    seen = JSON.parse(bodyOf(file)) as Seen;
    assert.deepEqual([seen.method, seen.body], ['POST', 'from a file'], 'POST is the default without a declared method');

    const piped = spawnNimbus(['invoke', 'shop/anything', '--data', '@-', '--json'], {
      cwd: cwd.path, env: { NIMBUS_URL: node.url, NIMBUS_ADMIN_KEY: node.adminKey }, stdin: '{"piped":true}',
    });
    const done = await piped.exited;
    assert.equal(done.code, 0, done.stderr);
    const answer = JSON.parse(done.stdout.toString('utf8')) as { status: number; statusText: string; headers: Record<string, string>; body: Seen };
    assert.deepEqual([answer.status, answer.statusText, answer.headers['content-type']], [200, 'OK', 'application/json']);
    assert.deepEqual([answer.body.body, answer.body.contentType], ['{"piped":true}', 'application/json']);
  });

  test("a function's own error answer is printed whole, and invoke exits 1", async () => {
    const run = await nimbus(['invoke', 'shop/missing']);
    assert.equal(run.code, 1);
    assert.equal(lines(run.stdout)[0], 'HTTP/1.1 404 Not Found');
    assert.equal(bodyOf(run), 'no such order\nreally\n');
    assert.deepEqual(lines(run.stderr), ['nimbus: shop/missing answered 404 Not Found']);
  });

  test("Nimbus's own failure is one line with the invocation id", async () => {
    const run = await nimbus(['invoke', 'shop/boom']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const [, id, command] = /^nimbus: the function threw an error: kaput \(invocation ([0-9a-f-]{36}); its log lines: nimbus (logs shop\/boom --invocation \1)\)\n$/.exec(run.stderr) ?? [];
    assert.ok(id && command, run.stderr);
    // The command it names finds the error (the node writes log lines in batches, within a moment).
    let logs: CliRun | undefined;
    for (let attempt = 0; attempt < 50 && !logs?.stdout.includes('kaput'); attempt++) {
      logs = await nimbus(command.split(' '));
      if (!logs.stdout.includes('kaput')) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(logs!.stdout, /kaput/, logs!.stderr);
  });

  test('queue, blob and timer functions are refused with the command that triggers them', async () => {
    const expected: [string, string][] = [
      ['shop/worker', 'nimbus: shop/worker is a queue function, not an HTTP one: send its queue a message with nimbus queue send orders --data JSON'],
      ['shop/thumbnails', 'nimbus: shop/thumbnails is a blob function, not an HTTP one: put an object in its bucket with nimbus blob put photos/KEY FILE'],
      ['shop/nightly', 'nimbus: shop/nightly is a timer function, not an HTTP one: run it now with nimbus timers run shop/nightly'],
    ];
    for (const [target, message] of expected) {
      const run = await nimbus(['invoke', target, '--data', '{}']);
      assert.equal(run.code, 1, target);
      assert.deepEqual(lines(run.stderr), [message]);
    }
  });

  test('an unknown app or function exits 1 with one line', async () => {
    const app = await nimbus(['invoke', 'shoop/getOrder']);
    assert.equal(app.code, 1);
    assert.deepEqual(lines(app.stderr), ['nimbus: no such app: shoop']);
    const fn = await nimbus(['invoke', 'shop/getOrdr']);
    assert.equal(fn.code, 1);
    assert.deepEqual(lines(fn.stderr), ['nimbus: no such function: shop/getOrdr; did you mean "getOrder"?']);
  });

  test('bad flags are refused before the function is called', async () => {
    const cases: [string[], string][] = [
      [['invoke', 'just-an-app'], 'nimbus: expected APP/FUNCTION, got "just-an-app" (see "nimbus help invoke")'],
      [['invoke', 'shop/getOrder', '--data', 'x'], 'nimbus: a GET request carries no body: drop --data or pass --method POST (see "nimbus help invoke")'],
      [['invoke', 'shop/anything', '--header', 'no-colon'], 'nimbus: --header expects "NAME: VALUE", got "no-colon" (see "nimbus help invoke")'],
      [['invoke', 'shop/anything', '--query', 'novalue'], 'nimbus: --query expects NAME=VALUE, got "novalue" (see "nimbus help invoke")'],
      [['invoke', 'shop/anything', '--method', 'TRACE'], 'nimbus: --method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got "TRACE" (see "nimbus help invoke")'],
    ];
    for (const [args, message] of cases) {
      const run = await nimbus(args);
      assert.equal(run.code, 1, args.join(' '));
      assert.deepEqual(lines(run.stderr), [message]);
    }
  });
});
