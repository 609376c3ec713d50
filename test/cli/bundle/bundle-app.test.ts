import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleApp } from '../../../src/cli/bundle/bundle-app.js';
import { CliError } from '../../../src/cli/cli-error.js';
import { isFunctionDefinition } from '../../../src/sdk/definition.js';
import { makeTempDir, type TempDir } from '../support/temp-app.js';

const HELLO_APP = `import { http, timer } from 'nimbus-functions';

export const hello = http('GET /hello/:name', (_req, ctx) => \`hello \${ctx.params['name']}\`);
export const nightly = timer({ cron: '@daily' }, () => {});
`;

/** Imports a bundle from a folder of its own, so only what is inside the bundle can resolve. */
async function importBundle(bundle: string): Promise<Record<string, unknown>> {
  const elsewhere = await makeTempDir({}, 'nimbus-bundle-');
  const file = join(elsewhere.path, 'bundle.mjs');
  await writeFile(file, bundle);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } finally {
    await elsewhere.remove();
  }
}

async function bundleFailure(app: TempDir, options: Parameters<typeof bundleApp>[1] = {}): Promise<CliError> {
  try {
    await bundleApp(app.path, options);
  } catch (err) {
    assert.ok(err instanceof CliError, `expected a CliError, got ${String(err)}`);
    return err;
  }
  assert.fail('bundling should have failed');
}

test('an app folder with no node_modules that imports nimbus bundles into one ESM module exporting its definitions', async (t) => {
  const app = await makeTempDir({ 'index.ts': HELLO_APP });
  t.after(() => app.remove());

  const result = await bundleApp(app.path);

  assert.equal(result.entry, join(app.path, 'index.ts'));
  assert.doesNotMatch(result.bundle, /from ["']nimbus["']/, 'the SDK is inlined, not imported');
  assert.doesNotMatch(result.bundle, /sourceMappingURL/, 'the map travels beside the bundle');
  const exports = await importBundle(result.bundle);
  assert.deepEqual(Object.keys(exports).sort(), ['hello', 'nightly']);
  assert.ok(isFunctionDefinition(exports['hello']));
  assert.ok(isFunctionDefinition(exports['nightly']));
  assert.equal((exports['hello'] as { kind: string }).kind, 'http');
  assert.ok((JSON.parse(result.sourceMap) as { sources: string[] }).sources.includes('index.ts'), 'source map names the app file relative to the app folder');
});

test("an app's own npm dependencies are bundled in, including CommonJS ones that require Node builtins", async (t) => {
  const app = await makeTempDir({
    'index.ts': `import { http } from 'nimbus-functions';
import shout from 'shout-dep';
export const loud = http('/loud', () => shout('hi'));
`,
    'node_modules/shout-dep/package.json': JSON.stringify({ name: 'shout-dep', main: 'index.js' }),
    // CommonJS calling require() for a builtin: works in the ESM bundle only through the createRequire banner.
    'node_modules/shout-dep/index.js': `const { format } = require('node:util');\nmodule.exports = (s) => format('%s!', s.toUpperCase());\n`,
  });
  t.after(() => app.remove());

  const result = await bundleApp(app.path);

  const exports = await importBundle(result.bundle);
  const loud = exports['loud'] as { handler: () => string };
  assert.equal(loud.handler(), 'HI!');
});

test('a type error is reported as file:line:col with the path relative to the app', async (t) => {
  const app = await makeTempDir({ 'index.ts': `import { http } from 'nimbus-functions';\n\nconst port: number = 'eighty';\nexport const a = http('/a', () => String(port));\n` });
  t.after(() => app.remove());

  const err = await bundleFailure(app);

  assert.match(err.message, /type check failed \(1 error/);
  assert.deepEqual(err.details, ["index.ts:3:7 Type 'string' is not assignable to type 'number'."]);
});

test('skipping the type check lets a type error through to the bundle', async (t) => {
  const app = await makeTempDir({ 'index.ts': `import { http } from 'nimbus-functions';\nconst port: number = 'eighty' as unknown as string as never;\nexport const a = http('/a', () => String(port));\nconst n: number = 'x';\n` });
  t.after(() => app.remove());

  const result = await bundleApp(app.path, { typecheck: false });
  assert.ok(isFunctionDefinition((await importBundle(result.bundle))['a']));
});

test('a syntax error is reported as file:line:col, by the type checker and by esbuild alike', async (t) => {
  const app = await makeTempDir({ 'index.ts': `import { http } from 'nimbus-functions';\n\nconst greeting = ;\nexport const a = http('/a', () => greeting);\n` });
  t.after(() => app.remove());

  const checked = await bundleFailure(app);
  assert.equal(checked.details.length, 1, checked.details.join('\n'));
  assert.match(checked.details[0]!, /^index\.ts:3:18 Expression expected/);

  const unchecked = await bundleFailure(app, { typecheck: false });
  assert.match(unchecked.message, /bundling failed/);
  assert.match(unchecked.details[0]!, /^index\.ts:3:18 Unexpected ";"/);
});

test('an import that cannot be resolved names the file and line that asked for it', async (t) => {
  const app = await makeTempDir({ 'index.ts': `import { http } from 'nimbus-functions';\nimport gone from 'not-installed';\nexport const a = http('/a', () => gone);\n` });
  t.after(() => app.remove());

  const err = await bundleFailure(app, { typecheck: false });
  assert.match(err.details[0]!, /^index\.ts:2:18 Could not resolve "not-installed"/);
});

test('the entry is index.ts, else index.js, else package.json main, unless one is named', async (t) => {
  const app = await makeTempDir({
    'index.js': `import { http } from 'nimbus-functions';\nexport const fromIndexJs = http('/a', () => 'a');\n`,
    'src/server.js': `import { http } from 'nimbus-functions';\nexport const fromMain = http('/b', () => 'b');\n`,
    'package.json': JSON.stringify({ name: 'entries', main: 'src/server.js' }),
  });
  t.after(() => app.remove());

  assert.equal((await bundleApp(app.path)).entry, join(app.path, 'index.js'));
  assert.equal((await bundleApp(app.path, { entry: 'src/server.js' })).entry, join(app.path, 'src/server.js'));
  await app.write('index.ts', `import { http } from 'nimbus-functions';\nexport const fromIndexTs = http('/c', () => 'c');\n`);
  assert.equal((await bundleApp(app.path, { typecheck: false })).entry, join(app.path, 'index.ts'));

  const mainOnly = await makeTempDir({
    'src/server.js': `import { http } from 'nimbus-functions';\nexport const fromMain = http('/b', () => 'b');\n`,
    'package.json': JSON.stringify({ name: 'entries', main: 'src/server.js' }),
  });
  t.after(() => mainOnly.remove());
  assert.equal((await bundleApp(mainOnly.path)).entry, join(mainOnly.path, 'src/server.js'));

  const empty = await makeTempDir({ 'README.md': 'nothing here' });
  t.after(() => empty.remove());
  assert.match((await bundleFailure(empty)).message, /no entry module/);
});
