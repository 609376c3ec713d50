import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

const APP = `
import { http } from 'nimbus-functions';

export const spin = http({ route: 'GET /spin', timeoutMs: 300 }, (req) => {
  const marker = new URL(req.url).searchParams.get('forever');
  if (marker !== null) {
    // Written in the same turn as the endless loop: no later turn of the event loop could send it.
    console.log('spinning ' + marker);
    process.stdout.write('stdout before the spin ' + marker + '\\nand its second line ' + marker + '\\n');
    for (;;) {}
  }
  return { pid: process.pid };
});

export const exit = http({ route: 'GET /exit' }, (req) => {
  const marker = new URL(req.url).searchParams.get('now');
  if (marker !== null) {
    console.error('exiting ' + marker);
    process.exit(3);
  }
  return { pid: process.pid };
});

export const fail = http({ route: 'GET /fail' }, () => { throw new Error('kaboom'); });

const kept: unknown[] = [];
export const heapHog = http({ route: 'GET /heap-hog', memoryMb: 128 }, () => {
  for (;;) kept.push(new Array(100_000).fill({ x: Math.random() }));
});

const buffers: Buffer[] = [];
export const bufferHog = http({ route: 'GET /buffer-hog', memoryMb: 128 }, async () => {
  for (;;) {
    buffers.push(Buffer.alloc(8 * 1024 * 1024, 1));
    await new Promise((r) => setTimeout(r, 20));
  }
});

export const healthy = http({ route: 'GET /healthy' }, () => 'fine');
`;

async function errorCode(res: Response): Promise<string> {
  return (await res.json() as { error: { code: string } }).error.code;
}

describe('limits', () => {
  let node: TestNode;
  const logs: string[] = [];
  before(async () => {
    node = await startTestNode();
    node.onFunctionLog((line) => logs.push(line.message));
    const deployed = await node.deploy('limits', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  test('a handler past its timeout gets 504, and the next request runs on a fresh instance', async () => {
    const first = await (await fetch(`${node.url}/spin`)).json() as { pid: number };
    const stuck = await fetch(`${node.url}/spin?forever=m1`);
    assert.equal(stuck.status, 504);
    assert.equal(await errorCode(stuck), 'NIMBUS_ERR_FUNCTION_TIMEOUT');
    // What it logged before spinning reached its logs, though it was killed mid-turn.
    await eventually(() => ['spinning m1', 'stdout before the spin m1', 'and its second line m1'].every((line) => logs.includes(line)), 10_000, 'the lines logged before the endless loop');
    const next = await fetch(`${node.url}/spin`);
    assert.equal(next.status, 200);
    assert.notEqual((await next.json() as { pid: number }).pid, first.pid, 'the stuck instance was replaced');
  });

  test('process.exit in a handler gives 502 to that request, and the next one works', async () => {
    const crashed = await fetch(`${node.url}/exit?now=m2`);
    assert.equal(crashed.status, 502);
    assert.equal(await errorCode(crashed), 'NIMBUS_ERR_FUNCTION_CRASHED');
    await eventually(() => logs.includes('exiting m2'), 10_000, 'the line logged just before process.exit');
    assert.equal((await fetch(`${node.url}/exit`)).status, 200);
  });

  test('a thrown error gives 500 JSON without the message or stack; both go to the logs', async () => {
    const res = await fetch(`${node.url}/fail`);
    assert.equal(res.status, 500);
    const body = await res.json() as { error: { code: string; message: string; invocationId: string } };
    assert.equal(body.error.code, 'NIMBUS_ERR_FUNCTION_ERROR');
    assert.equal(body.error.invocationId, res.headers.get('x-nimbus-invocation-id'));
    assert.doesNotMatch(body.error.message, /kaboom/, 'the exception\'s message is for the logs, not the caller');
    assert.doesNotMatch(JSON.stringify(body), /at /, 'no stack frames reach the caller');
    // The stack is source-mapped back to the app's own file.
    assert.ok(logs.some((l) => l.includes('kaboom') && l.includes('index.ts')), 'the stack is in the logs');
  });

  for (const hog of ['heap-hog', 'buffer-hog']) {
    test(`a memory hog (${hog}) fails alone with 502 out-of-memory while other functions keep serving`, async () => {
      const [hogged, ...others] = await Promise.all([
        fetch(`${node.url}/${hog}`),
        ...Array.from({ length: 3 }, () => fetch(`${node.url}/healthy`)),
      ]);
      assert.equal(hogged!.status, 502);
      assert.equal(await errorCode(hogged!), 'NIMBUS_ERR_FUNCTION_OUT_OF_MEMORY');
      assert.ok(logs.some((l) => l.startsWith('out-of-memory:')), 'the out-of-memory kill is in the function logs too');
      for (const other of others) assert.equal(other.status, 200);
      assert.equal((await fetch(`${node.url}/healthy`)).status, 200);
    });
  }
});
