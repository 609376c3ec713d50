/**
 * Data folders for the scale bench, made before anything is measured: the
 * empty one holds only the probe app; the loaded one also holds many apps
 * of HTTP and timer functions (deployed through the admin API, as users
 * deploy) and a backlog of queue messages no one consumes.
 */
import { join } from 'node:path';
import { startNode } from '../../src/server/node.js';
import { admin } from '../../test/helpers/admin-client.js';
import { bundleFiles } from '../../test/helpers/bundle.js';

export const PROBE_APP = 'probe';
export const PROBE_PATH = '/probe/hello/bench';
export const PROBE_QUEUE = 'probe-work';
export const BACKLOG_QUEUE = 'backlog';

export interface LoadShape {
  apps: number;
  /** HTTP functions per app, half with a literal route, half with a parameter. */
  httpPerApp: number;
  /** Timer functions per app, each on its own time of day, none due during the bench. */
  timersPerApp: number;
  /** Messages left waiting in a queue no function consumes. */
  backlog: number;
}

const SEND_BATCH = 1_000;
const SENDERS = 4;

const PROBE_SOURCE = `
import { http, queue } from 'nimbus-functions';
export const hello = http({ route: 'GET /probe/hello/:name' }, (_req, ctx) => Response.json({ hello: ctx.params['name'] }));
export const work = queue({ queue: '${PROBE_QUEUE}', batchSize: 100, maxBatchWaitMs: 20, maxConcurrency: 8, concurrency: 8, maxInstances: 1 }, async () => {});
`;

/** One app of the load: routes under `/a<n>/`, timers once a month two weeks from now. */
export function fillerAppSource(index: number, shape: LoadShape): string {
  const dayOfMonth = ((new Date().getUTCDate() + 14) % 28) + 1;
  const lines = [`import { http, timer } from 'nimbus-functions';`, `const answer = (_req: Request, ctx: { params: Record<string, string> }) => Response.json({ app: ${index}, id: ctx.params['id'] ?? null });`];
  for (let f = 0; f < shape.httpPerApp; f++) {
    const route = f % 2 === 0 ? `GET /a${index}/f${f}` : `GET /a${index}/f${f}/:id`;
    lines.push(`export const h${f} = http({ route: '${route}' }, answer);`);
  }
  for (let t = 0; t < shape.timersPerApp; t++) {
    const n = index * shape.timersPerApp + t;
    lines.push(`export const t${t} = timer({ cron: '${n % 60} ${Math.floor(n / 60) % 24} ${dayOfMonth} * *' }, async () => {});`);
  }
  return lines.join('\n');
}

/** A path one of the loaded apps serves (the last app's parameter route), to check it is served. */
export function fillerPath(shape: LoadShape): string | null {
  return shape.apps > 0 && shape.httpPerApp > 1 ? `/a${shape.apps - 1}/f1/x` : null;
}

/** Deploys the probe app (and the load, if any) into `dataDir` with a node in this process, then stops it. */
export async function prepareDataFolder(dataDir: string, scratch: string, adminKey: string, shape: LoadShape | null): Promise<{ deployMs: number; backlogMs: number }> {
  const node = await startNode({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', adminKey, drainTimeoutMs: 2_000 });
  try {
    const deploy = async (app: string, source: string): Promise<void> => {
      const { bundle, sourceMap } = await bundleFiles(join(scratch, 'apps', app), { 'index.ts': source });
      const answer = await admin(node, 'POST', `/apps/${app}/versions`, { bundle, sourceMap });
      if (answer.status !== 201) throw new Error(`deploying ${app} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    };
    await deploy(PROBE_APP, PROBE_SOURCE);
    if (!shape) return { deployMs: 0, backlogMs: 0 };
    const deployStart = performance.now();
    for (let i = 0; i < shape.apps; i++) await deploy(`a${i}`, fillerAppSource(i, shape));
    const deployMs = performance.now() - deployStart;
    const backlogStart = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: SENDERS }, async () => {
      while (next < shape.backlog) {
        const count = Math.min(SEND_BATCH, shape.backlog - next);
        next += count;
        const messages = Array.from({ length: count }, (_, i) => ({ body: { n: i } }));
        const answer = await admin(node, 'POST', `/queues/${BACKLOG_QUEUE}/messages`, { messages });
        if (answer.status >= 300) throw new Error(`sending the backlog answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      }
    }));
    return { deployMs, backlogMs: performance.now() - backlogStart };
  } finally {
    await node.close();
  }
}
