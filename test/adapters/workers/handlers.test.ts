import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BaseContext, HttpContext } from '../../../src/sdk/context.js';
import { fetchHandler, scheduledHandler, workerOf } from '../../../src/sdk/adapters/workers/index.js';

/** Only what the handlers under test touch; the platform clients are never called here. */
function context(waited: Promise<unknown>[] = []): HttpContext {
  return {
    invocationId: 'inv-1', app: 'shop', functionName: 'fetch', version: 1, signal: new AbortController().signal, deadline: Date.now() + 1000,
    env: { SECRET: 's' }, log: console, params: {},
    queues: { send: async () => assert.fail('no sends'), sendBatch: async () => assert.fail('no sends') },
    blobs: {} as BaseContext['blobs'],
    waitUntil: (p) => waited.push(p),
    budgets: { run: async (_budget, fn) => fn() },
  };
}

const tick = { scheduledAt: '2026-12-06T03:00:00.000Z', firedAt: '2026-12-06T03:00:00.010Z', isPastDue: false, missed: 0, lastRun: null };

test('a modules Worker needs an object default export; a service-worker script or a class is refused with the reason', () => {
  assert.throws(() => workerOf({}, 'src/sw.js'), /src\/sw\.js has no default export: .*service-worker scripts \(addEventListener\('fetch'\)\) are not supported/);
  assert.throws(() => workerOf({ default: class {} }, 'src/index.js'), /default-exports a class or function/);
  assert.throws(() => fetchHandler(workerOf({ default: {} }, 'm.js'), 'm.js', {}), /m\.js's default export has no fetch\(\) handler/);
});

test('fetch is called as a method with env (function env, then vars) and an ExecutionContext whose waitUntil is Nimbus\'s', async () => {
  const waited: Promise<unknown>[] = [];
  const worker = {
    prefix: 'seen',
    async fetch(this: { prefix: string }, request: Request, env: Record<string, unknown>, ctx: { waitUntil(p: Promise<unknown>): void }) {
      ctx.waitUntil(Promise.resolve('later'));
      return new Response(`${this.prefix} ${new URL(request.url).pathname} ${String(env['SECRET'])} ${String(env['GREETING'])}`);
    },
  };
  const handler = fetchHandler(workerOf({ default: worker }, 'm.js'), 'm.js', { vars: { GREETING: 'hi' } }, { functionPath: true });
  const response = await handler(new Request('http://node/fn/shop/fetch/a/b?c=1'), context(waited)) as Response;
  assert.equal(await response.text(), 'seen /a/b s hi');
  assert.equal(waited.length, 1);
});

test('fetch must resolve to a Response, as workerd requires', async () => {
  const handler = fetchHandler(workerOf({ default: { fetch: () => 'text' } }, 'm.js'), 'm.js', {});
  await assert.rejects(async () => handler(new Request('http://node/'), context()), /Incorrect type for Promise: the Promise did not resolve to 'Response'\./);
});

test('scheduled gets the cron as written; a failure is retried unless the run called noRetry()', async () => {
  const seen: unknown[] = [];
  const worker = {
    async scheduled(controller: { cron: string; scheduledTime: number; noRetry(): void }) {
      seen.push({ cron: controller.cron, scheduledTime: controller.scheduledTime });
      if (seen.length === 2) controller.noRetry();
      throw new Error('the job failed');
    },
  };
  const handler = scheduledHandler(workerOf({ default: worker }, 'm.js'), 'm.js', {}, '0 3 * * 1');
  await assert.rejects(async () => handler(tick, context()), /the job failed/);
  await handler(tick, context());
  assert.deepEqual(seen, [{ cron: '0 3 * * 1', scheduledTime: Date.parse(tick.scheduledAt) }, { cron: '0 3 * * 1', scheduledTime: Date.parse(tick.scheduledAt) }]);
});
