import { adminApiError } from '../admin-client.js';
import { enc, type AdminTransport } from './admin-transport.js';

/** The blob API answers with the backend's own shapes. */
export type { BucketInfo, ListedObject, ListResult as ListPage } from '../../blobs/blob-backend.js';
import type { BucketInfo, ListedObject, ListResult as ListPage } from '../../blobs/blob-backend.js';

export interface PutResult {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  eventType: 'created' | 'updated';
  sequencer: string;
}

export interface PutOptions {
  contentType?: string;
  contentLength?: number;
  metadata?: Record<string, string>;
}

/** User metadata travels as `x-nimbus-meta-<name>` headers (docs/blobs.md). */
const METADATA_HEADER_PREFIX = 'x-nimbus-meta-';

/** The blob storage API under `/blobs`: bodies stream both ways, nothing is held whole in memory. */
export class BlobsClient {
  constructor(readonly transport: AdminTransport) {}

  async buckets(): Promise<BucketInfo[]> {
    return (await this.transport.json<{ buckets: BucketInfo[] }>('GET', '/blobs')).buckets;
  }

  /** `created` is false when the bucket was already there. */
  async createBucket(bucket: string): Promise<{ created: boolean }> {
    return this.transport.json<{ created: boolean }>('PUT', `/blobs/${enc(bucket)}`);
  }

  async removeBucket(bucket: string): Promise<void> {
    await this.transport.json<undefined>('DELETE', `/blobs/${enc(bucket)}`);
  }

  async listPage(bucket: string, query: { prefix?: string; delimiter?: string; cursor?: string }): Promise<ListPage> {
    return this.transport.json<ListPage>('GET', `/blobs/${enc(bucket)}`, { query });
  }

  /** Every page, following `nextCursor`. */
  async listAll(bucket: string, query: { prefix?: string; delimiter?: string }): Promise<{ objects: ListedObject[]; commonPrefixes: string[] }> {
    const objects: ListedObject[] = [];
    const commonPrefixes: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listPage(bucket, cursor === undefined ? query : { ...query, cursor });
      objects.push(...page.objects);
      commonPrefixes.push(...page.commonPrefixes);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return { objects, commonPrefixes };
  }

  async put(bucket: string, key: string, body: ReadableStream<Uint8Array>, options: PutOptions = {}): Promise<PutResult> {
    const headers: Record<string, string> = {};
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    if (options.contentLength !== undefined) headers['content-length'] = String(options.contentLength);
    for (const [name, value] of Object.entries(options.metadata ?? {})) headers[`${METADATA_HEADER_PREFIX}${name.toLowerCase()}`] = value;
    return this.transport.json<PutResult>('PUT', objectPath(bucket, key), { headers, body });
  }

  /** The object's answer, body unread; an error status becomes a CliError. */
  async get(bucket: string, key: string): Promise<Response> {
    const response = await this.transport.send('GET', objectPath(bucket, key));
    if (!response.ok) throw await adminApiError(response);
    return response;
  }

  async remove(bucket: string, key: string): Promise<void> {
    await this.transport.json<undefined>('DELETE', objectPath(bucket, key));
  }
}

/** Keys keep their `/` so paths stay readable; every other special character is escaped. */
function objectPath(bucket: string, key: string): string {
  return `/blobs/${enc(bucket)}/${key.split('/').map(enc).join('/')}`;
}
