/**
 * Three real nodes on one PostgreSQL database and one S3 server while nodes
 * are killed with SIGKILL: every acknowledged queue message is handled, an
 * every-second timer is claimed once per time, without gaps.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, eventually } from '../helpers/admin-client.js';
import { postgresUnavailable } from '../helpers/postgres-server.js';
import type { S3TestServer } from '../helpers/s3-server.js';
import { deployThrough, HandledMessages, startS3Server, startSharedCluster, type SharedCluster } from './support/cluster-app.js';

const skip = postgresUnavailable();
const KILLS = 10;

const APP = `
import { queue, timer } from 'nimbus-functions';
export const work = queue({ queue: 'jobs', batchSize: 10, maxConcurrency: 4, maxAttempts: 100, backoff: { initialMs: 20, maxMs: 200 } }, async (batch, ctx) => {
  // One object per batch naming its messages: blob writes, not the queue, would otherwise set the pace.
  await ctx.blobs.put('handled', 'b/' + ctx.invocationId, JSON.stringify(batch.messages.map((m) => m.body.n)));
});
// catchUp 'all': a second every live node woke too late for (a saturated machine) is still claimed, once.
export const tick = timer({ cron: '* * * * * *', catchUp: 'all' }, async () => {});
`;

let s3: S3TestServer;
let shared: SharedCluster;
before(async () => {
  if (skip) return;
  s3 = await startS3Server();
  // Killed nodes come back under their own id and take their leases back at once; dead-after is for nodes that stay away.
  shared = await startSharedCluster(3, { s3, prefix: 'kills', env: { NIMBUS_DEAD_AFTER_MS: '3000' } });
  await deployThrough(shared.nodes[0]!, 'jobs', APP);
});
after(async () => {
  await shared?.close();
  await s3?.remove();
});

const handled = new HandledMessages();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(`SIGKILL of a node under queue load, ${KILLS} times: every acknowledged message is handled`, { skip }, async () => {
  const acknowledged = new Set<number>();
  const down = new Set<number>();
  let sending = true;
  let next = 0;
  let refused = 0;
  const sender = (async () => {
    for (let round = 0; sending; round++) {
      const alive = [0, 1, 2].filter((i) => !down.has(i));
      const node = shared.nodes[alive[round % alive.length]!]!;
      const batch = Array.from({ length: 10 }, () => next++);
      try {
        const res = await fetch(`${node.url}/_nimbus/api/v1/queues/jobs/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${node.adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ messages: batch.map((n) => ({ body: { n } })) }),
        });
        await res.arrayBuffer();
        if (res.status === 201 || res.status === 200) for (const n of batch) acknowledged.add(n);
        else refused++;
      } catch {
        refused++; // the node died under the request: not acknowledged, so not promised
      }
      await sleep(25);
    }
  })();
  for (let kill = 0; kill < KILLS; kill++) {
    await sleep(400);
    const i = kill % 3;
    down.add(i);
    await shared.cluster.kill(i, 'SIGKILL');
    await shared.cluster.restart(i);
    down.delete(i);
  }
  await sleep(300);
  sending = false;
  await sender;
  assert.ok(acknowledged.size >= 300, `only ${acknowledged.size} messages were acknowledged (${refused} sends refused)`);
  let missing: number[] = [];
  await eventually(async () => {
    const numbers = await handled.read(shared.nodes[0]!);
    missing = [...acknowledged].filter((n) => !numbers.has(n));
    return missing.length === 0;
  }, 90_000, 'every acknowledged message handled').catch((err: Error) => {
    throw new Error(`${err.message}: ${missing.length} of ${acknowledged.size} missing, e.g. ${missing.slice(0, 10).join(', ')}`);
  });
  const { body } = await admin(shared.nodes[1]!, 'GET', '/queues');
  const dlq = (body.queues as { name: string; depth: number }[]).find((q) => q.name === 'jobs.dlq');
  assert.equal(dlq?.depth ?? 0, 0, 'nothing dead-lettered');
});

test('an every-second timer is claimed exactly once per second, without gaps, while nodes are killed', { skip }, async () => {
  const started = Date.now();
  for (let kill = 0; kill < 3; kill++) {
    await sleep(1_500);
    await shared.cluster.kill((kill + 1) % 3, 'SIGKILL');
    await sleep(500);
    await shared.cluster.restart((kill + 1) % 3);
  }
  await sleep(2_000);
  const { status, body } = await admin(shared.nodes[0]!, 'GET', '/timers/jobs/tick/runs?limit=100');
  assert.equal(status, 200, JSON.stringify(body));
  const runs = (body.runs as { scheduledAt: string; reason: string; outcome: string; isPastDue: boolean }[])
    .map((r) => ({ ...r, at: Date.parse(r.scheduledAt) }))
    .filter((r) => r.reason === 'schedule' && r.at >= started)
    .sort((x, y) => x.at - y.at);
  assert.ok(runs.length >= 8, `only ${runs.length} runs since the kills began`);
  const times = runs.map((r) => r.at);
  assert.equal(new Set(times).size, times.length, 'one claim per scheduled time');
  // The last second may still be being claimed as we read; every earlier one is there exactly once.
  for (let i = 1; i < times.length; i++) assert.equal(times[i]! - times[i - 1]!, 1000, `no scheduled second skipped (${new Date(times[i - 1]!).toISOString()} → ${new Date(times[i]!).toISOString()})`);
  // Caught up late, as catchUp 'all' allows, only now and then: survivors that stopped claiming would backfill every second.
  const late = runs.filter((r) => r.isPastDue).length;
  assert.ok(late <= 6, `${late} of ${runs.length} runs were claimed past due`);
  const ran = runs.filter((r) => r.outcome === 'ok').length;
  assert.ok(ran >= runs.length - 6, `most runs fired: ${JSON.stringify(runs.map((r) => r.outcome))}`);
});
