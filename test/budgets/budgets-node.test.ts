import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { budget, MemoryBudgetStore } from './memory-budget-store.js';
import { SlowDownstream } from './slow-downstream.js';

/** The jobs queue's lease: one batch (a 300 ms downstream call and a blob put) took up to 2 s on a 2-core machine at load 9. */
const JOBS_LEASE_MS = 8_000;

/** Functions on three triggers sharing budget `db`, and probes for 429s, fairness and sections. */
function app(downstream: string): string {
  return `
import { blob, http, queue } from 'nimbus-functions';

async function call(who, ms) {
  const res = await fetch('${downstream}/?who=' + who + (ms ? '&ms=' + ms : ''));
  if (res.status !== 200) throw new Error('downstream answered ' + res.status);
  return res.json();
}

export const web = http({ route: 'POST /web', uses: ['db'], queueTimeoutMs: 30000, concurrency: 4 }, async () => call('web'));

// One instance, started at deploy, takes every batch the budget lets through: no instance starts while a lease runs.
export const jobs = queue({
  queue: 'jobs', uses: ['db'], batchSize: 1, maxConcurrency: 8, maxAttempts: 1, visibilityTimeoutMs: ${JOBS_LEASE_MS}, minInstances: 1, concurrency: 4,
}, async (batch, ctx) => {
  await call('jobs', 300);
  for (const m of batch.messages) await ctx.blobs.put('jobs-done', String(m.body.n), String(m.attempt));
});

export const uploads = blob({ bucket: 'uploads', uses: ['db'], maxAttempts: 1 }, async (event, ctx) => {
  await call('blob');
  await ctx.blobs.put('blobs-done', event.key, 'ok');
});

// Holds its permit until the test lets the downstream answer it (downstream.hold('hog')).
export const hog = http({ route: 'POST /hog', uses: ['db'], concurrency: 4 }, async () => call('hog'));

export const tight = http({ route: 'POST /tight', uses: ['tight'], queueTimeoutMs: 200 }, async () => call('tight', 2000));

export const hot = http({ route: 'POST /hot', uses: ['fair'], concurrency: 16 }, async () => call('hot', 60));
export const cold = http({ route: 'POST /cold', uses: ['fair'], concurrency: 16 }, async () => call('cold', 60));

export const section = http({ route: 'POST /section', concurrency: 16 }, async (req, ctx) => {
  const body = await req.json();
  if (body.budget === 'none') {
    try { await ctx.budgets.run('no-such-budget', () => 1); } catch (err) { return { code: err.code, message: err.message }; }
  }
  if (body.crash) return ctx.budgets.run('sect', () => process.exit(3));
  const before = await ctx.budgets.run('sect', () => call('section'));
  return before;
});

export const adaptive = http({ route: 'POST /adaptive', uses: ['api'], concurrency: 16, queueTimeoutMs: 30000 }, async () => call('adaptive'));
`;
}

describe('downstream budgets on a real node', () => {
  const downstream = new SlowDownstream({ latencyMs: 40, breakingPoint: 3, overloadLatencyMs: 100 });
  const store = new MemoryBudgetStore();
  let node: TestNode;

  before(async () => {
    const url = await downstream.start();
    await store.put(budget('db', 3));
    await store.put(budget('tight', 1));
    await store.put(budget('fair', 1));
    await store.put(budget('sect', 2));
    await store.put(budget('api', 12, { adaptive: { min: 1, max: 12 } }));
    node = await startTestNode({ budgetStore: store, warmPool: { sizePerShape: 2, initialShapes: [128] } });
    const deployed = await node.deploy('shop', { 'index.ts': app(url) });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
  });
  after(async () => {
    await node?.dispose();
    await downstream.close();
  });

  const post = (path: string, body: unknown = {}): Promise<Response> =>
    fetch(`${node.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('http, queue and blob functions sharing a budget of 3 never put more than 3 on the downstream; held messages keep attempt 1 and none is dead-lettered', async () => {
    downstream.breakingPoint = Number.POSITIVE_INFINITY;
    downstream.reset();
    // The hogs take the whole budget and keep it until the test lets them go: past the jobs' lease, so a message
    // leased before its permit came would run out its lease (and, with maxAttempts 1, be dead-lettered).
    const letHogsGo = downstream.hold('hog');
    let hogs: Promise<Response>[];
    let uploads: Promise<Response>[];
    let calls: Promise<Response>[];
    try {
      hogs = Array.from({ length: 3 }, () => post('/hog'));
      await eventually(() => node.budgets.states().find((b) => b.name === 'db')!.inUse === 3, 10_000, 'the hogs holding the budget');
      const sent = await admin(node, 'POST', '/queues/jobs/messages', { messages: Array.from({ length: 4 }, (_, n) => ({ body: { n } })) });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      await eventually(() => node.budgets.states().find((b) => b.name === 'db')!.waiting >= 1, 10_000, 'the jobs consumer waiting for the budget');
      const jobsQueue = async (): Promise<{ depth: number; inFlight: number; deadLettered: number }> => {
        const q = (await admin(node, 'GET', '/queues')).body.queues.find((q: { name: string }) => q.name === 'jobs');
        return { depth: q?.depth ?? 0, inFlight: q?.inFlight ?? 0, deadLettered: q?.deadLettered ?? 0 };
      };
      // The listing may lag a moment (when counting is slow its answer is reused for a while): wait until it counts the 4 sent.
      let held = { depth: 0, inFlight: 0, deadLettered: 0 };
      await eventually(async () => {
        held = await jobsQueue();
        return held.depth + held.inFlight + held.deadLettered === 4;
      }, 10_000, 'the queue listing to count the 4 messages');
      assert.deepEqual(held, { depth: 4, inFlight: 0, deadLettered: 0 }, 'no message is leased while the budget holds it back');
      uploads = Array.from({ length: 6 }, (_, i) => fetch(`${node.url}/_nimbus/api/v1/blobs/uploads/f${i}`, {
        method: 'PUT', headers: { authorization: `Bearer ${node.adminKey}` }, body: `file ${i}`,
      }));
      calls = Array.from({ length: 12 }, () => post('/web'));
      // At least a lease's time with the budget held (longer on a slow machine, which only makes this stricter).
      await new Promise((resolve) => setTimeout(resolve, JOBS_LEASE_MS + 1_000));
      assert.deepEqual(await jobsQueue(), { depth: 4, inFlight: 0, deadLettered: 0 }, 'still no message leased after a lease\'s time held back');
    } finally {
      letHogsGo();
    }
    const statuses = await Promise.all([...hogs, ...calls].map(async (c) => (await c).status));
    assert.deepEqual(statuses, new Array(15).fill(200));
    for (const u of await Promise.all(uploads)) assert.equal(u.status, 201);
    const keys = async (bucket: string): Promise<{ key: string }[]> => {
      const res = await admin(node, 'GET', `/blobs/${bucket}?limit=100`);
      return res.status === 200 ? res.body.objects : [];
    };
    await eventually(async () => (await keys('jobs-done')).length === 4 && (await keys('blobs-done')).length === 6, 60_000, 'every message and blob event handled');
    assert.ok(downstream.maxInFlight <= 3, `the downstream saw ${downstream.maxInFlight} at once`);
    assert.equal(downstream.maxInFlight, 3, 'the budget was used to its limit');
    // Held before they were leased: each ran once, on its first attempt.
    for (const { key } of await keys('jobs-done')) {
      const attempt = await fetch(`${node.url}/_nimbus/api/v1/blobs/jobs-done/${key}`, { headers: { authorization: `Bearer ${node.adminKey}` } });
      assert.equal(await attempt.text(), '1', `message ${key} was tried more than once`);
    }
    const queues = await admin(node, 'GET', '/queues');
    const dlq = queues.body.queues.find((q: { name: string }) => q.name === 'jobs.dlq');
    assert.equal(dlq?.depth ?? 0, 0, 'nothing was dead-lettered');
    const state = node.budgets.states().find((b) => b.name === 'db')!;
    assert.deepEqual({ inUse: state.inUse, waiting: state.waiting, limit: state.limit }, { inUse: 0, waiting: 0, limit: 3 });
  });

  test('an HTTP call past its queueTimeoutMs gets 429 with Retry-After and NIMBUS_ERR_BUDGET_EXHAUSTED naming the budget', async () => {
    const first = post('/tight');
    await eventually(() => node.budgets.states().find((b) => b.name === 'tight')!.inUse === 1, 10_000, 'the first call holding the budget');
    const second = await post('/tight');
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('retry-after'), '1');
    const body = await second.json() as { error: { code: string; message: string; budget: string } };
    assert.equal(body.error.code, 'NIMBUS_ERR_BUDGET_EXHAUSTED');
    assert.equal(body.error.budget, 'tight');
    assert.match(body.error.message, /budget "tight"/);
    assert.equal((await first).status, 200);
    let throttled: { budgetWaitMs: number; billedMs: number } | undefined;
    await eventually(async () => {
      const records = await admin(node, 'GET', '/invocation-records?app=shop&fn=tight&outcome=throttled');
      throttled = records.body.records?.[0];
      return throttled !== undefined;
    }, 15_000, 'the refused call in the invocation records');
    assert.ok(throttled);
    // It waited out its queueTimeoutMs (200 ms); a timer may fire a millisecond before the clock says 200 have passed.
    assert.ok(throttled.budgetWaitMs >= 190, `budgetWaitMs ${throttled.budgetWaitMs}`);
    assert.equal(throttled.billedMs, 0);
  });

  test('waiters of two functions are served in turns: a burst of one does not starve the other', async () => {
    downstream.reset();
    const hot = Array.from({ length: 10 }, () => post('/hot'));
    await eventually(() => node.budgets.states().find((b) => b.name === 'fair')!.waiting >= 9, 10_000, 'the hot burst waiting');
    const cold = [post('/cold'), post('/cold')];
    for (const r of await Promise.all([...hot, ...cold])) assert.equal(r.status, 200);
    const order = downstream.arrivals.filter((w) => w === 'hot' || w === 'cold');
    assert.equal(order.length, 12);
    const lastCold = order.lastIndexOf('cold');
    assert.ok(lastCold <= 5, `cold's second call reached the downstream ${lastCold + 1}th of 12: ${order.join(' ')}`);
  });

  test('ctx.budgets.run limits the section; unknown budgets throw in the function; a crashed holder leaks no permit', async () => {
    downstream.breakingPoint = Number.POSITIVE_INFINITY;
    downstream.reset();
    const calls = await Promise.all(Array.from({ length: 8 }, () => post('/section')));
    for (const c of calls) assert.equal(c.status, 200);
    assert.equal(downstream.arrivals.filter((w) => w === 'section').length, 8);
    assert.ok(downstream.maxInFlight <= 2, `the section ran ${downstream.maxInFlight} at once`);
    const unknown = await (await post('/section', { budget: 'none' })).json() as { code: string; message: string };
    assert.equal(unknown.code, 'NIMBUS_ERR_BUDGET_NOT_FOUND');
    assert.match(unknown.message, /no-such-budget/);
    const crashes = await Promise.all([post('/section', { crash: true }), post('/section', { crash: true })]);
    for (const c of crashes) assert.equal(c.status, 502);
    await eventually(() => node.budgets.states().find((b) => b.name === 'sect')!.inUse === 0, 10_000, 'the crashed sections released');
    const afterCrash = await post('/section');
    assert.equal(afterCrash.status, 200);
  });

  test('the adaptive limit falls when the downstream degrades and rises again when it recovers', async () => {
    const limit = (): number => node.budgets.states().find((b) => b.name === 'api')!.limit;
    assert.equal(limit(), 12);
    downstream.breakingPoint = 3;
    let lowest = limit();
    let stop = false;
    const load = async (): Promise<void> => {
      while (!stop) {
        await (await post('/adaptive')).arrayBuffer();
        lowest = Math.min(lowest, limit());
      }
    };
    const clients = Array.from({ length: 12 }, load);
    try {
      await eventually(() => lowest <= 4, 60_000, 'the adaptive limit to fall to the downstream\'s breaking point');
      downstream.breakingPoint = Number.POSITIVE_INFINITY;
      await eventually(() => limit() >= 10, 60_000, 'the adaptive limit to grow back');
    } finally {
      stop = true;
      await Promise.all(clients);
    }
  });

  test('/metrics shows each budget: in use, waiting, limit, throttled and wait time', async () => {
    const res = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${node.adminKey}` } });
    const text = await res.text();
    assert.match(text, /nimbus_budget_limit\{budget="db"\} 3/);
    assert.match(text, /nimbus_budget_in_use\{budget="db"\} 0/);
    assert.match(text, /nimbus_budget_waiting\{budget="fair"\} 0/);
    assert.match(text, /nimbus_budget_throttled_total\{budget="tight"\} [1-9]/);
    assert.match(text, /nimbus_budget_wait_seconds_count\{budget="fair"\} [1-9]/);
  });
});
