import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { S3BlobsConfig } from '../../src/blobs/s3/s3-blobs-url.js';
import { PgMembership } from '../../src/cluster/pg-membership.js';
import { assertSharedBlobs, blobsIdentity, UnsharedBlobsError } from '../../src/cluster/postgres/shared-blobs-check.js';
import { lines, runNimbus } from '../cli/support/run-cli.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { postgresUnavailable } from '../helpers/postgres-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTestNode } from '../helpers/test-node.js';
import { freshMigratedDatabase } from '../store/postgres/helpers.js';

const quiet = { info() {}, warn() {}, error() {} };
const s3 = (bucket: string, prefix: string, endpoint = 'http://minio:9000'): S3BlobsConfig => ({
  kind: 's3', bucket, prefix, endpoint, region: 'us-east-1', forcePathStyle: true, partSizeBytes: 8 << 20, queueSize: 4, sweepGraceMs: 3_600_000,
});

describe('nodes on one PostgreSQL must share their blob store', { skip: postgresUnavailable() }, () => {
  let database: Awaited<ReturnType<typeof freshMigratedDatabase>>;
  const members: PgMembership[] = [];
  before(async () => {
    database = await freshMigratedDatabase();
  });
  after(async () => {
    for (const m of members) await m.stop();
    await database.close();
  });

  async function live(id: string, blobs: string): Promise<void> {
    const m = new PgMembership(database.db, {
      nodeId: id, address: () => `http://${id}:8080`, version: '9.9.9', blobs, load: () => ({ instances: 0, inflight: 0 }), clock: new FakeClock(), log: quiet,
    });
    members.push(m);
    await m.start();
  }

  test('the same bucket and prefix join (endpoints may differ); another prefix, or any local folder, is refused naming a live node', async () => {
    await live('shared-a', blobsIdentity(s3('nimbus', 'prod/'), 'shared-a'));
    await assertSharedBlobs(database.db, 'shared-b', blobsIdentity(s3('nimbus', 'prod/', 'http://10.0.0.5:9000'), 'shared-b'), 10_000);
    await assert.rejects(
      assertSharedBlobs(database.db, 'shared-b', blobsIdentity(s3('nimbus', 'test/'), 'shared-b'), 10_000),
      (err: unknown) => err instanceof UnsharedBlobsError && /node shared-a \(http:\/\/shared-a:8080\) is live on this PostgreSQL with blobs in s3:\/\/nimbus\/prod\//.test(err.message),
    );
    await assert.rejects(
      assertSharedBlobs(database.db, 'shared-b', blobsIdentity({ kind: 'file' }, 'shared-b'), 10_000),
      /this node would use the local data folder/,
    );
    // A node restarting on its own folder is compared with the others only, never with its own row.
    await assertSharedBlobs(database.db, 'shared-a', blobsIdentity(s3('nimbus', 'prod/'), 'shared-a'), 10_000);
  });
});

test('a second node with local blobs on the PostgreSQL of a live one stops `nimbus start` with one line; once that one stopped it starts', { skip: postgresUnavailable() }, async (t) => {
  const database = await freshMigratedDatabase();
  const cwd = makeTempDir('nimbus-shared-blobs-');
  const first = await startTestNode({ store: database.url });
  t.after(async () => {
    await first.close().catch(() => undefined);
    cwd.remove();
    await database.close();
  });
  assert.equal((await fetch(`${first.url}/_nimbus/ready`)).status, 200);

  const refused = await runNimbus(['start', '--port', '0', '--store', database.url], { cwd: cwd.dir });
  assert.equal(refused.code, 1);
  const [line, ...rest] = lines(refused.stderr);
  assert.deepEqual(rest, []);
  assert.match(line!, new RegExp(`^nimbus: --blobs: node \\S+ \\(${first.url.replace(/[.]/g, '\\.')}\\) is live on this PostgreSQL with blobs in its own data folder, this node would use the local data folder: every node of a cluster needs the same --blobs s3://bucket`));

  await first.dispose();
  const second = await startTestNode({ store: database.url });
  await second.dispose();
});
