import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

// Line numbers matter here: the platform calls are on lines 5 and 14 of index.ts, readNote is called on line 20.
const APP = `import { http } from 'nimbus-functions';

export const listNotes = http({ route: 'GET /notes' }, async (_req, ctx) => {
  try {
    await ctx.blobs.list('notes');
    return 'listed';
  } catch (err) {
    console.error('listNotes failed: ' + (err as Error).stack);
    return { stack: (err as Error).stack, code: (err as { code?: string }).code };
  }
});

function readNote(ctx: { blobs: { list(bucket: string): Promise<unknown> } }): Promise<unknown> {
  return ctx.blobs.list('notes');
}

export const headNote = http({ route: 'GET /note' }, async (_req, ctx) => {
  await new Promise((resolve) => setTimeout(resolve, 1));
  // Not awaited where it is called: the call site must still be the function's line, not where the reply is read.
  const pending = readNote(ctx);
  try {
    await pending;
    return 'found';
  } catch (err) {
    return { stack: (err as Error).stack };
  }
});

export const boom = http({ route: 'GET /boom' }, async () => {
  throw new Error('boom on line 30');
});
`;

function frames(stack: string): string[] {
  return stack.split('\n').slice(1).map((line) => line.trim());
}

describe('a function\'s error stacks: a failed platform call, a throw', () => {
  let node: TestNode;
  const logs: string[] = [];
  before(async () => {
    node = await startTestNode();
    node.onFunctionLog((line) => logs.push(line.message));
    const deployed = await node.deploy('calls', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(() => node.dispose());

  test('throws a NimbusError whose stack starts at the function\'s own line, source-mapped', async () => {
    const res = await fetch(`${node.url}/notes`);
    const { stack, code } = (await res.json()) as { stack: string; code: string };
    assert.equal(code, 'NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND');
    assert.match(stack.split('\n')[0]!, /^NimbusError: no such bucket: notes/);
    assert.match(frames(stack)[0] ?? '', /^at .*index\.ts:5:\d+\)?$/, stack);
    assert.doesNotMatch(stack, /node:events|Socket\.emit/, stack);
    // What the function logged is the same stack: the developer reads it in the logs.
    await eventually(() => logs.some((l) => l.startsWith('listNotes failed: NimbusError: no such bucket') && /index\.ts:5:\d+/.test(l)), 10_000, 'the logged stack');
  });

  test('names every frame of the function that led to the call, the helper first', async () => {
    const res = await fetch(`${node.url}/note`);
    const { stack } = (await res.json()) as { stack: string };
    const lines = frames(stack);
    assert.match(lines[0] ?? '', /readNote .*index\.ts:14:\d+/, stack);
    assert.match(lines[1] ?? '', /index\.ts:20:\d+/, stack);
  });

  test('a function that throws is logged with its own frames only: none of the instance runtime that called it, mapped or not', async () => {
    const res = await fetch(`${node.url}/boom`);
    assert.equal(res.status, 500);
    await res.arrayBuffer();
    await eventually(() => logs.some((l) => l.startsWith('Error: boom on line 30')), 10_000, 'the logged error');
    const logged = logs.find((l) => l.startsWith('Error: boom on line 30'))!;
    assert.match(frames(logged)[0] ?? '', /index\.ts:30:\d+/, logged);
    assert.doesNotMatch(logged, /src\/runtime\/|instance\.mjs|async_hooks/, logged);
  });
});
