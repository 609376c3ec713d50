import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsedRoutes } from '../../src/gateway/parsed-routes.js';
import type { FunctionManifest } from '../../src/store/store.js';

const fn = (name: string, kind: FunctionManifest['kind'], trigger: Record<string, unknown>): FunctionManifest =>
  ({ name, kind, settings: {} as FunctionManifest['settings'], trigger });

test('a version\'s routes are parsed once for the route table and the deploy check alike; a refused one is its error', () => {
  const functions = [
    fn('get', 'http', { route: 'GET /orders/:id' }), fn('plain', 'http', {}), fn('bad', 'http', { route: 'GET /x/:a/:a' }),
    fn('nightly', 'timer', { cron: '0 0 * * *', route: 'GET /not-a-route' }),
  ];
  const routes = parsedRoutes(functions);
  assert.deepEqual([...routes.keys()], ['get', 'bad'], 'declared HTTP routes only');
  assert.deepEqual(routes.get('get'), { method: 'GET', path: '/orders/:id', segments: [{ literal: 'orders' }, { param: 'id' }] });
  assert.match((routes.get('bad') as Error).message, /names the parameter "a" twice/);
  assert.equal(parsedRoutes(functions), routes, 'the same list: the same parse');
  assert.notEqual(parsedRoutes([...functions]), routes, 'another list is parsed for itself');
});
