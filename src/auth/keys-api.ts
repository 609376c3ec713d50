import { NimbusError } from '../shared/errors.js';
import type { AdminRouter } from '../gateway/admin-router.js';
import { NO_CONTENT } from '../gateway/admin-result.js';
import { keyRoutes } from '../gateway/admin-routes/keys.js';
import type { ApiKeys } from './api-keys.js';
import { parseKeyScope } from './key-scope.js';
import type { KeyRecord, KeyScope } from '../store/key-store.js';
import { compareParts, pageOf, readPageQuery, type ListOrder } from '../gateway/list-page.js';

/** As the key stores list them: newest first, then by id. */
const NEWEST_FIRST: ListOrder<KeyRecord> = {
  position: (key) => [key.createdAt, key.id],
  compare: (a, b) => compareParts([-Number(a[0]), a[1]!], [-Number(b[0]), b[1]!]),
  shape: ['number', 'string'],
};

/**
 * `GET /keys[?app=<app>]` → `{keys: [...]}` (never key material);
 * `POST /keys` `{scope, label?}` → 201 `{id, key, scope, label, createdAt, lastUsedAt}` — the only time the key is shown;
 * `DELETE /keys/<id>` → 204.
 */
export function addKeysApi(router: AdminRouter, keys: ApiKeys, options: { checkScope?: (scope: KeyScope) => Promise<void> } = {}): void {
  router.add(keyRoutes.list, async ({ query }) => {
    const app = query.get('app') ?? undefined;
    const page = pageOf(await keys.list(app === undefined ? {} : { app }), readPageQuery(query, NEWEST_FIRST), NEWEST_FIRST);
    return { status: 200, body: { keys: page.items, nextCursor: page.nextCursor } };
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
