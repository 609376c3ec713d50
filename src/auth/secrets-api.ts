import { NimbusError } from '../shared/errors.js';
import type { AdminRouter } from '../gateway/admin-router.js';
import { NO_CONTENT } from '../gateway/admin-result.js';
import { secretRoutes } from '../gateway/admin-routes/secrets.js';
import type { AppSecrets } from './app-secrets.js';
import { byName, pageOf, readPageQuery } from '../gateway/list-page.js';

const BY_NAME = byName<{ name: string }>((secret) => secret.name);

/**
 * `GET /apps/<app>/secrets` → `{secrets: [{name, createdAt, updatedAt}]}`;
 * `PUT /apps/<app>/secrets/<NAME>` `{value}` → `{secret: {name, createdAt, updatedAt}}`;
 * `DELETE /apps/<app>/secrets/<NAME>` → 204. Values are never returned.
 * `onChange` is told of each app whose secrets changed.
 */
export function addSecretsApi(router: AdminRouter, secrets: AppSecrets, onChange: (app: string) => void = () => {}): void {
  router.add(secretRoutes.list, async ({ params, query }) => {
    const page = pageOf(await secrets.list(params.app), readPageQuery(query, BY_NAME), BY_NAME);
    return { status: 200, body: { secrets: page.items, nextCursor: page.nextCursor } };
  });
  router.add(secretRoutes.set, async ({ params, body }) => {
    const secret = await secrets.set(params.app, params.name, body.value);
    onChange(params.app);
    return { status: 200, body: { secret } };
  });
  router.add(secretRoutes.remove, async ({ params }) => {
    if (!(await secrets.remove(params.app, params.name))) throw new NimbusError('NIMBUS_ERR_SECRET_NOT_FOUND', `${params.app}/${params.name}`);
    onChange(params.app);
    return NO_CONTENT;
  });
}
