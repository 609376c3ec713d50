/**
 * `npm i -D /path/to/clone` links the clone into an app's node_modules. After
 * `npm start` alone the clone's dist/ holds JavaScript but no declarations
 * (the fast build writes none), so the package's `types` conditions fall back
 * to the SDK's sources: the app's own `tsc` still sees typed entry points
 * (a wrong call is an error, not TS7016 or `any`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../cli/support/temp-app.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
const NODE_TYPES = dirname(require.resolve('@types/node/package.json'));

const APP = `import { http } from 'nimbus-functions';
import { NimbusClient } from 'nimbus-functions/client';
export const client: NimbusClient = new NimbusClient({ url: 'http://127.0.0.1:8080' });
export const hello = http('GET /hello', () => Response.json({ hello: 'world' }));
`;

test('an app linked to a clone without declarations type-checks against the SDK sources, both entry points', async (t) => {
  const work = await makeTempDir({}, 'nimbus-linked-');
  t.after(() => work.remove());
  // The clone as `npm start` leaves it, as far as types go: package.json and the sources, no .d.ts.
  const clone = join(work.path, 'clone');
  mkdirSync(clone);
  copyFileSync(join(ROOT, 'package.json'), join(clone, 'package.json'));
  symlinkSync(join(ROOT, 'src'), join(clone, 'src'));
  const app = join(work.path, 'app');
  mkdirSync(join(app, 'node_modules', '@types'), { recursive: true });
  symlinkSync(clone, join(app, 'node_modules', 'nimbus-functions'));
  symlinkSync(NODE_TYPES, join(app, 'node_modules', '@types', 'node'));
  copyFileSync(join(ROOT, 'templates', 'common', 'tsconfig.json'), join(app, 'tsconfig.json'));
  writeFileSync(join(app, 'index.ts'), APP);
  const tsc = () => spawnSync(process.execPath, [TSC, '--project', app], { encoding: 'utf8' });

  const clean = tsc();
  assert.equal(clean.status, 0, `tsc:\n${clean.stdout}${clean.stderr}`);

  writeFileSync(join(app, 'wrong.ts'), `import { http } from 'nimbus-functions';\nexport const wrong = http({ route: 42 }, () => null);\n`);
  const caught = tsc();
  assert.notEqual(caught.status, 0);
  assert.match(caught.stdout, /wrong\.ts\(2,\d+\): error TS2322/);
  assert.doesNotMatch(caught.stdout, /TS7016|TS2307/);
  rmSync(join(app, 'wrong.ts'));
});
