import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admin } from '../helpers/admin-client.js';
import { startTestNode } from '../helpers/test-node.js';

const APPS = 3;
const FUNCTIONS = 12;

/** App `s<a>`: literal and parameter routes under `/s<a>/`, a catch-all, and a timer; each answers who it is. */
function appSource(a: number): string {
  const lines = [`import { http, timer } from 'nimbus-functions';`];
  for (let f = 0; f < FUNCTIONS; f++) {
    const route = f % 2 === 0 ? `GET /s${a}/f${f}` : `GET /s${a}/f${f}/:id`;
    lines.push(`export const f${f} = http({ route: '${route}' }, (_req, ctx) => Response.json({ who: 's${a}/f${f}', params: ctx.params }));`);
  }
  lines.push(`export const rest = http({ route: 'GET /s${a}/*' }, (_req, ctx) => Response.json({ who: 's${a}/rest', params: ctx.params }));`);
  lines.push(`export const tick = timer({ cron: '0 0 1 1 *' }, async () => {});`);
  return lines.join('\n');
}

test('a node restarted on a folder holding many apps serves every route at once, and makes no pool before a function is used', async () => {
  const first = await startTestNode();
  try {
    for (let a = 0; a < APPS; a++) assert.equal((await first.deploy(`s${a}`, { 'index.ts': appSource(a) })).status, 201);
    await first.close();

    const again = await startTestNode({ dataDir: first.dataDir });
    try {
      const node = (await admin(again, 'GET', '/node')).body as { instances: unknown[] };
      assert.deepEqual(node.instances, [], 'no function pool exists before its first invocation');
      for (let a = 0; a < APPS; a++) {
        for (let f = 0; f < FUNCTIONS; f++) {
          const path = f % 2 === 0 ? `/s${a}/f${f}` : `/s${a}/f${f}/42`;
          const answer = await fetch(`${again.url}${path}`);
          assert.equal(answer.status, 200, path);
          assert.deepEqual(await answer.json(), { who: `s${a}/f${f}`, params: f % 2 === 0 ? {} : { id: '42' } }, path);
        }
        const rest = await fetch(`${again.url}/s${a}/f0/deeper/still`);
        assert.deepEqual(await rest.json(), { who: `s${a}/rest`, params: { '*': 'f0/deeper/still' } });
      }
      const timers = (await admin(again, 'GET', '/timers')).body as { timers: { app: string }[] };
      assert.equal(timers.timers.length, APPS, 'every timer is armed');
    } finally {
      await again.close();
    }
  } finally {
    await first.dispose();
  }
});
