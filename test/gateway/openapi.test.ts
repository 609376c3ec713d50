import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdminRoute } from '../../src/gateway/admin-route.js';
import { adminRoutes } from '../../src/gateway/admin-routes/index.js';
import { ADMIN_API_PREFIX, jsonSchemaOf } from '../../src/gateway/openapi.js';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

const APP = `
import { http, queue, timer } from 'nimbus-functions';
export const hello = http({ route: 'GET /hello' }, (req, ctx) => { console.log('hello called'); return { hello: true }; });
export const worker = queue({ queue: 'openapi-jobs' }, async () => ({ failed: [] }));
export const tick = timer({ cron: '0 0 1 1 *', timezone: 'Europe/Berlin' }, () => {});
`;

const allRoutes: AdminRoute[] = Object.values(adminRoutes).flatMap((area) => Object.values(area));
const documentedPath = (route: AdminRoute) => `${ADMIN_API_PREFIX}${route.path.replace(/:([A-Za-z]+)\*?/g, '{$1}')}`;

interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

describe('the OpenAPI document is generated from the routes the node serves', () => {
  let node: TestNode;
  let doc: { paths: Record<string, Record<string, Operation>> };
  let deployAnswer: unknown;

  before(async () => {
    node = await startTestNode();
    const deployed = await node.deploy('docs', { 'index.ts': APP });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    // A second version, so there is one to roll back to.
    const again = await node.deploy('docs', { 'index.ts': `${APP}\n// version 2\n` });
    assert.equal(again.status, 201, JSON.stringify(again.body));
    deployAnswer = again.body;
    doc = (await admin(node, 'GET', '/openapi.json')).body;
  });
  after(() => node.dispose());

  test('every route is in it with its response schema, and its request schema when it takes a JSON body', () => {
    const operations = Object.values(doc.paths).flatMap((methods) => Object.keys(methods));
    assert.equal(operations.length, allRoutes.length, 'one operation per route, no more');
    for (const route of allRoutes) {
      const operation = doc.paths[documentedPath(route)]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.path} is documented`);
      const statuses = route.statuses ?? [route.response === null ? 204 : 200];
      for (const status of statuses) {
        const response: Operation["responses"][string] | undefined = operation.responses[String(status)];
        assert.ok(response, `${route.method} ${route.path} documents ${status}`);
        if (route.response === null) assert.equal(response.content?.['application/json'], undefined);
        else assert.deepEqual(response.content?.['application/json']?.schema, jsonSchemaOf(route.response, 'output'), `${route.method} ${route.path}`);
      }
      if (route.body) assert.deepEqual(operation.requestBody?.content['application/json']?.schema, jsonSchemaOf(route.body, 'input'));
    }
  });

  test('real answers match their documented schemas', async () => {
    const { apps, keys, secrets, queues, timers, metering, node: nodeArea, blobs, session, budgets } = adminRoutes;
    assert.ok(apps.deploy.response.safeParse(deployAnswer).success, JSON.stringify(deployAnswer));
    await admin(node, 'POST', '/queues/openapi-jobs/messages', { body: { n: 1 } });
    await fetch(`${node.url}/hello`);
    const samples: [AdminRoute, string, string, unknown?][] = [
      [apps.list, 'GET', '/apps'],
      [apps.get, 'GET', '/apps/docs'],
      [apps.versions, 'GET', '/apps/docs/versions'],
      [keys.create, 'POST', '/keys', { scope: { kind: 'function', app: 'docs' }, label: 'sample' }],
      [keys.list, 'GET', '/keys'],
      [secrets.set, 'PUT', '/apps/docs/secrets/TOKEN', { value: 'v' }],
      [secrets.list, 'GET', '/apps/docs/secrets'],
      [queues.send, 'POST', '/queues/sample-q/messages', { messages: [{ body: 1 }, { body: 2, priority: 1 }] }],
      [queues.list, 'GET', '/queues'],
      [queues.peek, 'GET', '/queues/sample-q/messages'],
      [queues.redrive, 'POST', '/queues/sample-q/redrive'],
      [queues.purge, 'DELETE', '/queues/sample-q/messages'],
      [timers.list, 'GET', '/timers'],
      [timers.runNow, 'POST', '/timers/docs/tick/run'],
      [timers.runs, 'GET', '/timers/docs/tick/runs'],
      [metering.usage, 'GET', '/usage?by=hour'],
      [metering.stats, 'GET', '/stats?since=30m'],
      [apps.list, 'GET', '/apps?limit=1'],
      [keys.list, 'GET', '/keys?limit=1'],
      [nodeArea.node, 'GET', '/node'],
      [nodeArea.nodes, 'GET', '/nodes'],
      [session.whoami, 'GET', '/whoami'],
      [apps.rollback, 'POST', '/apps/docs/rollback', {}],
      [blobs.createBucket, 'PUT', '/blobs/docs-bucket'],
      [blobs.put, 'PUT', '/blobs/docs-bucket/a/b.json', { any: 'bytes' }],
      [blobs.buckets, 'GET', '/blobs'],
      [blobs.list, 'GET', '/blobs/docs-bucket'],
      [budgets.set, 'PUT', '/budgets/docs-db', { concurrency: 5, rate: { perSecond: 10 }, adaptive: true }],
      [budgets.set, 'PUT', '/budgets/docs-db', { rate: null }],
      [budgets.get, 'GET', '/budgets/docs-db'],
      [budgets.list, 'GET', '/budgets?limit=1'],
    ];
    for (const [route, method, path, body] of samples) {
      const answer = await admin(node, method, path, body);
      assert.ok((route.statuses ?? [200]).includes(answer.status), `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      const checked = route.response!.safeParse(answer.body);
      assert.ok(checked.success, `${method} ${path}: ${JSON.stringify(checked.error?.issues)} in ${JSON.stringify(answer.body)}`);
    }
    // Lines and records arrive once the invocation is written down.
    await eventually(async () => (await admin(node, 'GET', '/apps/docs/logs')).body.lines.length > 0);
    await eventually(async () => (await admin(node, 'GET', '/invocation-records?app=docs')).body.records.length > 0);
    for (const [route, path] of [
      [metering.logs, '/apps/docs/logs'], [metering.invocationRecords, '/invocation-records?app=docs'], [metering.invocationRecords, '/invocation-records?outcome=ok&limit=1'],
      [metering.stats, '/stats?app=docs'],
    ] as const) {
      const checked = route.response.safeParse((await admin(node, 'GET', path)).body);
      assert.ok(checked.success, `${path}: ${JSON.stringify(checked.error?.issues)}`);
    }
  });
});
