import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

/** Top-level code that fails only at run time: when a marker file sits next to the bundle (the deploy-time inspection never sees it). */
const APP = `
import { http } from 'nimbus-functions';
import { existsSync } from 'node:fs';
if (existsSync(new URL('./break-at-load', import.meta.url))) throw new Error('bad configuration: yes');
export const fragile = http({ route: 'POST /fragile', maxInstances: 1, concurrency: 4 }, async (req) => ({ got: await req.text() }));
`;

describe('an instance whose bundle fails to load on a cold start', () => {
  let node: TestNode;
  const lines: string[] = [];
  before(async () => {
    node = await startTestNode();
    node.onFunctionLog((line) => lines.push(line.message));
    const deployed = await node.deploy('fragile', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  const marker = (): string => join(node.dataDir, 'bundles', 'break-at-load');
  test('fails the invocations sent along with it (502; the load error in the logs), and the next cold start works again', async () => {
    writeFileSync(marker(), 'x');
    const answers = await Promise.all([1, 2, 3].map((n) => fetch(`${node.url}/fragile`, { method: 'POST', body: `body ${n}` })));
    for (const answer of answers) {
      assert.equal(answer.status, 502);
      const body = (await answer.json()) as { error: { code: string; message: string; invocationId: string } };
      assert.equal(body.error.code, 'NIMBUS_ERR_FUNCTION_CRASHED');
      assert.equal(body.error.invocationId, answer.headers.get('x-nimbus-invocation-id'));
      // The app's own error is the developer's to read, not the caller's.
      assert.doesNotMatch(body.error.message, /bad configuration/);
    }
    assert.ok(lines.some((line) => /instance failed to start.*bad configuration: yes/.test(line)), lines.join('\n'));

    rmSync(marker());
    const ok = await fetch(`${node.url}/fragile`, { method: 'POST', body: 'fine now' });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { got: 'fine now' });
  });
});
