import type { BlobBackend } from '../../blobs/blob-backend.js';
import type { AdminRouter } from '../admin-router.js';
import { blobRoutes } from '../admin-routes/blobs.js';
import { blobRequirement, visibleBuckets } from './blob-requirement.js';
import { handleBlobRequest } from './handle-blob-request.js';

const PREFIX = '/blobs';

/** The blob storage API's routes: each hands the request to the streaming handler, which writes its own answer. */
export function addBlobApi(router: AdminRouter, backend: BlobBackend, onInternalError: (err: unknown) => void): void {
  for (const route of Object.values(blobRoutes)) {
    router.add(route, async ({ req, res, path, caller }) => {
      await handleBlobRequest(req, res, path.slice(PREFIX.length), backend, { onInternalError, visibleBuckets: visibleBuckets(caller) });
      return undefined;
    }, {
      // A blobs key is told "405" for a method the blob API does not serve, as before it had routes.
      auth: (_params, request) => blobRequirement(request.method, request.path.slice(PREFIX.length)), authorizesOtherMethods: true,
    });
  }
}
