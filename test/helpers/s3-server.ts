/**
 * A throwaway S3-compatible server for tests: s3rver (from npm) in this
 * process, on its own loopback port, keeping its objects in a temporary
 * folder. `stop()` makes it unreachable (connection refused) for fault
 * tests; `start()` brings the same objects back on the same port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { parseBlobsSetting, type S3BlobsConfig } from '../../src/blobs/s3/s3-blobs-url.js';
import { freePort } from './free-port.js';

/** s3rver's fixed credentials; the SDK reads them from the environment like any others. */
const S3RVER_KEY = 'S3RVER';

export interface S3TestServer {
  readonly endpoint: string;
  readonly bucket: string;
  /** The folder s3rver keeps objects in. */
  readonly directory: string;
  /** A parsed --blobs config for this server; `query` adds settings (e.g. 'partSizeMb=5'). */
  config(prefix?: string, query?: string): S3BlobsConfig;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  remove(): Promise<void>;
}

export async function startS3Server(bucket = 'nimbus-test'): Promise<S3TestServer> {
  // The SDK's default credential chain finds these, exactly as a node would find real ones.
  process.env['AWS_ACCESS_KEY_ID'] ??= S3RVER_KEY;
  process.env['AWS_SECRET_ACCESS_KEY'] ??= S3RVER_KEY;
  const directory = await mkdtemp(join(tmpdir(), 'nimbus-s3-'));
  const port = await freePort();
  let server: S3rver | null = null;
  const start = async (): Promise<void> => {
    if (server) return;
    const next = new S3rver({ port, address: '127.0.0.1', directory, silent: true, configureBuckets: [{ name: bucket }] });
    await next.run();
    server = next;
  };
  const stop = async (): Promise<void> => {
    const running = server;
    if (!running) return;
    server = null;
    // The SDK keeps connections alive; without this, close() would wait for them.
    running.httpServer?.closeAllConnections();
    await running.close();
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint, bucket, directory,
    config: (prefix = '', query = '') => {
      const parsed = parseBlobsSetting(`s3://${bucket}/${prefix}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1${query ? `&${query}` : ''}`);
      return parsed as S3BlobsConfig;
    },
    stop, start,
    remove: async () => {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
