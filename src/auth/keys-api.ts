import { NimbusError } from '../shared/errors.js';
import { z } from 'zod';
import type { AdminApiHandler } from './admin-api.js';
import { methodNotAllowed, NO_CONTENT, notFound } from './admin-api.js';
import type { ApiKeys } from './api-keys.js';
import { parseBody } from './body-schema.js';
import { parseKeyScope } from './key-scope.js';
import type { KeyScope } from '../store/key-store.js';

const createKeyBody = z.strictObject({ scope: z.unknown(), label: z.string().optional() });

/**
 * `GET /keys[?app=<app>]` → `{keys: [...]}` (never key material);
 * `POST /keys` `{scope, label?}` → 201 `{id, key, scope, label, createdAt, lastUsedAt}` — the only time the key is shown;
 * `DELETE /keys/<id>` → 204.
 */
export function createKeysApi(keys: ApiKeys, options: { checkScope?: (scope: KeyScope) => Promise<void> } = {}): AdminApiHandler {
  return async (method, pathParts, body, query) => {
    const [area, id, ...rest] = pathParts;
    if (area !== 'keys' || rest.length > 0) throw notFound(pathParts);

    if (id === undefined) {
      if (method === 'GET') {
        const app = query?.get('app') ?? undefined;
        return { status: 200, body: { keys: await keys.list(app === undefined ? {} : { app }) } };
      }
      if (method === 'POST') {
        const { scope, label } = parseBody(createKeyBody, body);
        const parsed = parseKeyScope(scope);
        // Whether the app or function exists is the node's to say: this area knows only keys.
        await options.checkScope?.(parsed);
        return { status: 201, body: await keys.create(parsed, label) };
      }
      throw methodNotAllowed(method, ['GET', 'POST']);
    }
    if (method !== 'DELETE') throw methodNotAllowed(method, ['DELETE']);
    // Until a NIMBUS_ERR_KEY_NOT_FOUND code exists, a missing key is reported as a missing endpoint.
    if (!(await keys.revoke(id))) throw new NimbusError('NIMBUS_ERR_KEY_NOT_FOUND', id);
    return NO_CONTENT;
  };
}
