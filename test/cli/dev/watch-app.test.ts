import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isIgnored, watchApp } from '../../../src/cli/dev/watch-app.js';
import { waitFor } from '../support/in-process.js';
import { makeTempDir } from '../support/temp-app.js';

const DEBOUNCE_MS = 100;
/** Long enough past the debounce that a change which was going to be reported would have been. */
const QUIET_MS = DEBOUNCE_MS * 4;

test('a burst of writes is reported once, after the debounce', async (t) => {
  const app = await makeTempDir({ 'index.ts': 'a', 'lib/util.ts': 'a' });
  let changes = 0;
  const watcher = watchApp(app.path, () => changes++, { debounceMs: DEBOUNCE_MS });
  t.after(async () => {
    watcher.close();
    await app.remove();
  });

  await app.write('index.ts', 'b');
  await app.write('lib/util.ts', 'b');
  await app.write('index.ts', 'c');
  await waitFor('the change', () => changes > 0);
  await new Promise((r) => setTimeout(r, QUIET_MS));
  assert.equal(changes, 1);
});

test('writes under node_modules, .nimbus, dotfiles and the data folder are not changes', async (t) => {
  const app = await makeTempDir({ 'index.ts': 'a', 'node_modules/dep/index.js': 'a', '.nimbus/state': 'a', '.git/HEAD': 'a', 'state/db': 'a' });
  let changes = 0;
  const watcher = watchApp(app.path, () => changes++, { debounceMs: DEBOUNCE_MS, ignore: [join(app.path, 'state')] });
  t.after(async () => {
    watcher.close();
    await app.remove();
  });

  await app.write('node_modules/dep/index.js', 'b');
  await app.write('.nimbus/state', 'b');
  await app.write('.git/HEAD', 'b');
  await app.write('.env', 'b');
  await app.write('state/db', 'b');
  await new Promise((r) => setTimeout(r, QUIET_MS));
  assert.equal(changes, 0);
});

test('which relative paths are ignored', () => {
  assert.equal(isIgnored('index.ts'), false);
  assert.equal(isIgnored('src/routes/users.ts'), false);
  assert.equal(isIgnored('node_modules/x/index.js'), true);
  assert.equal(isIgnored('packages/a/node_modules/x.js'), true);
  assert.equal(isIgnored('.nimbus/nimbus.db'), true);
  assert.equal(isIgnored('src/.index.ts.swp'), true);
  assert.equal(isIgnored('data/x', ['data']), true);
  assert.equal(isIgnored('database.ts', ['data']), false);
});
