import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { NimbusClient } from '../../src/sdk/client/index.js';
import { eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

const APP = `
import { blob, timer } from 'nimbus-functions';
export const tick = timer({ cron: '* * * * * *' }, () => {});
export const upload = blob({ bucket: 'inbox' }, () => {});
`;

let node: TestNode;
before(async () => {
  node = await startTestNode();
  const deployed = await node.deploy('watch', { 'index.ts': APP });
  assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
});
after(() => node.dispose());

async function metrics(): Promise<string> {
  return (await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${node.adminKey}` } })).text();
}

function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(labels) && !l.startsWith('#'));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

test('/metrics reports queue depth and oldest age, timer lag and blob-event lag', async () => {
  const client = new NimbusClient({ url: node.url, key: node.adminKey });
  await client.queue('backlog').sendBatch([{ body: 1 }, { body: 2 }]);
  await client.blobs.put('inbox', 'a.txt', 'hello');
  await eventually(async () => {
    const text = await metrics();
    return (sample(text, 'nimbus_timer_lag_seconds_count') ?? 0) >= 1 && (sample(text, 'nimbus_blob_event_lag_seconds_count') ?? 0) >= 1;
  }, 15_000, 'a timer fire and a blob event in the metrics');
  const text = await metrics();
  assert.equal(sample(text, 'nimbus_queue_depth{', 'queue="backlog"'), 2);
  assert.ok((sample(text, 'nimbus_queue_oldest_message_age_seconds{', 'queue="backlog"') ?? -1) >= 0);
  assert.ok((sample(text, 'nimbus_timer_lag_seconds_sum') ?? -1) >= 0);
});
