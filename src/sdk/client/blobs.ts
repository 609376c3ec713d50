import type { BlobInfo, BlobListing, BlobObject, BlobPutOptions } from '../context.js';

/** How the client reaches the node; errors arrive as NimbusClientError. */
export type ClientCall = (path: string, init: RequestInit) => Promise<Response>;

const METADATA_HEADER_PREFIX = 'x-nimbus-meta-';
const BLOBS_PATH = '/_nimbus/api/v1/blobs';

export interface BucketInfo {
  name: string;
  createdAt: number;
}

/**
 * Nimbus blob storage from an outside app: the same operations functions have
 * as `ctx.blobs`, over the blob API. Bodies stream both ways.
 */
export class BlobsClient {
  readonly #call: ClientCall;
  readonly #isNotFound: (error: unknown) => boolean;

  constructor(call: ClientCall, isNotFound: (error: unknown) => boolean) {
    this.#call = call;
    this.#isNotFound = isNotFound;
  }

  /** The object with a streamed body, or null when there is none. */
  async get(bucket: string, key: string): Promise<BlobObject | null> {
    const response = await this.#orNull(objectPath(bucket, key), { method: 'GET' });
    if (!response) return null;
    const info = infoOf(bucket, key, response);
    const body = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    return {
      ...info,
      body,
      text: () => new Response(body).text(),
      arrayBuffer: () => new Response(body).arrayBuffer(),
      json: <T>() => new Response(body).json() as Promise<T>,
    };
  }

  async head(bucket: string, key: string): Promise<BlobInfo | null> {
    const response = await this.#orNull(objectPath(bucket, key), { method: 'HEAD' });
    return response ? infoOf(bucket, key, response) : null;
  }

  /** Stores the object (creating the bucket on first write); a stream is sent as it is read. */
  async put(bucket: string, key: string, body: string | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array>, options: BlobPutOptions = {}): Promise<{ etag: string; size: number }> {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/octet-stream' };
    for (const [name, value] of Object.entries(options.metadata ?? {})) headers[`${METADATA_HEADER_PREFIX}${name}`] = value;
    const init: RequestInit & { duplex?: 'half' } = { method: 'PUT', headers, body };
    if (body instanceof ReadableStream) init.duplex = 'half';
    const { etag, size } = (await (await this.#call(objectPath(bucket, key), init)).json()) as { etag: string; size: number };
    return { etag, size };
  }

  /** Removes the object; removing one that isn't there is not an error. */
  async delete(bucket: string, key: string): Promise<void> {
    await this.#call(objectPath(bucket, key), { method: 'DELETE' });
  }

  /** One page of a bucket's listing; pass `nextCursor` back as `cursor` for the next. */
  async list(bucket: string, options: { prefix?: string; delimiter?: string; cursor?: string; limit?: number } = {}): Promise<BlobListing> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(options)) if (value !== undefined) query.set(name, String(value));
    const suffix = query.size > 0 ? `?${query}` : '';
    return (await (await this.#call(`${BLOBS_PATH}/${encodeURIComponent(bucket)}${suffix}`, { method: 'GET' })).json()) as BlobListing;
  }

  async buckets(): Promise<BucketInfo[]> {
    return ((await (await this.#call(BLOBS_PATH, { method: 'GET' })).json()) as { buckets: BucketInfo[] }).buckets;
  }

  async createBucket(bucket: string): Promise<void> {
    await this.#call(`${BLOBS_PATH}/${encodeURIComponent(bucket)}`, { method: 'PUT' });
  }

  /** Only an empty bucket can be deleted. */
  async deleteBucket(bucket: string): Promise<void> {
    await this.#call(`${BLOBS_PATH}/${encodeURIComponent(bucket)}`, { method: 'DELETE' });
  }

  async #orNull(path: string, init: RequestInit): Promise<Response | null> {
    try {
      return await this.#call(path, init);
    } catch (error) {
      if (this.#isNotFound(error)) return null;
      throw error;
    }
  }
}

function objectPath(bucket: string, key: string): string {
  return `${BLOBS_PATH}/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function infoOf(bucket: string, key: string, response: Response): BlobInfo {
  const metadata: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name.startsWith(METADATA_HEADER_PREFIX)) metadata[name.slice(METADATA_HEADER_PREFIX.length)] = value;
  });
  const lastModified = response.headers.get('last-modified');
  return {
    bucket, key,
    size: Number(response.headers.get('content-length') ?? 0),
    etag: response.headers.get('etag') ?? '',
    contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    metadata,
    lastModified: lastModified ? Date.parse(lastModified) : 0,
  };
}
