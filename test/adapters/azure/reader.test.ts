import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAppFormat } from '../../../src/cli/bundle/formats/app-format.js';
import { azureFormat } from '../../../src/cli/bundle/formats/azure/azure-format.js';
import { CliError } from '../../../src/cli/cli-error.js';
import { makeTempDir, type TempDir } from '../../cli/support/temp-app.js';

const HTTP_FILE = `import { app } from '@azure/functions';
app.http('hello-world', { methods: ['GET'], route: 'hello/{name?}', authLevel: 'function', handler: async () => ({ body: 'hi' }) });
`;

async function folder(t: { after: (fn: () => Promise<void>) => void }, files: Record<string, string>): Promise<TempDir> {
  const dir = await makeTempDir(files, 'nimbus-azure-');
  t.after(() => dir.remove());
  return dir;
}

const pkg = (extra: Record<string, unknown> = {}): string => JSON.stringify({ name: 'shop', main: 'src/functions/*.js', dependencies: { '@azure/functions': '^4.0.0' }, ...extra });

function rejectsWith(pattern: RegExp) {
  return (err: unknown): boolean => err instanceof CliError && pattern.test(err.message) && !err.message.includes('\n');
}

test('detection: a dependency on @azure/functions, or host.json with package.json main; nothing else', async (t) => {
  const byDependency = await folder(t, { 'package.json': pkg(), 'src/functions/a.js': HTTP_FILE });
  const byHost = await folder(t, { 'package.json': JSON.stringify({ main: 'index.js' }), 'host.json': '{"version":"2.0"}', 'index.js': HTTP_FILE });
  const hostWithoutMain = await folder(t, { 'package.json': JSON.stringify({ name: 'x' }), 'host.json': '{}' });
  const native = await folder(t, { 'package.json': JSON.stringify({ name: 'x', main: 'index.js' }), 'index.ts': 'export const x = 1;' });
  const broken = await folder(t, { 'package.json': '{ not json' });
  assert.equal(await azureFormat.detect(byDependency.path), true);
  assert.equal(await azureFormat.detect(byHost.path), true);
  assert.equal(await azureFormat.detect(hostWithoutMain.path), false);
  assert.equal(await azureFormat.detect(native.path), false);
  assert.equal(await azureFormat.detect(broken.path), false, 'detection never throws');
  assert.equal((await readAppFormat(byDependency.path))?.format, 'azure', 'found without --format');
});

test('the main glob is expanded; every file found is imported by the generated entry, which exports the registered functions', async (t) => {
  const dir = await folder(t, {
    'package.json': pkg(),
    'src/functions/b.js': `import { app } from '@azure/functions';\napp.storageQueue('work-items', { queueName: 'jobs', connection: 'AzureWebJobsStorage', handler: () => {} });\n`,
    'src/functions/a.js': HTTP_FILE,
    'src/functions/notes.md': 'not code',
    'src/lib/helper.js': 'export const x = 1;',
  });
  const reading = await azureFormat.read(dir.path);
  assert.equal(reading.source, 'package.json');
  assert.match(reading.entrySource, /import "\.\/src\/functions\/a\.js";\nimport "\.\/src\/functions\/b\.js";\n/);
  assert.match(reading.entrySource, /from 'nimbus-functions\/adapters\/azure'/);
  assert.match(reading.entrySource, /export const __nimbusFunctions = nimbusFunctions\(\{\}\);/);
  assert.deepEqual(reading.mapped, [
    { name: 'hello_world', from: "src/functions/a.js: app.http('hello-world')", to: 'http GET /api/hello/* (auth key)' },
    { name: 'work_items', from: "src/functions/b.js: app.storageQueue('work-items')", to: 'queue jobs (batch 16, 5 attempts, then jobs-poison)' },
  ]);
  assert.deepEqual(reading.unsupported, []);
});

test('host.json: routePrefix (also empty) and queue settings reach the mapping and the entry', async (t) => {
  const dir = await folder(t, {
    'package.json': pkg(),
    'host.json': JSON.stringify({ version: '2.0', extensions: { http: { routePrefix: '' }, queues: { batchSize: 4, maxDequeueCount: 3, visibilityTimeout: '00:00:30' } } }),
    'src/functions/a.js': HTTP_FILE,
    'src/functions/q.js': `const { app } = require('@azure/functions');\napp.storageQueue('q', { queueName: 'jobs', connection: 'c', handler: () => {} });\n`,
  });
  const reading = await azureFormat.read(dir.path);
  assert.equal(reading.source, 'package.json, host.json');
  assert.equal(reading.mapped[0]!.to, 'http GET /hello/* (auth key)');
  assert.equal(reading.mapped[1]!.to, 'queue jobs (batch 4, 3 attempts, then jobs-poison)');
  assert.match(reading.entrySource, /nimbusFunctions\(\{"routePrefix":"","queues":\{"batchSize":4,"maxDequeueCount":3,"visibilityTimeoutMs":30000\}\}\)/);
});

test('a TypeScript project\'s main in its build output is read from its sources; imported files are scanned too', async (t) => {
  const dir = await folder(t, {
    'package.json': pkg({ main: 'dist/src/functions/*.js' }),
    'tsconfig.json': '{\n  // the Azure template\'s\n  "compilerOptions": { "outDir": "dist", "rootDir": "." }\n}\n',
    'src/functions/index.ts': "import './more/timer.js';\nimport { app, HttpRequest } from '@azure/functions';\napp.get('typed', async (req: HttpRequest) => ({ body: req.url }));\n",
    'src/functions/more/timer.ts': "import { app } from '@azure/functions';\napp.timer('tick', { schedule: '0 */5 * * * *', runOnStartup: true, handler: () => {} });\n",
  });
  const reading = await azureFormat.read(dir.path);
  assert.match(reading.entrySource, /import "\.\/src\/functions\/index\.ts";/);
  assert.deepEqual(reading.mapped.map((m) => [m.name, m.to]), [['typed', 'http GET /api/typed'], ['tick', 'timer 0 */5 * * * * (runOnStartup)']]);
});

test('triggers, bindings, hooks and libraries Nimbus has no equivalent for are listed with the reason and left out by the entry', async (t) => {
  const dir = await folder(t, {
    'package.json': pkg(),
    'src/functions/a.js': `import { app, input, output } from '@azure/functions';
import * as df from 'durable-functions';
// app.eventHub('commented', {}) registers nothing
app.cosmosDB('feed', { connection: 'c', databaseName: 'd', containerName: 'x', handler: () => {} });
app.serviceBusQueue('bus', { queueName: 'q', connection: 'c', handler: () => {} });
app.generic('raw', { trigger: { type: 'kafkaTrigger', name: 'k' }, handler: () => {} });
app.hook.preInvocation(() => {});
app.hook.appTerminate(() => {});
const docs = input.cosmosDB({ databaseName: 'd', containerName: 'c', connection: 'c' });
const table = output.table({ tableName: 't', connection: 'c' });
app.http('ok', { handler: () => ({}) });
app.http('badRoute', { route: 'files/{name}.{ext}', handler: () => ({}) });
`,
  });
  const reading = await azureFormat.read(dir.path);
  assert.deepEqual(reading.mapped.map((m) => m.name), ['ok']);
  assert.deepEqual(reading.unsupported.map((u) => u.what), [
    "src/functions/a.js: app.cosmosDB('feed')",
    "src/functions/a.js: app.serviceBusQueue('bus')",
    "src/functions/a.js: app.generic('raw')",
    "src/functions/a.js: app.http('badRoute')",
    'src/functions/a.js: durable-functions',
    'src/functions/a.js: app.hook.appTerminate',
    'src/functions/a.js: input.cosmosDB()',
    'src/functions/a.js: output.table()',
  ]);
  assert.match(reading.unsupported[3]!.reason, /mixes a parameter with other text/);
  for (const item of reading.unsupported) assert.ok(item.reason.length > 10, item.what);
  assert.match(reading.entrySource, /"leftOut":\["feed","bus","raw","badRoute"\]/);
});

test('malformed or unusable descriptions are one readable line naming the file and the problem', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ 'package.json': pkg(), 'host.json': '{ "version": ' }, /^host\.json is not valid JSON: /],
    [{ 'package.json': pkg(), 'host.json': '{"version":"1.0"}' }, /^host\.json "version" is "1\.0": the v4 Node\.js model runs on host version "2\.0"$/],
    [{ 'package.json': pkg(), 'host.json': '{"extensions":{"http":{"routePrefix":5}}}' }, /^host\.json extensions\.http\.routePrefix must be a string/],
    [{ 'package.json': pkg(), 'host.json': '{"extensions":{"queues":{"batchSize":64}}}' }, /^host\.json extensions\.queues\.batchSize must be a whole number from 1 to 32$/],
    [{ 'package.json': pkg(), 'host.json': '{"extensions":{"queues":{"visibilityTimeout":"soon"}}}' }, /^host\.json extensions\.queues\.visibilityTimeout must be a TimeSpan/],
    [{ 'package.json': pkg({ main: 'functions/*.js' }) }, /^package\.json main "functions\/\*\.js" matches no file in the app folder$/],
    [{ 'package.json': JSON.stringify({ dependencies: { '@azure/functions': '^4.0.0' } }) }, /^package\.json has no "main"/],
    [{ 'package.json': pkg({ dependencies: { '@azure/functions': '^3.5.0' } }), 'src/functions/a.js': '' }, /^package\.json depends on @azure\/functions \^3\.5\.0: Nimbus runs the v4 programming model/],
    [{ 'package.json': pkg({ main: 42 }) }, /^package\.json "main" must be a file or glob/],
  ];
  for (const [files, pattern] of cases) {
    const dir = await folder(t, files);
    await assert.rejects(azureFormat.read(dir.path), rejectsWith(pattern), pattern.source);
  }
});
