import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AdminRoute } from '../../src/gateway/admin-route.js';
import { adminRoutes } from '../../src/gateway/admin-routes/index.js';
import { consoleAssetsDir } from '../../src/server/node.js';

/** The budget for the console's JavaScript, gzip-compressed (docs/console.md). */
export const CONSOLE_JS_BUDGET_BYTES = 150 * 1024;

const dir = consoleAssetsDir();
const scripts = readdirSync(dir).filter((name) => name.endsWith('.js'));

test('the console\'s JavaScript is at most 150 KB gzip', () => {
  assert.ok(scripts.length > 0, `the build put the console's script in ${dir}`);
  const gzipBytes = scripts.reduce((sum, name) => sum + gzipSync(readFileSync(join(dir, name)), { level: 9 }).length, 0);
  assert.ok(gzipBytes <= CONSOLE_JS_BUDGET_BYTES, `${gzipBytes} bytes gzip, budget ${CONSOLE_JS_BUDGET_BYTES}`);
});

test('the bundle carries every route\'s method and path from the declarations, and no zod', () => {
  const source = scripts.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
  const routes: AdminRoute[] = Object.values(adminRoutes).flatMap((area) => Object.values(area));
  for (const route of routes) assert.ok(source.includes(JSON.stringify(route.path)), `${route.method} ${route.path} is in the manifest`);
  // zod's own error text: present in any bundle that pulled the schemas in.
  assert.doesNotMatch(source, /Invalid input: expected|ZodError/);
});
