import type { AuthRequirement } from '../../auth/authorize.js';
import type { KeyScope } from '../../store/key-store.js';
import { blobPathParts } from './handle-blob-request.js';

/**
 * What a blob API request needs (docs/auth.md): reading (GET, HEAD: objects,
 * a bucket's listing, the list of buckets) needs read access to the bucket;
 * everything else on a bucket or its objects (PUT, DELETE, and methods the
 * handler will refuse) needs write access; deleting a bucket itself needs the
 * admin key, since functions and triggers of every app may depend on it.
 */
export function blobRequirement(method: string, path: string): AuthRequirement {
  const { bucket, rawKey } = blobPathParts(path);
  const reading = method === 'GET' || method === 'HEAD';
  if (bucket === '') return { kind: 'blobs', bucket: null, access: reading ? 'read' : 'write' };
  if (rawKey === '' && method === 'DELETE') return { kind: 'admin' };
  return { kind: 'blobs', bucket, access: reading ? 'read' : 'write' };
}

/** The buckets a caller may see in the list of buckets: all of them, or a blobs key's own. */
export function visibleBuckets(scope: KeyScope | undefined): readonly string[] | null {
  return scope?.kind === 'blobs' ? scope.buckets : null;
}
