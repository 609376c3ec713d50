import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { meteringRoutes } from '../../src/gateway/admin-routes/metering.js';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

const APP = `
import { http } from 'nimbus-functions';
export const hello = http({ route: 'GET /hello' }, () => ({ hello: true }));
export const broken = http({ route: 'GET /broken' }, () => { throw new Error('broken on purpose'); });
`;

interface Point { t: number; invocations: number; errors: number; coldStarts: number; p50Ms: number | null; p99Ms: number | null }
const sum = (points: Point[], field: 'invocations' | 'errors' | 'coldStarts') => points.reduce((n, p) => n + p[field], 0);

describe('GET /stats: per-minute charts from the roll-ups, and running instances', () => {
  let node: TestNode;

  before(async () => {
    node = await startTestNode();
    const deployed = await node.deploy('charts', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${node.url}/hello`)).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`${node.url}/broken`)).status, 500);
  });
  after(() => node.dispose());

  test('real invocations show up in the points: counts, errors, cold starts and percentiles', async () => {
    let body: { since: number; stepMs: number; points: Point[]; instances: { t: number; running: number }[] } | undefined;
    await eventually(async () => {
      body = (await admin(node, 'GET', '/stats?app=charts')).body;
      return sum(body!.points, 'invocations') === 7;
    }, 10_000, 'the invocations to be rolled up');
    const { since, stepMs, points, instances } = body!;
    assert.ok(meteringRoutes.stats.response.safeParse(body).success, 'the answer matches its documented schema');
    assert.equal(stepMs, 60_000);
    assert.ok(Date.now() - since >= 3_600_000 - 60_000 && Date.now() - since <= 3_600_000 + 60_000, 'an hour back by default');
    // One point a minute, oldest first, zero-filled: 61 or 62 of them depending on where in a minute the hour began.
    assert.ok(points.length >= 60 && points.length <= 62, `${points.length} points`);
    assert.ok(points.every((p, i) => p.t % 60_000 === 0 && (i === 0 || p.t - points[i - 1]!.t === 60_000)));
    assert.equal(sum(points, 'errors'), 2);
    assert.ok(sum(points, 'coldStarts') >= 1, 'the first invocation of each function started an instance');
    const busy = points.filter((p) => p.invocations > 0);
    assert.ok(busy.every((p) => p.p50Ms !== null && p.p99Ms !== null && p.p50Ms > 0 && p.p50Ms <= p.p99Ms), JSON.stringify(busy));
    assert.ok(points.filter((p) => p.invocations === 0).every((p) => p.p50Ms === null && p.p99Ms === null));

    assert.ok(instances.length >= 2, 'the sample taken at start, and the count now');
    assert.ok(instances.every((s, i) => i === 0 || s.t >= instances[i - 1]!.t), 'oldest first');
    assert.ok(instances.at(-1)!.running >= 1, 'the instances that served are still running');

    const broken = (await admin(node, 'GET', '/stats?app=charts&fn=broken&since=30m')).body as { points: Point[] };
    assert.deepEqual([sum(broken.points, 'invocations'), sum(broken.points, 'errors')], [2, 2]);
    assert.ok(broken.points.length >= 30 && broken.points.length <= 32);
  });

  test('bad input is a 400 naming the field; unknown names are 404', async () => {
    const cases: [string, string][] = [
      ['/stats?since=25h', 'since'], ['/stats?since=yesterday', 'since'], ['/stats?fn=hello', 'app'], ['/stats?app=Bad%20Name', 'app'],
    ];
    for (const [path, field] of cases) {
      const answer = await admin(node, 'GET', path);
      assert.equal(answer.status, 400, path);
      assert.equal(answer.body.error.code, 'NIMBUS_ERR_QUERY_INVALID', path);
      assert.equal(answer.body.error.field, field, `${path}: ${JSON.stringify(answer.body)}`);
    }
    assert.equal((await admin(node, 'GET', '/stats?app=nope')).status, 404);
    assert.equal((await admin(node, 'GET', '/stats?app=charts&fn=nope')).status, 404);
    assert.equal((await admin(node, 'GET', '/stats?since=24h')).status, 200);
  });
});
