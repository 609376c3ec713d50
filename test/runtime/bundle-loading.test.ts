import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FunctionLogLine } from '../../src/runtime/lifecycle.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

/** Top-level await: the runtime cannot require() this bundle and must import() it. */
const AWAITING_APP = `
import { http } from 'nimbus-functions';
const config = await new Promise((resolve) => setTimeout(() => resolve({ region: 'eu' }), 20));
export const region = http({ route: 'GET /region' }, () => ({ region: config.region }));
`;

/** Logs while loading (no invocation yet) and while serving; a stack trace points into the source. */
const LOGGING_APP = `
import { http } from 'nimbus-functions';
console.log('loading the module');
export const greet = http({ route: 'GET /greet' }, (_req, ctx) => {
  console.log('serving', ctx.invocationId);
  return { stack: new Error('where').stack, execArgv: process.execArgv };
});
`;

describe('loading app bundles into instances', () => {
  let node: TestNode;
  const lines: FunctionLogLine[] = [];
  before(async () => {
    node = await startTestNode();
    node.onFunctionLog((line) => lines.push(line));
    for (const [app, source] of [['awaiting', AWAITING_APP], ['logging', LOGGING_APP]] as const) {
      const deployed = await node.deploy(app, { 'index.ts': source });
      assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    }
  });
  after(() => node.dispose());

  test('a bundle with top-level await loads and serves', async () => {
    const answer = await fetch(`${node.url}/region`);
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { region: 'eu' });
  });

  test('lines written while loading belong to no invocation; the first invocation’s lines carry its id; stacks map to the source lazily', async () => {
    const answer = await fetch(`${node.url}/greet`);
    assert.equal(answer.status, 200);
    const { stack, execArgv } = (await answer.json()) as { stack: string; execArgv: string[] };
    // Mapped by the runtime when the stack was formatted, not by Node while the bundle loaded.
    assert.match(stack, /^Error: where\n {4}at Object\.handler \(nimbus-app:\/\/\/\S*index\.ts:6:\d+\)\n/);
    assert.ok(!execArgv.includes('--enable-source-maps'), execArgv.join(' '));
    const invocationId = answer.headers.get('x-nimbus-invocation-id');
    const ofApp = () => lines.filter((line) => line.app === 'logging');
    await waitFor(() => ofApp().some((line) => line.message.startsWith('serving')));
    const loading = ofApp().filter((line) => line.message === 'loading the module');
    assert.ok(loading.length > 0, 'the load-time line was captured');
    for (const line of loading) assert.equal(line.invocationId, null);
    const serving = ofApp().find((line) => line.message.startsWith('serving'))!;
    assert.equal(serving.invocationId, serving.message.split(' ')[1]);
    assert.equal(serving.invocationId, invocationId);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.ok(condition(), 'timed out waiting');
}
