import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';

const BIN = fileURLToPath(new URL('../../../../bin/nimbus.js', import.meta.url));
const run = promisify(execFile);

let node: TestNode;
before(async () => { node = await startTestNode(); });
after(() => node.dispose());

test('nimbus doctor reports what the machine supports and what the running node uses', async () => {
  const { stdout } = await run(process.execPath, [BIN, 'doctor', '--json', '--url', node.url, '--key', node.adminKey]);
  const report = JSON.parse(stdout) as { machine: { level: string; missing: string[] }; node: { isolation: { driver: string; level: string } } };
  assert.ok(['strict', 'basic'].includes(report.machine.level));
  assert.equal(report.machine.level === 'strict', report.machine.missing.length === 0, 'strict exactly when nothing is missing');
  assert.deepEqual(report.node.isolation, { driver: 'process', level: 'basic', report: null } as unknown as typeof report.node.isolation);
  const text = await run(process.execPath, [BIN, 'doctor', '--url', node.url, '--key', node.adminKey]);
  assert.match(text.stdout, /the running node uses: basic isolation \(process driver\)/);
});
