import type { BlobsConfig } from '../../blobs/s3/s3-blobs-url.js';
import type { PgQueryable } from '../../store/postgres/pg-database.js';

/**
 * What two nodes must agree on to share blobs and bundles: the bucket and
 * prefix. Endpoints may differ (one MinIO reached by two names); a node's own
 * folder is shared with nobody, so it is named after the node.
 */
export function blobsIdentity(config: BlobsConfig, nodeId: string): string {
  return config.kind === 's3' ? `s3://${config.bucket}/${config.prefix}` : `local:${nodeId}`;
}

/** A node started with a blob store the live nodes of its cluster do not share; the message names one of them. */
export class UnsharedBlobsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsharedBlobsError';
  }
}

/**
 * Refuses to let a node join live nodes whose blobs live elsewhere: each would
 * serve bundles and blobs the others cannot read. Run before the node opens
 * its blob store and serves anything; live = heartbeat younger than deadAfterMs
 * on the database's clock, as membership decides it.
 */
export async function assertSharedBlobs(db: PgQueryable, nodeId: string, identity: string, deadAfterMs: number): Promise<void> {
  const others = await db.query<{ id: string; address: string; blobs: string }>(
    `SELECT id, address, blobs FROM cluster_nodes
      WHERE state = 'alive' AND id <> $1 AND blobs IS NOT NULL AND blobs <> $2
        AND heartbeat_at > now() - $3 * interval '1 millisecond'
      ORDER BY id LIMIT 1`,
    [nodeId, identity, deadAfterMs],
  );
  const other = others[0];
  if (!other) return;
  const mine = identity.startsWith('local:') ? 'the local data folder' : identity;
  const theirs = other.blobs.startsWith('local:') ? 'its own data folder' : other.blobs;
  throw new UnsharedBlobsError(
    `node ${other.id} (${other.address}) is live on this PostgreSQL with blobs in ${theirs}, this node would use ${mine}: ` +
      'every node of a cluster needs the same --blobs s3://bucket (local blobs serve one node only)',
  );
}
