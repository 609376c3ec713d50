import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, NimbusProcess } from '../support/nimbus-process.js';
import { makeTempDir } from '../support/temp-app.js';
import { TOOK } from '../support/run-cli.js';

// `nimbus dev` as a developer runs it: a real process watching a real folder, edited on disk.

const greetApp = (greeting: string): string => `import { http } from 'nimbus-functions';

export const greet = http('GET /greet/:name', (req, ctx) => {
  console.log('greeting ' + ctx.params.name);
  return new Response('${greeting} ' + ctx.params.name);
});
`;

test('dev serves the folder, redeploys on save, shows function logs, and keeps the last good version through a broken save', async (t) => {
  const app = await makeTempDir({ 'index.ts': greetApp('hello') }, 'nimbus-e2e-dev-');
  t.after(() => app.remove());
  const dev = new NimbusProcess(['dev', app.path, '--port', '0', '--app', 'greeter'], { cwd: app.path, env: { NIMBUS_LOG_LEVEL: 'info' } });
  t.after(() => dev.kill());
  const url = await dev.url();
  await dev.waitForStdout(/Watching .* for changes/);
  assert.match(dev.stdout, new RegExp(String.raw`^\d\d:\d\d:\d\d Deployed greeter v1 in ${TOOK} \(bundle ${TOOK}, upload ${TOOK}, live ${TOOK}\)$`, 'm'));
  assert.match(dev.stdout, new RegExp(String.raw`^ {2}greet\s+http\s+GET /greet/:name\s+${url}/greet/:name$`, 'm'), 'the functions table, with triggers and route URLs');
  const greet = async (name: string): Promise<string> => {
    const response = await fetch(`${url}/greet/${name}`);
    return `${response.status} ${await response.text()}`;
  };
  assert.equal(await greet('ada'), '200 hello ada');

  // A function's console.log reaches the dev terminal, tagged with the function and the invocation.
  await dev.waitForStdout(/^\d\d:\d\d:\d\d greet \[[0-9a-f-]{8}\] greeting ada$/m, 'the function log line');
  // The node's own events are readable lines, not JSON.
  await dev.waitForStdout(/^\d\d:\d\d:\d\d nimbus: version live app=greeter version=1 previous=null$/m, 'a platform event line');
  assert.doesNotMatch(dev.stdout, /^\{"level"/m);

  await app.write('index.ts', greetApp('welcome'));
  await eventually('the edited app to serve', async () => (await greet('bob')) === '200 welcome bob');
  await dev.waitForStdout(/^\d\d:\d\d:\d\d Deployed greeter v2 in /m);

  // A save that does not type-check still goes live at once; the check, in the background, reports file:line:col.
  await app.write('index.ts', `${greetApp('typo')}const oops: number = 'nope';\n`);
  await eventually('the save with a type error to serve', async () => (await greet('cy')) === '200 typo cy');
  await dev.waitForStderr(/^\d\d:\d\d:\d\d type check: 1 error \(greeter v3 is live anyway\)$/m);
  const report = await dev.waitForStderr(/^ {2}index\.ts:(\d+):(\d+) .*$/m, 'the type error location');
  assert.equal(report[1], '7', report[0]);

  // A save that does not build: reported with file:line:col, and v3 keeps serving.
  await app.write('index.ts', `${greetApp('broken')}export const = ;\n`);
  await dev.waitForStderr(/Deploy failed: bundling failed/);
  await dev.waitForStderr(/still serving greeter v3/);
  assert.equal(await greet('di'), '200 typo di');
  assert.doesNotMatch(dev.stdout, /Deployed greeter v4/);

  await app.write('index.ts', greetApp('fixed'));
  await eventually('the fixed app to serve', async () => (await greet('ed')) === '200 fixed ed');
  await dev.waitForStdout(/^\d\d:\d\d:\d\d Deployed greeter v4 in /m);
  await dev.waitForStdout(new RegExp(String.raw`^\d\d:\d\d:\d\d type check: no errors \(${TOOK}\)$`, 'm'), 'the check passing again');

  assert.deepEqual(await dev.stop('SIGINT'), { code: 0, signal: null });
});

test('a save made while dev is still deploying the first time is deployed too', async (t) => {
  const app = await makeTempDir({ 'index.ts': greetApp('first') }, 'nimbus-e2e-dev-');
  t.after(() => app.remove());
  const dev = new NimbusProcess(['dev', app.path, '--port', '0', '--app', 'early'], { cwd: app.path });
  t.after(() => dev.kill());
  const url = await dev.url();
  // The first deploy starts now and takes a while (type check, bundle, load): save in the middle of it.
  await app.write('index.ts', greetApp('second'));

  await eventually('the second save to serve', async () => (await (await fetch(`${url}/greet/x`)).text()) === 'second x');
  assert.deepEqual(await dev.stop('SIGINT'), { code: 0, signal: null });
});
