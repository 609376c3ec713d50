import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, NimbusProcess } from '../support/nimbus-process.js';
import { makeTempDir } from '../support/temp-app.js';

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
  const dev = new NimbusProcess(['dev', app.path, '--port', '0', '--app', 'greeter'], { cwd: app.path });
  t.after(() => dev.kill());
  const url = await dev.url();
  await dev.waitForStdout(/Watching .* for changes/);
  assert.match(dev.stdout, /^\d\d:\d\d:\d\d Deployed greeter v1$/m);
  const greet = async (name: string): Promise<string> => {
    const response = await fetch(`${url}/greet/${name}`);
    return `${response.status} ${await response.text()}`;
  };
  assert.equal(await greet('ada'), '200 hello ada');

  // A function's console.log reaches the dev terminal, tagged with the function and the invocation.
  await dev.waitForStdout(/^\d\d:\d\d:\d\d greet \[[0-9a-f-]{8}\] greeting ada$/m, 'the function log line');

  await app.write('index.ts', greetApp('welcome'));
  await eventually('the edited app to serve', async () => (await greet('bob')) === '200 welcome bob');
  await dev.waitForStdout(/^\d\d:\d\d:\d\d Deployed greeter v2$/m);

  // A save that does not type-check: reported with file:line:col, and v2 keeps serving.
  await app.write('index.ts', `${greetApp('broken')}const oops: number = 'nope';\n`);
  await dev.waitForStderr(/Deploy failed: type check failed/);
  const report = await dev.waitForStderr(/^ {2}index\.ts:(\d+):(\d+) .*$/m, 'the type error location');
  assert.equal(report[1], '7', report[0]);
  await dev.waitForStderr(/still serving greeter v2/);
  assert.equal(await greet('cy'), '200 welcome cy');
  assert.doesNotMatch(dev.stdout, /Deployed greeter v3/);

  await app.write('index.ts', greetApp('fixed'));
  await eventually('the fixed app to serve', async () => (await greet('di')) === '200 fixed di');
  await dev.waitForStdout(/^\d\d:\d\d:\d\d Deployed greeter v3$/m);

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
