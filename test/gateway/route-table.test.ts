import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteTable, type RouteMatch } from '../../src/gateway/route-table.js';
import type { FunctionManifest, VersionRecord } from '../../src/store/store.js';
import { matchSegments, parseRoute, ROUTE_METHODS, type Route } from '../../src/triggers/http/route.js';

function version(app: string, routes: string[]): VersionRecord {
  const functions = routes.map((route, i): FunctionManifest => ({ name: `f${i}`, kind: 'http', settings: {} as FunctionManifest['settings'], trigger: { route } }));
  return { app, version: 1, bundleHash: 'h', sourceMapHash: null, bundleSize: 0, functions, createdAt: 0 };
}

/** What the table answered before it was indexed: one list of every route in precedence order, read from the top. */
class LinearRoutes {
  readonly #entries: { route: Route; app: string; fn: string; score: number }[] = [];
  constructor(live: VersionRecord[]) {
    for (const v of live) for (const f of v.functions) this.#entries.push({ route: parseRoute(f.trigger['route'] as string), app: v.app, fn: f.name, score: score(parseRoute(f.trigger['route'] as string)) });
    this.#entries.sort((a, b) => b.score - a.score);
  }
  match(method: string, path: string): string | null {
    const parts = split(path);
    for (const e of this.#entries) {
      if (!(e.route.method === '*' || e.route.method === method || (method === 'HEAD' && e.route.method === 'GET'))) continue;
      const params = matchSegments(e.route.segments, parts);
      if (params) return `${e.app}/${e.fn} ${JSON.stringify(params)}`;
    }
    return null;
  }
  allowed(path: string): string[] {
    const parts = split(path);
    const methods = new Set<string>();
    for (const e of this.#entries) {
      if (!matchSegments(e.route.segments, parts)) continue;
      methods.add(e.route.method);
      if (e.route.method === 'GET') methods.add('HEAD');
    }
    return ROUTE_METHODS.filter((m) => methods.has(m));
  }
}
function score(route: Route): number {
  let s = 0;
  for (const segment of route.segments) s = s * 4 + ('literal' in segment ? 3 : 'param' in segment ? 2 : 1);
  return s * 2 + (route.method === '*' ? 0 : 1);
}
function split(pathname: string): string[] {
  const parts = pathname.split('/').slice(1);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 1 && parts[0] === '' ? [] : parts;
}
const shown = (m: RouteMatch | null) => (m ? `${m.target.app}/${m.target.functionName} ${JSON.stringify(m.params)}` : null);

test('literal segments win over parameters, parameters over *, whatever the deploy order', () => {
  const table = new RouteTable();
  table.rebuild([version('shop', ['GET /orders/*', 'GET /orders/:id', 'GET /orders/new', '/orders/:id', 'POST /orders'])]);
  assert.equal(shown(table.match('GET', '/orders/new')), 'shop/f2 {}');
  assert.equal(shown(table.match('GET', '/orders/42')), 'shop/f1 {"id":"42"}');
  assert.equal(shown(table.match('PUT', '/orders/42')), 'shop/f3 {"id":"42"}');
  assert.equal(shown(table.match('GET', '/orders/42/lines')), 'shop/f0 {"*":"42/lines"}');
  assert.equal(shown(table.match('HEAD', '/orders/new/')), 'shop/f2 {}');
  // `*` may be empty: the rest route serves the bare prefix too.
  assert.equal(shown(table.match('GET', '/orders')), 'shop/f0 {"*":""}');
  assert.equal(table.match('PUT', '/orders'), null);
  assert.deepEqual(table.allowedMethods('/orders'), ['GET', 'POST', 'HEAD']);
  assert.equal(table.match('GET', '/nothing'), null);
});

test('with a thousand routes in many apps, every lookup resolves as the unindexed table did: precedence, parameters, methods', () => {
  // Deterministic variety: literal apps, shared prefixes, parameters first, rest segments, any-method routes, the root.
  const live: VersionRecord[] = [];
  for (let a = 0; a < 25; a++) {
    const routes: string[] = [];
    for (let f = 0; f < 40; f++) {
      const method = ['GET', 'POST', '*', 'GET', 'DELETE'][f % 5]!;
      const shape = f % 7;
      const path = shape === 0 ? `/a${a}/f${f}` : shape === 1 ? `/a${a}/f${f}/:id` : shape === 2 ? `/a${a}/f${f}/:id/*`
        : shape === 3 ? `/a${a}/:x/f${f}` : shape === 4 ? `/shared/a${a}/f${f}` : shape === 5 ? `/a${a}/f${f}/*` : `/a${a}/f${f}/:id/items/:item`;
      routes.push(method === '*' ? path : `${method} ${path}`);
    }
    live.push(version(`app${a}`, routes));
  }
  live.push(version('catchall', ['GET /:a/:b', '/*', 'POST /', 'GET /:a/f3/x']));
  const table = new RouteTable();
  table.rebuild(live);
  assert.ok(sameAsUnindexed(table, live) > 20_000);
  // A deploy rebuilds from every live version: the unchanged ones (the same records) keep what was parsed for them.
  const redeployed = live.map((v, i) => (i % 5 === 0 ? version(v.app, v.functions.map((f) => (f.trigger['route'] as string).replace(/f(\d+)/, 'g$1'))) : v));
  redeployed.push(version('late', ['GET /a3/f3', '/a4/:x/*']));
  table.rebuild(redeployed);
  sameAsUnindexed(table, redeployed);
  assert.equal(shown(table.match('GET', '/a0/g0')), 'app0/f0 {}', 'a changed version serves its new routes');
  assert.equal(shown(table.match('GET', '/a0/f0')), 'catchall/f0 {"a":"a0","b":"f0"}', 'and not its old ones');
});

/** Every lookup on the table resolves as the unindexed list of the same versions does; returns how many were compared. */
function sameAsUnindexed(table: RouteTable, live: VersionRecord[]): number {
  const reference = new LinearRoutes(live);
  let compared = 0;
  for (let a = 0; a < 27; a++) {
    for (let f = 0; f < 42; f++) {
      for (const path of [`/a${a}/f${f}`, `/a${a}/g${f}`, `/a${a}/f${f}/`, `/a${a}/f${f}/7`, `/a${a}/f${f}/7/more/x`, `/a${a}/zz/f${f}`, `/shared/a${a}/f${f}`, `/a${a}/f${f}/7/items/9`, `/a${a}/f${f}/%zz`, `/a${a}//f${f}`]) {
        for (const method of ['GET', 'HEAD', 'DELETE']) {
          assert.equal(shown(table.match(method, path)), reference.match(method, path), `${method} ${path}`);
          compared++;
        }
        assert.deepEqual(table.allowedMethods(path), reference.allowed(path), path);
      }
    }
  }
  for (const path of ['/', '/x', '/x/y', '/x/y/z']) {
    for (const method of ['GET', 'POST', 'PUT']) assert.equal(shown(table.match(method, path)), reference.match(method, path), `${method} ${path}`);
    assert.deepEqual(table.allowedMethods(path), reference.allowed(path), path);
  }
  return compared;
}

test('a rebuild parses no route: the routes under a first segment are parsed by the first lookup that walks there', () => {
  // A route this node cannot parse (a live version from a node with other rules) shows when it is parsed: it is reported
  // once and left unserved, and nothing else is.
  const reported: string[] = [];
  const table = new RouteTable({ onUnparseable: (target, spec, err) => reported.push(`${target.app}/${target.functionName} ${spec}: ${err.message}`) });
  table.rebuild([version('good', ['GET /good/:id']), version('broken', ['GET /shared/ok', 'GET /broken/:a/:a']), version('root', ['GET /:page'])]);
  assert.deepEqual(reported, [], 'no route of a first segment nobody asked for is parsed');
  assert.equal(shown(table.match('GET', '/good/7')), 'good/f0 {"id":"7"}');
  assert.equal(shown(table.match('GET', '/other')), 'root/f0 {"page":"other"}');
  assert.deepEqual(reported, [], 'nor another app\'s');
  assert.equal(table.match('GET', '/broken/1/2'), null, 'the route it cannot parse is not served');
  assert.deepEqual(reported, ['broken/f1 GET /broken/:a/:a: route "GET /broken/:a/:a" names the parameter "a" twice']);
  assert.equal(shown(table.match('GET', '/shared/ok')), 'broken/f0 {}', 'the app\'s other routes are served');
  assert.equal(shown(table.match('GET', '/broken')), 'root/f0 {"page":"broken"}');
  table.match('GET', '/broken/3/4');
  assert.equal(reported.length, 1, 'reported once');

  // Routes with no leading literal are parsed at the rebuild: a bad one is reported there.
  table.rebuild([version('good', ['GET /good/:id']), version('root', ['GET /:a/:a'])]);
  assert.equal(reported.length, 2);
  assert.equal(shown(table.match('GET', '/good/8')), 'good/f0 {"id":"8"}');
  assert.equal(table.match('GET', '/x/y'), null);
});

test('functions are found by app and name, routed or not, in the live versions only', () => {
  const table = new RouteTable();
  const shop: VersionRecord = {
    ...version('shop', ['GET /orders/:id']),
    functions: [
      { name: 'getOrder', kind: 'http', settings: {} as FunctionManifest['settings'], trigger: { route: 'GET /orders/:id', auth: 'key' } },
      { name: 'plain', kind: 'http', settings: {} as FunctionManifest['settings'], trigger: {} },
      { name: 'nightly', kind: 'timer', settings: {} as FunctionManifest['settings'], trigger: { cron: '0 0 * * *' } },
    ],
  };
  const other = version('other', ['GET /other']);
  table.rebuild([shop, other]);
  assert.deepEqual(table.byName('shop', 'getOrder'), { app: 'shop', functionName: 'getOrder', version: 1, auth: 'key' });
  assert.deepEqual(table.byName('shop', 'plain'), { app: 'shop', functionName: 'plain', version: 1, auth: 'anonymous' });
  assert.equal(table.byName('shop', 'nightly'), undefined, 'a timer function is not an HTTP target');
  assert.equal(table.byName('shop', 'missing'), undefined);
  assert.deepEqual(table.matchByName('shop', 'getOrder', '42')?.params, { id: '42' });
  assert.deepEqual(table.matchByName('shop', 'plain', 'a/b')?.params, { '*': 'a/b' });
  assert.equal(table.byName('other', 'f0')?.app, 'other');

  const shop2 = { ...shop, version: 2, functions: shop.functions.filter((f) => f.name !== 'plain') };
  table.rebuild([shop2]);
  assert.equal(table.byName('shop', 'getOrder')?.version, 2, 'the new live version answers');
  assert.equal(table.byName('shop', 'plain'), undefined, 'a function the new version dropped is gone');
  assert.equal(table.byName('other', 'f0'), undefined, 'an app no longer live is gone');
});
