/**
 * A blob event is written in the same transaction as the write it reports,
 * before the PUT is acknowledged: a node killed with SIGKILL after the
 * acknowledgement but before the handler ran delivers the event after it
 * restarts on the same data folder.
 *
 * The function takes one event at a time (maxInstances 1, concurrency 1). A
 * first upload (`blocker`) holds that one slot with a handler that never
 * finishes, so the second upload's event is accepted but cannot run before
 * the kill. The restarted node ends the leases its previous run held (an
 * attempt each): the blocker comes again, sees it already started once and
 * finishes, and the second event is delivered.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eventually } from '../../helpers/admin-client.js';
import { startNodeProcess, type NodeProcess } from '../../helpers/node-process.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { blobKeys, deployApp, putBlob } from './trigger-fixtures.js';

const APP = `
import { blob } from 'nimbus-functions';

export const ingest = blob({ bucket: 'inbox', path: 'in/{name}', maxInstances: 1, concurrency: 1, timeoutMs: 60000 }, async (event, ctx) => {
  await ctx.blobs.put('progress', 'started/' + event.params.name + '/' + ctx.invocationId, event.sequencer);
  // Only its first delivery blocks: the redelivery after the restart lets the other event through.
  const starts = await ctx.blobs.list('progress', { prefix: 'started/' + event.params.name + '/' });
  if (event.params.name === 'blocker' && starts.objects.length === 1) await new Promise((r) => setTimeout(r, 60000));
  await ctx.blobs.put('progress', 'done/' + event.params.name + '/' + ctx.invocationId, event.sequencer);
});
`;

describe('blob events survive kill -9 of the node', () => {
  const data = makeTempDir('nimbus-blobcrash-');
  const apps = makeTempDir('nimbus-blobcrash-app-');
  let node: NodeProcess | undefined;
  after(async () => {
    if (node && node.child.exitCode === null && node.child.signalCode === null) await node.kill9();
    data.remove();
    apps.remove();
  });

  test('an acknowledged upload whose handler had not run is delivered after the restart', async () => {
    node = await startNodeProcess(data.dir);
    await deployApp(node, join(apps.dir, 'v1'), 'ingest', { 'index.ts': APP });
    const first = node;

    assert.equal((await putBlob(first, 'inbox', 'in/blocker', 'holds the only slot')).status, 201);
    await eventually(async () => (await blobKeys(first, 'progress', 'started/blocker/')).length === 1, 20_000, 'the blocker to start');

    const put = await putBlob(first, 'inbox', 'in/report', 'the upload that must not be lost');
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal(put.body.eventType, 'created');
    // The only slot is taken: the handler for this event has not started.
    assert.deepEqual(await blobKeys(first, 'progress', 'started/report/'), []);
    await first.kill9();

    node = await startNodeProcess(data.dir);
    const second = node;
    await eventually(async () => (await blobKeys(second, 'progress', 'done/report/')).length >= 1, 20_000, 'the event delivered after the restart').catch(async (err) => {
      const q = await fetch(`${second.url}/_nimbus/api/v1/queues`, { headers: { authorization: `Bearer ${second.adminKey}` } });
      const p = await blobKeys(second, 'progress', '');
      throw new Error(`${err.message}: ${await q.text()} ${JSON.stringify(p)}`);
    });
    const [done] = await blobKeys(second, 'progress', 'done/report/');
    const res = await fetch(`${second.url}/_nimbus/api/v1/blobs/progress/${done!}`, { headers: { authorization: `Bearer ${second.adminKey}` } });
    assert.equal(await res.text(), put.body.sequencer, 'the handler got the acknowledged upload\'s event');
  });
});
