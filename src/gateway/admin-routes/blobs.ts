import { z } from 'zod';
import { adminRoute } from '../admin-route.js';
import { epochMs } from './common.js';

/** The blob storage API (docs/blobs.md): bodies stream both ways, so its handler writes the answers itself. */
const objectBytes = { contentType: 'application/octet-stream', description: "the object's bytes (any content type); Range, If-Match and If-None-Match apply" };
const objectHeaders = { contentType: 'application/octet-stream', description: 'no body; the object\'s size, type, ETag and metadata as headers' };
const listed = z.object({
  objects: z.array(z.object({ key: z.string(), size: z.number(), etag: z.string(), contentType: z.string(), lastModified: epochMs })),
  commonPrefixes: z.array(z.string()), nextCursor: z.string().nullable(),
});
const listQuery = { prefix: 'only keys that start with it', delimiter: 'group keys by it into commonPrefixes', cursor: 'where the previous page ended', limit: 'entries per page' };
const buckets = z.object({ buckets: z.array(z.object({ name: z.string(), createdAt: epochMs })) });
const written = z.looseObject({ bucket: z.string(), key: z.string(), etag: z.string() });

export const blobRoutes = {
  buckets: adminRoute({ method: 'GET', path: '/blobs', summary: 'Buckets (a blobs key sees its own)', response: buckets }),
  bucketsHead: adminRoute({ method: 'HEAD', path: '/blobs', summary: 'Buckets: headers only', response: null, statuses: [200] }),
  list: adminRoute({ method: 'GET', path: '/blobs/:bucket', summary: "A bucket's objects, a page at a time", query: listQuery, response: listed }),
  listHead: adminRoute({ method: 'HEAD', path: '/blobs/:bucket', summary: "A bucket's listing: headers only", query: listQuery, response: null, statuses: [200] }),
  createBucket: adminRoute({
    method: 'PUT', path: '/blobs/:bucket', summary: 'Create a bucket (200 when it existed)', response: z.object({ bucket: z.string(), created: z.boolean() }), statuses: [201, 200],
  }),
  deleteBucket: adminRoute({ method: 'DELETE', path: '/blobs/:bucket', summary: 'Delete an empty bucket (admin key only)', response: null }),
  get: adminRoute({ method: 'GET', path: '/blobs/:bucket/:key*', summary: 'Download an object', response: null, statuses: [200, 206], alternative: objectBytes }),
  head: adminRoute({ method: 'HEAD', path: '/blobs/:bucket/:key*', summary: "An object's headers", response: null, statuses: [200], alternative: objectHeaders }),
  put: adminRoute({
    method: 'PUT', path: '/blobs/:bucket/:key*', summary: 'Upload an object (x-nimbus-meta-* headers are its metadata; If-Match, If-None-Match apply)',
    rawBody: { contentType: 'application/octet-stream', description: "the object's bytes, streamed; Content-Type is kept" },
    response: written, statuses: [201, 200],
  }),
  remove: adminRoute({ method: 'DELETE', path: '/blobs/:bucket/:key*', summary: 'Delete an object (If-Match applies)', response: null }),
};
