import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleApp } from '../../../src/cli/bundle/bundle-app.js';
import { FUNCTIONS_EXPORT, isFunctionDefinition } from '../../../src/sdk/definition.js';
import { makeTempDir } from '../../cli/support/temp-app.js';

test('CommonJS, ESM and TypeScript entry files bundle as they are and register with the one @azure/functions the entry reads', async (t) => {
  const dir = await makeTempDir({
    'package.json': JSON.stringify({ name: 'mixed', main: 'functions/*.{js,cjs,ts}', dependencies: { '@azure/functions': '^4.0.0' } }),
    'functions/legacy.cjs': "const { app } = require('@azure/functions');\napp.http('fromCjs', { handler: async () => ({ body: 'cjs' }) });\n",
    'functions/modern.js': "import { app } from '@azure/functions';\napp.http('fromEsm', { handler: async () => ({ body: 'esm' }) });\n",
    'functions/typed.ts': "import { app, HttpRequest, HttpResponseInit } from '@azure/functions';\nexport async function typed(req: HttpRequest): Promise<HttpResponseInit> { return { body: req.method }; }\napp.http('fromTs', { handler: typed });\n",
  }, 'nimbus-azure-bundle-');
  t.after(() => dir.remove());

  const bundled = await bundleApp(dir.path);
  assert.equal(bundled.appName, 'mixed');
  const file = join(dir.path, 'bundle.mjs');
  await writeFile(file, bundled.bundle);
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const registered = mod[FUNCTIONS_EXPORT] as Record<string, unknown>;
  assert.deepEqual(Object.keys(registered).sort(), ['fromCjs', 'fromEsm', 'fromTs']);
  for (const definition of Object.values(registered)) assert.ok(isFunctionDefinition(definition));
});
