/**
 * Cluster mode on one machine, against what a team would use instead, all on
 * one throwaway PostgreSQL server (fsync on: durable, like production):
 *
 * - queue messages/s end to end with one and three real node processes,
 *   beside pg-boss on the same server with the same concurrency;
 * - warm HTTP req/s of one node on the PostgreSQL store against one on the
 *   SQLite store (the warm path touches neither: they should match);
 * - deploy → served by every node of three.
 */
import { startCluster, type TestCluster } from '../../test/helpers/cluster.js';
import { admin, type AdminTarget } from '../../test/helpers/admin-client.js';
import { freshPostgresDatabase, startPostgres } from '../../test/helpers/postgres-server.js';
import { blobsUrl, deployThrough, startS3Server } from '../../test/cluster/support/cluster-app.js';
import { bundleFiles } from '../../test/helpers/bundle.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { join } from 'node:path';
import { helloAppSource, helloPath } from '../http/hello-app.js';
import { LoadClient } from '../load/load-client.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { median, quantile, round, sleep } from '../support/stats.js';
import { startBenchNode } from '../support/bench-node.js';
import { commandCpuMs, ownCpuMs } from '../support/process-cpu.js';
import { availableParallelism } from 'node:os';
import { pgBossThroughput } from './pg-boss-baseline.js';

const MESSAGES = Number(process.env['BENCH_CLUSTER_MESSAGES'] ?? 5_000);
/** Handlers running at once, cluster-wide, for Nimbus and pg-boss alike. */
const CONCURRENCY = 16;
const SEND_BATCH = 500;
const SENDERS = 4;
const HTTP_SECONDS = Number(process.env['BENCH_CLUSTER_HTTP_SECONDS'] ?? 4);
const HTTP_CONNECTIONS = 50;
const HTTP_ROUNDS = 5;
const DEPLOYS = 5;
const DRAIN_TIMEOUT_MS = 180_000;

const queueApp = `
import { queue } from 'nimbus-functions';
export const work = queue({ queue: 'bench', batchSize: 1, maxConcurrency: ${CONCURRENCY}, concurrency: ${CONCURRENCY} }, async () => {});
`;

export const clusterSection: BenchSection = {
  name: 'cluster',
  title: 'Cluster mode on PostgreSQL: queue msgs/s with 1 and 3 nodes vs pg-boss, warm HTTP on PostgreSQL vs SQLite, deploy → served everywhere',
  run: benchCluster,
};

async function benchCluster(): Promise<SectionResult> {
  const postgres = await startPostgres({ settings: { fsync: 'on', full_page_writes: 'on', synchronous_commit: 'on' } });
  process.env['NIMBUS_TEST_POSTGRES_URL'] = postgres.url();
  try {
    const rows: BenchRow[] = [];
    const boss = await pgBossThroughput(postgres.url(), { messages: MESSAGES, concurrency: CONCURRENCY, batchSize: 1, sendBatch: SEND_BATCH, senders: SENDERS });
    for (const nodes of [1, 3]) {
      const nimbus = await nimbusQueueThroughput(nodes);
      rows.push({
        measure: `queue end to end, batch 1, ${nodes} node${nodes > 1 ? 's' : ''}`,
        'pg-boss (same PostgreSQL)': `${Math.round(boss.endToEndPerSecond)} msgs/s`,
        nimbus: `${Math.round(nimbus)} msgs/s`,
        ratio: `${round(nimbus / boss.endToEndPerSecond, 2)}× pg-boss`,
      });
    }
    const http = await warmHttpByStore();
    rows.push({ measure: 'warm HTTP, one node (median)', 'pg-boss (same PostgreSQL)': '—', nimbus: `${http.postgres} req/s on PostgreSQL, ${http.sqlite} on SQLite`, ratio: `${round(http.ratio, 2)}× SQLite (median of per-round ratios)` });
    rows.push({ measure: 'warm HTTP, node CPU per request (median)', 'pg-boss (same PostgreSQL)': '—', nimbus: `${round(http.nodeCpuUs.postgres, 1)} µs on PostgreSQL, ${round(http.nodeCpuUs.sqlite, 1)} µs on SQLite`, ratio: `${round(http.nodeCpuUs.postgres / http.nodeCpuUs.sqlite, 2)}× SQLite` });
    const deploy = await deployEverywhere();
    rows.push({ measure: 'deploy → served by all 3 nodes', 'pg-boss (same PostgreSQL)': '—', nimbus: `p50 ${round(deploy.p50, 0)} ms, max ${round(deploy.max, 0)} ms`, ratio: 'target ≤ 1000 ms' });
    return {
      rows,
      notes: [
        `One PostgreSQL ${'15'} server started by the bench on this machine with fsync on; nodes are real \`nimbus start\` processes (basic isolation) sharing it and an s3rver (npm) for bundles; pg-boss uses the same server.`,
        `Queues: ${MESSAGES} messages sent over HTTP (${SENDERS} senders × ${SEND_BATCH} per call, round-robin over the nodes), handled one per invocation (batchSize 1) by an empty handler, ${CONCURRENCY} at once cluster-wide (maxConcurrency); from the first send until the queue is empty. pg-boss: its own fetch/complete in ${CONCURRENCY} tight loops (its workers would wait ≥ 0.5 s between polls), batch 1, jobs inserted ${SEND_BATCH} at a time by ${SENDERS} senders.`,
        `Warm HTTP: the PostgreSQL server itself (metering batches, heartbeats, WAL) used ${round(http.postgresCpuShare * 100, 1)} % of this machine's cores during the PostgreSQL rounds: here it shares them with the node, in a cluster it runs elsewhere.`,
        `Warm HTTP: ${HTTP_CONNECTIONS} connections for ${HTTP_SECONDS} s against one in-process node per store, ${HTTP_ROUNDS} rounds alternating which store goes first; the median of each (metering on: its batches go to the store of the row). The warm path makes no database round trip on either. PostgreSQL ÷ SQLite round by round: ${http.ratios.map((r) => round(r, 2)).join(', ')}.`,
        `Deploy: a new version (already bundled) uploaded to node 1; the time from the upload until all three answer with it, polled every 5 ms (${DEPLOYS} deploys).`,
        'Targets (issue 13): queues ≥ 1.5× pg-boss; HTTP on PostgreSQL within 5 % of SQLite.',
      ],
    };
  } finally {
    delete process.env['NIMBUS_TEST_POSTGRES_URL'];
    await postgres.remove();
  }
}

async function withCluster<T>(nodes: number, work: (cluster: TestCluster, targets: AdminTarget[]) => Promise<T>): Promise<T> {
  const database = await freshPostgresDatabase();
  // Bundles are shared through the object store: every node must find what another deployed.
  const s3 = await startS3Server();
  const cluster = await startCluster({
    nodes, store: database.url, blobs: blobsUrl(s3, 'bench'),
    env: { NIMBUS_LOG_LEVEL: 'error', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
  });
  try {
    return await work(cluster, cluster.urls().map((url) => ({ url, adminKey: cluster.adminKey })));
  } finally {
    await cluster.close();
    await database.drop();
    await s3.remove();
  }
}

async function nimbusQueueThroughput(nodes: number): Promise<number> {
  return withCluster(nodes, async (_cluster, targets) => {
    await deployThrough(targets[0]!, 'bench', queueApp);
    await sleep(500);
    const started = performance.now();
    let next = 0;
    let round = 0;
    await Promise.all(Array.from({ length: SENDERS }, async () => {
      while (next < MESSAGES) {
        const from = next;
        next += SEND_BATCH;
        const target = targets[round++ % targets.length]!;
        const messages = [];
        for (let n = from; n < Math.min(from + SEND_BATCH, MESSAGES); n++) messages.push({ body: { n } });
        const answer = await admin(target, 'POST', '/queues/bench/messages', { messages });
        if (answer.status !== 201) throw new Error(`send answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      }
    }));
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    for (;;) {
      const { body } = await admin(targets[0]!, 'GET', '/queues');
      const stats = (body.queues as { name: string; depth: number; inFlight: number; delayed: number }[]).find((q) => q.name === 'bench');
      if (stats && stats.depth + stats.inFlight + stats.delayed === 0) break;
      if (Date.now() > deadline) throw new Error(`the queue did not drain in time: ${JSON.stringify(stats)}`);
      await sleep(10);
    }
    return MESSAGES / ((performance.now() - started) / 1000);
  });
}

interface WarmHttpByStore {
  sqlite: number;
  postgres: number;
  ratio: number;
  /** PostgreSQL ÷ SQLite in each round, in the order they ran: their spread is the machine's noise. */
  ratios: number[];
  postgresCpuShare: number;
  /** Median CPU µs per request of the node process (gateway, dispatcher, store client) on each store. */
  nodeCpuUs: { sqlite: number; postgres: number };
}

export async function warmHttpByStore(): Promise<WarmHttpByStore> {
  const client = await LoadClient.start();
  const runs = { sqlite: [] as number[], postgres: [] as number[] };
  const nodeCpuUs = { sqlite: [] as number[], postgres: [] as number[] };
  let postgresCpuMs = 0;
  let postgresSeconds = 0;
  try {
    for (let roundNo = 0; roundNo < HTTP_ROUNDS; roundNo++) {
      // Alternating which goes first, so drift in the machine's load falls on both alike.
      for (const kind of roundNo % 2 === 0 ? (['sqlite', 'postgres'] as const) : (['postgres', 'sqlite'] as const)) {
        const database = kind === 'postgres' ? await freshPostgresDatabase() : undefined;
        const node = await startBenchNode({ isolation: 'basic', ...(database ? { store: database.url } : {}) });
        try {
          await node.deploy('hello', helloAppSource([{ name: 'hi', settings: {} }]));
          const url = `${node.url}${helloPath('hi')}`;
          await client.load(url, HTTP_CONNECTIONS, 1);
          const cpuBefore = commandCpuMs('postgres');
          const nodeCpuBefore = ownCpuMs();
          const load = await client.load(url, HTTP_CONNECTIONS, HTTP_SECONDS);
          runs[kind].push(load.requestsPerSec);
          nodeCpuUs[kind].push(((ownCpuMs() - nodeCpuBefore) * 1000) / load.completed);
          if (kind === 'postgres') {
            postgresCpuMs += commandCpuMs('postgres') - cpuBefore;
            postgresSeconds += HTTP_SECONDS;
          }
        } finally {
          await node.dispose();
          await database?.drop();
        }
      }
    }
  } finally {
    await client.close();
  }
  // Each round's pair ran back to back: the median of the per-round ratios cancels drift in the machine's load.
  const ratios = runs.postgres.map((pg, i) => pg / runs.sqlite[i]!);
  return {
    sqlite: Math.round(median(runs.sqlite)), postgres: Math.round(median(runs.postgres)), ratio: median(ratios), ratios,
    postgresCpuShare: postgresCpuMs / (postgresSeconds * 1000 * availableParallelism()),
    nodeCpuUs: { sqlite: median(nodeCpuUs.sqlite), postgres: median(nodeCpuUs.postgres) },
  };
}

async function deployEverywhere(): Promise<{ p50: number; max: number }> {
  return withCluster(3, async (_cluster, targets) => {
    const source = (n: number) => `
import { http } from 'nimbus-functions';
export const v = http({ route: 'GET /v' }, () => '${n}');
`;
    await deployThrough(targets[0]!, 'which', source(0));
    const times: number[] = [];
    const scratch = makeTempDir('nimbus-bench-deploy-');
    for (let n = 1; n <= DEPLOYS; n++) {
      // Bundled first: what is timed is the node's part, from the upload to every node serving it.
      const { bundle, sourceMap } = await bundleFiles(join(scratch.dir, String(n)), { 'index.ts': source(n) });
      const started = performance.now();
      const answer = await admin(targets[0]!, 'POST', '/apps/which/versions', { bundle, sourceMap });
      if (answer.status !== 201) throw new Error(`deploy answered ${answer.status}`);
      const pending = new Set(targets.map((t) => t.url));
      while (pending.size > 0) {
        for (const url of [...pending]) {
          const res = await fetch(`${url}/v`);
          if (res.status === 200 && (await res.text()) === String(n)) pending.delete(url);
        }
        if (pending.size > 0) await sleep(5);
        if (performance.now() - started > 30_000) throw new Error('a deploy did not reach every node within 30 s');
      }
      times.push(performance.now() - started);
    }
    scratch.remove();
    return { p50: quantile(times, 0.5), max: Math.max(...times) };
  });
}
