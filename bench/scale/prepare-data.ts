/**
 * Data folders for the scale bench, made before anything is measured: the
 * empty one holds only the probe app; the loaded one also holds many apps
 * of HTTP and timer functions and a backlog of queue messages no one
 * consumes. The first load app is deployed through the admin API as users
 * deploy; the others are written through the store API as copies of it
 * with their own routes and schedules (the same bundle), which takes
 * seconds where a hundred deploys would take minutes. The node is then
 * started once on the folder, so the measured starts are not the first.
 */
import { join } from 'node:path';
import { startNode } from '../../src/server/node.js';
import { systemClock } from '../../src/shared/clock.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { FunctionManifest } from '../../src/store/store.js';
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

const BACKLOG_BATCH = 1_000;
const TEMPLATE_APP = 'a0';

const PROBE_SOURCE = `
import { http, queue } from 'nimbus-functions';
export const hello = http({ route: 'GET /probe/hello/:name' }, (_req, ctx) => Response.json({ hello: ctx.params['name'] }));
export const work = queue({ queue: '${PROBE_QUEUE}', batchSize: 100, maxBatchWaitMs: 20, maxConcurrency: 8, concurrency: 8, maxInstances: 1 }, async () => {});
`;

/** Once a month, two weeks from now: registered, never due during the bench. */
function timerCron(n: number): string {
  const dayOfMonth = ((new Date().getUTCDate() + 14) % 28) + 1;
  return `${n % 60} ${Math.floor(n / 60) % 24} ${dayOfMonth} * *`;
}

/** The template load app: routes under `/a0/`, each timer on its own time of day. */
export function templateAppSource(shape: LoadShape): string {
  const lines = [`import { http, timer } from 'nimbus-functions';`, `const answer = (_req: Request, ctx: { params: Record<string, string> }) => Response.json(ctx.params);`];
  for (let f = 0; f < shape.httpPerApp; f++) {
    const route = f % 2 === 0 ? `GET /${TEMPLATE_APP}/f${f}` : `GET /${TEMPLATE_APP}/f${f}/:id`;
    lines.push(`export const h${f} = http({ route: '${route}' }, answer);`);
  }
  for (let t = 0; t < shape.timersPerApp; t++) lines.push(`export const t${t} = timer({ cron: '${timerCron(t)}' }, async () => {});`);
  return lines.join('\n');
}

/** A path one of the loaded apps serves (the last app's parameter route), to check it is served. */
export function fillerPath(shape: LoadShape): string | null {
  return shape.apps > 0 && shape.httpPerApp > 1 ? `/a${shape.apps - 1}/f1/x` : null;
}

/** App `a<index>` as a copy of the template: its own routes and timer times. */
function copyOf(functions: FunctionManifest[], index: number, shape: LoadShape): FunctionManifest[] {
  return functions.map((f) => {
    if (f.kind === 'http') return { ...f, trigger: { ...f.trigger, route: (f.trigger['route'] as string).replace(`/${TEMPLATE_APP}/`, `/a${index}/`) } };
    if (f.kind === 'timer') return { ...f, trigger: { ...f.trigger, cron: timerCron(index * shape.timersPerApp + Number(f.name.slice(1))) } };
    return f;
  });
}

/** Makes the folder: the probe app, and the load if a shape is given. Resolves with how long each part took (ms). */
export async function prepareDataFolder(dataDir: string, scratch: string, adminKey: string, shape: LoadShape | null): Promise<{ deployMs: number; storeMs: number; firstStartMs: number }> {
  const started = performance.now();
  const node = await startNode({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', adminKey, drainTimeoutMs: 2_000 });
  try {
    const deploy = async (app: string, source: string): Promise<void> => {
      const { bundle, sourceMap } = await bundleFiles(join(scratch, 'apps', app), { 'index.ts': source });
      const answer = await admin(node, 'POST', `/apps/${app}/versions`, { bundle, sourceMap });
      if (answer.status !== 201) throw new Error(`deploying ${app} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    };
    await deploy(PROBE_APP, PROBE_SOURCE);
    if (shape && shape.apps > 0) await deploy(TEMPLATE_APP, templateAppSource(shape));
  } finally {
    await node.close();
  }
  const deployMs = performance.now() - started;
  if (!shape) return { deployMs, storeMs: 0, firstStartMs: 0 };

  const storeStart = performance.now();
  const store = openSqliteStore(dataDir, systemClock);
  try {
    const template = (await store.apps.listLive()).find((v) => v.app === TEMPLATE_APP);
    if (template) {
      for (let i = 1; i < shape.apps; i++) {
        await store.apps.createVersion(`a${i}`, {
          bundleHash: template.bundleHash, sourceMapHash: template.sourceMapHash, bundleSize: template.bundleSize, functions: copyOf(template.functions, i, shape),
        });
      }
    }
    for (let sent = 0; sent < shape.backlog; sent += BACKLOG_BATCH) {
      const count = Math.min(BACKLOG_BATCH, shape.backlog - sent);
      await store.queues.send(BACKLOG_QUEUE, Array.from({ length: count }, (_, i) => ({ body: { n: sent + i } })));
    }
  } finally {
    await store.close();
  }
  const storeMs = performance.now() - storeStart;

  // The first start on the folder registers every timer; the measured starts find them registered, as any restart does.
  const firstStart = performance.now();
  const again = await startNode({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', adminKey, drainTimeoutMs: 2_000 });
  // Timers are armed once the node listens, beside serving: the timer API answers only once they all are.
  const armed = await fetch(`${again.url}/_nimbus/api/v1/timers/probe/none/runs`, { headers: { authorization: `Bearer ${adminKey}` } });
  await armed.arrayBuffer();
  await again.close();
  return { deployMs, storeMs, firstStartMs: performance.now() - firstStart };
}
