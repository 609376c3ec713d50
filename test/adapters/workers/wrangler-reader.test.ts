import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAppFormat } from '../../../src/cli/bundle/formats/app-format.js';
import { workersFormat } from '../../../src/cli/bundle/formats/workers/workers-format.js';
import { parseJsonc } from '../../../src/cli/bundle/formats/workers/jsonc.js';
import { nimbusCron } from '../../../src/cli/bundle/formats/workers/cron.js';
import { nimbusRoute } from '../../../src/cli/bundle/formats/workers/route-pattern.js';
import { CliError } from '../../../src/cli/cli-error.js';
import { Schedule } from '../../../src/triggers/timer/schedule.js';
import { makeTempDir } from '../../cli/support/temp-app.js';

const MODULE = 'export default { async fetch() { return new Response("hi"); }, async queue() {}, async scheduled() {} };\n';

async function read(files: Record<string, string>) {
  const dir = await makeTempDir({ 'src/index.js': MODULE, ...files }, 'nimbus-wrangler-');
  try {
    return await workersFormat.read(dir.path);
  } finally {
    await dir.remove();
  }
}

async function readFails(files: Record<string, string>): Promise<string> {
  try {
    await read(files);
  } catch (err) {
    assert.ok(err instanceof CliError, `a CliError, not ${String(err)}`);
    assert.equal(err.message.includes('\n'), false, 'one line');
    return err.message;
  }
  assert.fail('the read succeeded');
}

const FULL_TOML = `
name = "shop-worker"
main = "src/index.js"
compatibility_date = "2026-11-01"
route = "shop.example.com/checkout*"
routes = [
  "shop.example.com/api/*",
  { pattern = "admin.example.com/api/*", zone_name = "example.com" },
  { pattern = "shop.example.com", custom_domain = true },
]

[vars]
GREETING = "hello"
FEATURES = { beta = true }

[triggers]
crons = ["*/5 * * * *", "10 7 * * 2-6"]

[[queues.producers]]
binding = "JOBS"
queue = "jobs"
delivery_delay = 30

[[queues.consumers]]
queue = "jobs"

[[queues.consumers]]
queue = "image-jobs"
max_batch_size = 25
max_batch_timeout = 2
max_retries = 7
dead_letter_queue = "image-dead"
max_concurrency = 3
retry_delay = 10

[[r2_buckets]]
binding = "UPLOADS"
bucket_name = "shop-uploads"
`;

test('wrangler.toml: routes, consumers, crons and bindings map to Nimbus functions, each shown in the deploy output', async () => {
  const reading = await read({ 'wrangler.toml': FULL_TOML });
  assert.equal(reading.format, 'workers');
  assert.equal(reading.source, 'wrangler.toml');
  assert.equal(reading.appName, 'shop-worker');
  assert.deepEqual(reading.unsupported, []);
  assert.deepEqual(reading.mapped, [
    { name: 'fetch', from: 'routes[0] shop.example.com/api/*', to: 'http * /api/*' },
    { name: 'fetch', from: 'routes[1] admin.example.com/api/*', to: 'http * /api/*' },
    { name: 'fetch_2', from: 'routes[2] shop.example.com', to: 'http * /*' },
    { name: 'fetch_3', from: 'route shop.example.com/checkout*', to: 'http * /checkout/* (/checkout* matches /checkout and paths under it, not /checkout<more>)' },
    { name: 'queue_jobs', from: 'queues.consumers jobs', to: 'queue jobs (batch 10, wait 5 s, 4 attempts, dead letters to jobs.dlq)' },
    { name: 'queue_image_jobs', from: 'queues.consumers image-jobs', to: 'queue image-jobs (batch 25, wait 2 s, 8 attempts, dead letters to image-dead)' },
    { name: 'scheduled_1', from: 'triggers.crons "*/5 * * * *"', to: 'timer */5 * * * * (UTC)' },
    { name: 'scheduled_2', from: 'triggers.crons "10 7 * * 2-6"', to: 'timer 10 7 * * 1-5 (UTC)' },
  ]);
  const entry = reading.entrySource;
  assert.match(entry, /import \* as workerModule from "\.\/src\/index\.js";/);
  assert.match(entry, /"fetch": http\(\{"route":"\* \/api\/\*","auth":"anonymous","origin":"workers"\}, fetchHandler\(worker, main, bindings\)\)/);
  assert.match(entry, /"queue_image_jobs": queue\(\{"queue":"image-jobs","batchSize":25,"maxBatchWaitMs":2000,"maxAttempts":8,"deadLetterQueue":"image-dead","maxConcurrency":3,"backoff":\{"initialMs":10000,"maxMs":10000\},"origin":"workers"\}/);
  assert.match(entry, /"scheduled_2": timer\(\{"cron":"10 7 \* \* 1-5","timezone":"UTC","origin":"workers"\}, scheduledHandler\(worker, main, bindings, "10 7 \* \* 2-6"\)\)/);
  assert.match(entry, /const bindings = \{"vars":\{"GREETING":"hello","FEATURES":\{"beta":true\}\},"queues":\{"JOBS":\{"queue":"jobs","deliveryDelay":30\}\},"buckets":\{"UPLOADS":"shop-uploads"\}\};/);
});

test('wrangler.json and wrangler.jsonc (comments, trailing commas, // inside strings) read as the TOML does', async () => {
  const json = JSON.stringify({ name: 'w', main: 'src/index.js', vars: { URL: 'https://example.com/*' }, triggers: { crons: ['0 0 * * *'] } });
  const jsonc = `{
    // a comment
    "name": "w", /* another
    one */ "main": "src/index.js",
    "vars": { "URL": "https://example.com/*", },
    "triggers": { "crons": ["0 0 * * *",], },
  }`;
  const fromJson = await read({ 'wrangler.json': json });
  const fromJsonc = await read({ 'wrangler.jsonc': jsonc });
  assert.equal(fromJson.source, 'wrangler.json');
  assert.equal(fromJsonc.source, 'wrangler.jsonc');
  assert.deepEqual(fromJsonc.mapped, fromJson.mapped);
  assert.equal(fromJsonc.entrySource, fromJson.entrySource);
  assert.match(fromJson.entrySource, /"URL":"https:\/\/example\.com\/\*"/);
});

test('parseJsonc keeps strings (with escaped quotes), drops comments and trailing commas, and names where a problem is', () => {
  assert.deepEqual(parseJsonc('{"a": "x // y /* z */ \\" w", // c\n "b": [1, 2, ], }'), { a: 'x // y /* z */ " w', b: [1, 2] });
  assert.deepEqual(parseJsonc('{"a": ",]", "b": [1,\n]}'), { a: ',]', b: [1] });
  assert.throws(() => parseJsonc('{\n/* one\ntwo */\n"a": 1,\n  "b" 2}'), { name: 'SyntaxError', message: 'a colon is expected (line 5, column 7)' });
});

test('a Worker without routes has one fetch function at /fn/<app>/fetch, registered only if the module has fetch()', async () => {
  const reading = await read({ 'wrangler.toml': 'name = "bare"\nmain = "src/index.js"\n' });
  assert.deepEqual(reading.mapped, [{ name: 'fetch', from: 'fetch() on workers.dev', to: 'http /fn/<app>/fetch/* (when the module has fetch)' }]);
  assert.match(reading.entrySource, /\.\.\.\(typeof worker\.fetch === 'function' \? \{ "fetch": http\(\{"auth":"anonymous","origin":"workers"\}, fetchHandler\(worker, main, bindings, \{ functionPath: true \}\)\) \} : \{\}\),/);
  const off = await read({ 'wrangler.toml': 'main = "src/index.js"\nworkers_dev = false\n' });
  assert.equal(off.mapped[0]!.from, 'fetch() (workers_dev = false, no routes)');
  assert.equal(off.appName, undefined);
});

test('bindings and settings Nimbus has no equivalent for are listed with the reason', async () => {
  const reading = await read({
    'wrangler.toml': `
main = "src/index.js"
routes = ["example.com/*/deep"]
[[kv_namespaces]]
binding = "CACHE"
id = "abc"
[[d1_databases]]
binding = "DB"
database_name = "db"
database_id = "x"
[durable_objects]
bindings = [{ name = "ROOM", class_name = "Room" }]
[[services]]
binding = "AUTH"
service = "auth"
[ai]
binding = "AI"
[limits]
cpu_ms = 50
[triggers]
crons = ["0 0 * * 9", "61 * * * *"]
[[queues.consumers]]
queue = "pulled"
type = "http_pull"
[[r2_buckets]]
binding = "EU"
bucket_name = "eu-files"
jurisdiction = "eu"
`,
  });
  assert.deepEqual(reading.unsupported.map((u) => u.what), [
    'kv_namespaces', 'd1_databases', 'durable_objects', 'services', 'ai', 'limits.cpu_ms',
    'routes[0] (example.com/*/deep)', 'queues.consumers[0] (pulled, http_pull)', 'r2_buckets[0].jurisdiction',
    'triggers.crons[0]', 'triggers.crons[1]',
  ]);
  const reasons = Object.fromEntries(reading.unsupported.map((u) => [u.what, u.reason]));
  assert.match(reasons['kv_namespaces']!, /no key-value store binding/);
  assert.match(reasons['durable_objects']!, /no Durable Objects/);
  assert.match(reasons['routes[0] (example.com/*/deep)']!, /a wildcard may only end the path/);
  assert.match(reasons['triggers.crons[0]']!, /weekday "9" is outside Cloudflare's 1-7/);
  assert.match(reasons['triggers.crons[1]']!, /is not a cron Nimbus can run/);
  // Its only route cannot be served: no fetch function is made for it (--skip-unsupported deploys the rest).
  assert.deepEqual(reading.mapped, []);
});

test('a service-worker script is listed as unsupported; a module that default-exports is not', async () => {
  const sw = await read({ 'wrangler.toml': 'main = "src/sw.js"\n', 'src/sw.js': "addEventListener('fetch', (e) => e.respondWith(new Response('x')));\n" });
  assert.deepEqual(sw.unsupported.map((u) => u.what), ['main (src/sw.js)']);
  assert.match(sw.unsupported[0]!.reason, /service-worker syntax/);
});

test('malformed files fail with one line naming the file and the problem', async () => {
  assert.match(await readFails({ 'wrangler.toml': 'name = "x"\nmain = \n' }), /^wrangler\.toml is not valid TOML: .+\(line 2, column \d+\)$/);
  assert.match(await readFails({ 'wrangler.jsonc': '{ "main": "src/index.js" /* never closed' }), /^wrangler\.jsonc is not valid JSON: a \/\* comment is never closed \(line 1, column 26\)$/);
  assert.match(await readFails({ 'wrangler.json': '{ "main": }' }), /^wrangler\.json is not valid JSON: /);
  assert.equal(await readFails({ 'wrangler.json': '[1, 2]' }), 'wrangler.json must hold a table of settings at the top');
  assert.match(await readFails({ 'wrangler.toml': 'name = "x"\n' }), /^wrangler\.toml: main is missing/);
  assert.match(await readFails({ 'wrangler.toml': 'main = "src/missing.js"\n' }), /^wrangler\.toml: main "src\/missing\.js" not found in /);
  assert.equal(await readFails({ 'wrangler.toml': 'main = "src/index.js"\nvars = 3\n' }), 'wrangler.toml: vars must be a table');
  assert.equal(await readFails({ 'wrangler.toml': 'main = "src/index.js"\n[[queues.consumers]]\nqueue = "q"\nmax_batch_size = 500\n' }),
    'wrangler.toml: queues.consumers[0].max_batch_size must be a number from 1 to 100');
  assert.equal(await readFails({ 'wrangler.toml': 'main = "src/index.js"\n[[r2_buckets]]\nbinding = "B"\n' }), 'wrangler.toml: r2_buckets[0].bucket_name is missing');
});

test('a folder with a wrangler file is detected as a Worker; wrangler.json is preferred to wrangler.toml, as wrangler does', async () => {
  const dir = await makeTempDir({
    'src/index.js': MODULE,
    'wrangler.toml': 'name = "from-toml"\nmain = "src/index.js"\n',
    'wrangler.json': '{ "name": "from-json", "main": "src/index.js" }',
  });
  try {
    const reading = await readAppFormat(dir.path);
    assert.equal(reading?.format, 'workers');
    assert.equal(reading?.appName, 'from-json');
  } finally {
    await dir.remove();
  }
});

test('Cloudflare crons (documented examples) fire at the same times as their Nimbus translation', () => {
  // https://developers.cloudflare.com/workers/configuration/cron-triggers/#examples ; weekdays count 1-7 from Sunday.
  const from = Date.parse('2026-12-04T00:00:00Z'); // a Friday
  const next = (cron: string): string => new Date(new Schedule(nimbusCron(cron), 'UTC').nextAfter(from)!).toISOString();
  assert.equal(next('0 17 * * sun'), '2026-12-06T17:00:00.000Z');
  assert.equal(next('0 17 * * 1'), '2026-12-06T17:00:00.000Z');
  assert.equal(next('10 7 * * mon-fri'), '2026-12-04T07:10:00.000Z');
  assert.equal(next('10 7 * * 2-6'), '2026-12-04T07:10:00.000Z');
  assert.equal(next('0 18 * * 6L'), '2026-12-25T18:00:00.000Z');
  assert.equal(next('0 18 * * friL'), '2026-12-25T18:00:00.000Z');
  assert.equal(next('59 23 LW * *'), '2026-12-31T23:59:00.000Z');
  assert.equal(next('0 15 1 * *'), '2027-01-01T15:00:00.000Z');
  assert.equal(nimbusCron('0 0 * * 1-7/2'), '0 0 * * 0-6/2');
  assert.throws(() => nimbusCron('0 0 * *'), /has 4 fields; Cloudflare crons have five/);
});

test('route patterns keep their path: a host alone takes every path, reserved Nimbus paths are refused', () => {
  assert.deepEqual(nimbusRoute('example.com/api/*'), { route: '* /api/*' });
  assert.deepEqual(nimbusRoute('*.example.com/*'), { route: '* /*' });
  assert.deepEqual(nimbusRoute('example.com'), { route: '* /*' });
  assert.deepEqual(nimbusRoute('https://example.com/exact'), { route: '* /exact' });
  assert.throws(() => nimbusRoute('example.com/fn/*'), /reserved by Nimbus/);
});
