/**
 * Queue delivery is at least once across a crash: a node killed with SIGKILL
 * while its consumer is half-way through a backlog loses no message it
 * acknowledged to a sender. Messages whose batch was running at the kill are
 * delivered again after the restart (their lease runs out), so some may be
 * handled twice — that is allowed and reported, never a failure.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { NimbusClient, NimbusClientError } from '../../../src/sdk/client/index.js';
import { eventually } from '../../helpers/admin-client.js';
import { startNodeProcess, type NodeProcess } from '../../helpers/node-process.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { blobKeys, deployApp, queueStats } from './trigger-fixtures.js';

const MESSAGES = 300;
/** Messages per send, and sends in flight at once. */
const SEND_CHUNK = 10;
const PARALLEL_SENDERS = 3;
/** Kill once this many were handled: some, never all (the consumer needs seconds for the whole backlog). */
const KILL_AFTER_HANDLED = 40;

// Every handled batch leaves its own durable record, named by the invocation and listing the message
// numbers (\`<invocation id>/3-4-5\`), so a repeat shows up as a number under a second invocation.
// 5 ms a message, 10 a batch, 2 batches at once: slow enough that most of the backlog is still pending at the kill.
const APP = `
import { queue } from 'nimbus-functions';

export const work = queue({ queue: 'work', batchSize: 10, maxBatchWaitMs: 0, maxConcurrency: 2, visibilityTimeoutMs: 2000, timeoutMs: 1500 }, async (batch, ctx) => {
  await new Promise((r) => setTimeout(r, 5 * batch.messages.length));
  await ctx.blobs.put('handled', ctx.invocationId + '/' + batch.messages.map((m) => m.body.n).join('-'), '');
});
`;

/** Handled message numbers, each with how many times it was handled. */
async function handledCounts(node: NodeProcess): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const key of await blobKeys(node, 'handled')) {
    for (const n of key.slice(key.indexOf('/') + 1).split('-').map(Number)) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

describe('queue delivery survives kill -9 of the node', () => {
  const data = makeTempDir('nimbus-alo-');
  const apps = makeTempDir('nimbus-alo-app-');
  let node: NodeProcess | undefined;
  after(async () => {
    if (node && node.child.exitCode === null && node.child.signalCode === null) await node.kill9();
    data.remove();
    apps.remove();
  });

  test('every acknowledged message is handled at least once after a crash mid-backlog', async (t) => {
    node = await startNodeProcess(data.dir);
    await deployApp(node, join(apps.dir, 'v1'), 'crashy', { 'index.ts': APP });

    // Senders run while the consumer works. A send that got no answer (the node died under it)
    // is not acknowledged: it is sent again after the restart with the same dedupId, as a careful producer would.
    const acknowledged = new Map<number, string>();
    const unanswered: number[] = [];
    let killed = false;
    const sendAll = async (target: NodeProcess, numbers: number[]) => {
      const client = new NimbusClient({ url: target.url, key: target.adminKey });
      const chunks: number[][] = [];
      for (let i = 0; i < numbers.length; i += SEND_CHUNK) chunks.push(numbers.slice(i, i + SEND_CHUNK));
      let next = 0;
      await Promise.all(Array.from({ length: PARALLEL_SENDERS }, async () => {
        while (next < chunks.length) {
          const chunk = chunks[next++]!;
          if (killed && target === firstLife) { unanswered.push(...chunk); continue; }
          try {
            const sent = await client.queue('work').sendBatch(chunk.map((n) => ({ body: { n }, dedupId: `n-${n}` })));
            chunk.forEach((n, i) => acknowledged.set(n, sent[i]!.id));
          } catch (error) {
            if (!(error instanceof NimbusClientError) || error.code !== 'NIMBUS_CLIENT_NETWORK') throw error;
            unanswered.push(...chunk);
          }
        }
      }));
    };
    const firstLife = node;
    const started = performance.now();
    const sending = sendAll(firstLife, Array.from({ length: MESSAGES }, (_, n) => n));

    let handledBeforeKill = 0;
    await eventually(async () => (handledBeforeKill = (await handledCounts(firstLife)).size) >= KILL_AFTER_HANDLED, 20_000, `${KILL_AFTER_HANDLED} messages handled`);
    killed = true;
    await firstLife.kill9();
    await sending;
    t.diagnostic(`killed after ${Math.round(performance.now() - started)} ms; ${acknowledged.size} sends acknowledged`);

    node = await startNodeProcess(data.dir);
    // Still waiting, or leased by the dead node until its lease runs out: the kill really came mid-way.
    const left = await queueStats(node, 'work');
    const pendingAtRestart = (left?.depth ?? 0) + (left?.inFlight ?? 0) + (left?.delayed ?? 0);
    assert.ok(pendingAtRestart > 0 || unanswered.length > 0, 'nothing was left to deliver after the kill: the test proves nothing');
    await sendAll(node, unanswered.splice(0));
    const secondLife = node;
    assert.equal(acknowledged.size, MESSAGES, 'every message was acknowledged once resent');

    let counts = new Map<number, number>();
    await eventually(async () => {
      counts = await handledCounts(secondLife);
      return [...acknowledged.keys()].every((n) => counts.has(n));
    }, 40_000, 'every acknowledged message handled after the restart').catch((error: Error) => {
      const missing = [...acknowledged.keys()].filter((n) => !counts.has(n));
      throw new Error(`${error.message}: ${missing.length} lost (${missing.slice(0, 20).join(', ')}…)`);
    });
    const twice = [...counts.values()].filter((c) => c > 1).length;
    const extra = [...counts.keys()].filter((n) => !acknowledged.has(n));
    assert.deepEqual(extra, [], `nothing handled that was never sent (at least ${handledBeforeKill} handled before the kill, ${pendingAtRestart} pending at restart, ${twice} handled more than once — allowed)`);
    t.diagnostic(`handled before the kill: >= ${handledBeforeKill}; pending at restart: ${pendingAtRestart}; handled more than once: ${twice}`);
  });
});
