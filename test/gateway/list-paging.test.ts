import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

const timerApp = (n: number) => `
import { timer } from 'nimbus-functions';
${Array.from({ length: n }, (_, i) => `export const t${i} = timer({ cron: '0 0 1 1 *' }, () => {});`).join('\n')}
`;

/** Every item of a list, read `limit` at a time by following nextCursor. */
async function pageThrough(node: TestNode, path: string, field: string, limit: number): Promise<{ items: unknown[]; pages: number }> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const answer = await admin(node, 'GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.body)}`);
    const page = answer.body[field] as unknown[];
    assert.ok(page.length <= limit);
    items.push(...page);
    cursor = answer.body.nextCursor;
    pages++;
    assert.ok(pages < 50, 'paging ends');
  } while (cursor !== null);
  return { items, pages };
}

describe('lists page with limit and cursor, in the order they always had', () => {
  let node: TestNode;

  before(async () => {
    node = await startTestNode();
    for (const app of ['delta', 'alpha', 'charlie', 'bravo', 'echo']) {
      assert.equal((await node.deploy(app, { 'index.ts': timerApp(1) })).status, 201);
    }
    // echo gets versions 2..4, with 3 timers in the last.
    for (const n of [2, 2, 3]) assert.equal((await node.deploy('echo', { 'index.ts': `${timerApp(n)}\n// ${Math.random()}` })).status, 201);
    for (const name of ['E_KEY', 'A_KEY', 'D_KEY', 'B_KEY', 'C_KEY']) assert.equal((await admin(node, 'PUT', `/apps/alpha/secrets/${name}`, { value: 'v' })).status, 200);
    for (const label of ['k1', 'k2', 'k3', 'k4', 'k5']) assert.equal((await admin(node, 'POST', '/keys', { scope: { kind: 'read' }, label })).status, 201);
    for (const budget of ['b-e', 'b-a', 'b-d', 'b-b', 'b-c']) assert.equal((await admin(node, 'PUT', `/budgets/${budget}`, { concurrency: 1 })).status, 201);
    for (const queue of ['q-e', 'q-a', 'q-d', 'q-b', 'q-c']) assert.equal((await admin(node, 'POST', `/queues/${queue}/messages`, { body: 1 })).status, 201);
  });
  after(() => node.dispose());

  const lists: [string, string, (item: any) => unknown][] = [
    ['/apps', 'apps', (a) => a.name],
    ['/apps/echo/versions', 'versions', (v) => v.version],
    ['/apps/echo/versions?order=newest', 'versions', (v) => v.version],
    ['/keys', 'keys', (k) => k.id],
    ['/queues', 'queues', (q) => q.name],
    ['/timers', 'timers', (t) => `${t.app}/${t.functionName}`],
    ['/apps/alpha/secrets', 'secrets', (s) => s.name],
    ['/budgets', 'budgets', (b) => b.name],
  ];

  for (const [path, field, idOf] of lists) {
    test(`${path}: pages of 2 add up to the whole list, in its order; no limit is the whole list`, async () => {
      const whole = await admin(node, 'GET', path);
      assert.equal(whole.status, 200);
      assert.equal(whole.body.nextCursor, null, 'no limit: everything, no next page');
      const all = (whole.body[field] as unknown[]).map(idOf);
      assert.ok(all.length >= 4, `${path} has enough to page: ${JSON.stringify(all)}`);
      const paged = await pageThrough(node, path, field, 2);
      assert.deepEqual(paged.items.map(idOf), all);
      assert.equal(paged.pages, Math.ceil(all.length / 2));
      const exact = await admin(node, 'GET', `${path}${path.includes('?') ? '&' : '?'}limit=${all.length}`);
      assert.equal(exact.body.nextCursor, null, 'a page that reaches the end says so');
    });
  }

  test('orders: names ascending, versions oldest first (newest first on request), keys newest first', async () => {
    const ids = async (path: string, field: string, idOf: (item: any) => unknown) => ((await admin(node, 'GET', path)).body[field] as unknown[]).map(idOf);
    assert.deepEqual(await ids('/apps', 'apps', (a) => a.name), ['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    assert.deepEqual(await ids('/apps/echo/versions', 'versions', (v) => v.version), [1, 2, 3, 4]);
    assert.deepEqual(await ids('/apps/echo/versions?order=newest', 'versions', (v) => v.version), [4, 3, 2, 1]);
    assert.deepEqual(await ids('/apps/alpha/secrets', 'secrets', (s) => s.name), ['A_KEY', 'B_KEY', 'C_KEY', 'D_KEY', 'E_KEY']);
    assert.deepEqual(await ids('/budgets', 'budgets', (b) => b.name), ['b-a', 'b-b', 'b-c', 'b-d', 'b-e']);
    const keys = (await admin(node, 'GET', '/keys')).body.keys as { createdAt: number; label: string }[];
    assert.ok(keys.every((k, i) => i === 0 || k.createdAt <= keys[i - 1]!.createdAt), 'newest first');
  });

  test('a cursor stays good when the item it points at is gone, and new items land in their place', async () => {
    const first = await admin(node, 'GET', '/apps/alpha/secrets?limit=2');
    assert.deepEqual(first.body.secrets.map((s: { name: string }) => s.name), ['A_KEY', 'B_KEY']);
    assert.equal((await admin(node, 'DELETE', '/apps/alpha/secrets/B_KEY')).status, 204);
    assert.equal((await admin(node, 'PUT', '/apps/alpha/secrets/AA_KEY', { value: 'v' })).status, 200);
    assert.equal((await admin(node, 'PUT', '/apps/alpha/secrets/B_LATE', { value: 'v' })).status, 200);
    const next = await admin(node, 'GET', `/apps/alpha/secrets?limit=2&cursor=${first.body.nextCursor}`);
    assert.deepEqual(next.body.secrets.map((s: { name: string }) => s.name), ['B_LATE', 'C_KEY']);
  });

  test('a bad limit or cursor is a 400 naming the field', async () => {
    const otherList = (await admin(node, 'GET', '/apps/echo/versions?limit=1')).body.nextCursor as string;
    const cases: [string, string][] = [
      ['/apps?limit=0', 'limit'], ['/apps?limit=1001', 'limit'], ['/apps?limit=two', 'limit'], ['/keys?limit=-1', 'limit'],
      ['/queues?cursor=nonsense', 'cursor'], ['/timers?limit=5&cursor=%7B%7D', 'cursor'], ['/apps/alpha/secrets?cursor=WzFd', 'cursor'], ['/budgets?limit=0', 'limit'],
      [`/apps?cursor=${otherList}`, 'cursor'], ['/apps/echo/versions?order=sideways', 'order'],
    ];
    for (const [path, field] of cases) {
      const answer = await admin(node, 'GET', path);
      assert.equal(answer.status, 400, `${path}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual([answer.body.error.code, answer.body.error.field], ['NIMBUS_ERR_QUERY_INVALID', field], path);
    }
  });
});
