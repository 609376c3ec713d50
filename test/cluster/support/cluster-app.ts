import { join } from 'node:path';
import { admin, type AdminTarget } from '../../helpers/admin-client.js';
import { bundleFiles } from '../../helpers/bundle.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { startS3Server, type S3TestServer } from '../../helpers/s3-server.js';
import { freshPostgresDatabase, type FreshDatabase } from '../../helpers/postgres-server.js';
import { startCluster, type ClusterOptions, type TestCluster } from '../../helpers/cluster.js';

/** Deploys `source` as the app's index.ts through one node, the way `nimbus deploy` does. */
export async function deployThrough(node: AdminTarget, app: string, source: string): Promise<number> {
  const dir = makeTempDir('nimbus-cluster-app-');
  try {
    const { bundle, sourceMap } = await bundleFiles(join(dir.dir, app), { 'index.ts': source });
    const answer = await admin(node, 'POST', `/apps/${app}/versions`, { bundle, sourceMap });
    if (answer.status !== 201) throw new Error(`deploying ${app} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body.version.version as number;
  } finally {
    dir.remove();
  }
}

/** The `--blobs` value for an S3 test server and a prefix of its own. */
export function blobsUrl(s3: S3TestServer, prefix: string): string {
  return `s3://${s3.bucket}/${prefix}?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1`;
}

export interface SharedCluster {
  cluster: TestCluster;
  nodes: AdminTarget[];
  close(): Promise<void>;
}

/** `n` real nodes on one fresh PostgreSQL database (or `store`) and one S3 server, as a cluster runs. */
export async function startSharedCluster(n: number, options: Partial<ClusterOptions> & { s3: S3TestServer; prefix: string }): Promise<SharedCluster> {
  let database: FreshDatabase | undefined;
  const store = options.store ?? (database = await freshPostgresDatabase()).url;
  const cluster = await startCluster({
    ...options, nodes: n, store, blobs: blobsUrl(options.s3, options.prefix),
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', ...options.env },
  });
  return {
    cluster,
    get nodes() {
      return cluster.urls().map((url) => ({ url, adminKey: cluster.adminKey }));
    },
    async close() {
      await cluster.close();
      await database?.drop();
    },
  };
}

export { startS3Server };

/**
 * Reads what the test apps' queue functions wrote: each invocation stores the
 * numbers of its batch under `b/<invocation id>` in bucket `handled`. Keys
 * are per invocation, so an object never changes once read and each is read
 * once however often `read()` is called.
 */
export class HandledMessages {
  readonly numbers = new Set<number>();
  readonly #read = new Set<string>();

  async read(node: { url: string; adminKey: string }): Promise<Set<number>> {
    const headers = { authorization: `Bearer ${node.adminKey}` };
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ prefix: 'b/', limit: '1000', ...(cursor ? { cursor } : {}) });
      const res = await fetch(`${node.url}/_nimbus/api/v1/blobs/handled?${query}`, { headers });
      if (res.status === 404) return this.numbers;
      if (res.status !== 200) throw new Error(`listing handled batches: ${res.status} ${await res.text()}`);
      const page = (await res.json()) as { objects: { key: string }[]; nextCursor: string | null };
      for (const { key } of page.objects) {
        if (this.#read.has(key)) continue;
        const object = await fetch(`${node.url}/_nimbus/api/v1/blobs/handled/${key}`, { headers });
        if (object.status !== 200) throw new Error(`reading ${key}: ${object.status} ${await object.text()}`);
        for (const n of (await object.json()) as number[]) this.numbers.add(n);
        this.#read.add(key);
      }
      cursor = page.nextCursor;
    } while (cursor);
    return this.numbers;
  }
}
