import { NimbusError } from '../shared/errors.js';
import type { AdminRouter } from '../gateway/admin-router.js';
import { NO_CONTENT } from '../gateway/admin-result.js';
import { keyRoutes } from '../gateway/admin-routes/keys.js';
import type { ApiKeys } from './api-keys.js';
import { parseKeyScope } from './key-scope.js';
import type { KeyScope } from '../store/key-store.js';

/**
 * `GET /keys[?app=<app>]` → `{keys: [...]}` (never key material);
 * `POST /keys` `{scope, label?}` → 201 `{id, key, scope, label, createdAt, lastUsedAt}` — the only time the key is shown;
 * `DELETE /keys/<id>` → 204.
 */
export function addKeysApi(router: AdminRouter, keys: ApiKeys, options: { checkScope?: (scope: KeyScope) => Promise<void> } = {}): void {
  router.add(keyRoutes.list, async ({ query }) => {
    const app = query.get('app') ?? undefined;
    return { status: 200, body: { keys: await keys.list(app === undefined ? {} : { app }) } };
  });
  router.add(keyRoutes.create, async ({ body: { scope, label } }) => {
    const parsed = parseKeyScope(scope);
    // Whether the app or function exists is the node's to say: this area knows only keys.
    await options.checkScope?.(parsed);
    return { status: 201, body: await keys.create(parsed, label) };
  });
  router.add(keyRoutes.revoke, async ({ params }) => {
    if (!(await keys.revoke(params.id))) throw new NimbusError('NIMBUS_ERR_KEY_NOT_FOUND', params.id);
    return NO_CONTENT;
  });
}
