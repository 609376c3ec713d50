import { NimbusError } from '../shared/errors.js';
import { z } from 'zod';
import type { AdminApiHandler } from './admin-api.js';
import { methodNotAllowed, NO_CONTENT, notFound } from './admin-api.js';
import type { AppSecrets } from './app-secrets.js';
import { parseBody } from './body-schema.js';

const putSecretBody = z.strictObject({ value: z.string() });

/**
 * `GET /apps/<app>/secrets` → `{secrets: [{name, createdAt, updatedAt}]}`;
 * `PUT /apps/<app>/secrets/<NAME>` `{value}` → `{secret: {name, createdAt, updatedAt}}`;
 * `DELETE /apps/<app>/secrets/<NAME>` → 204. Values are never returned.
 */
export function createSecretsApi(secrets: AppSecrets): AdminApiHandler {
  return async (method, pathParts, body) => {
    const [apps, app, area, name, ...rest] = pathParts;
    if (apps !== 'apps' || app === undefined || area !== 'secrets' || rest.length > 0) throw notFound(pathParts);

    if (name === undefined) {
      if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
      return { status: 200, body: { secrets: await secrets.list(app) } };
    }
    if (method === 'PUT') {
      const { value } = parseBody(putSecretBody, body);
      return { status: 200, body: { secret: await secrets.set(app, name, value) } };
    }
    if (method === 'DELETE') {
      // Until a NIMBUS_ERR_SECRET_NOT_FOUND code exists, a missing secret is reported as a missing endpoint.
      if (!(await secrets.remove(app, name))) throw new NimbusError('NIMBUS_ERR_SECRET_NOT_FOUND', `${app}/${name}`);
      return NO_CONTENT;
    }
    throw methodNotAllowed(method, ['PUT', 'DELETE']);
  };
}
