import type { AdminRouter } from '../gateway/admin-router.js';
import { sessionRoutes } from '../gateway/admin-routes/session.js';

/** `GET /whoami` → `{scope}`: 200 for any valid key (the admin key is `{kind: 'admin'}`), 401 otherwise. */
export function addWhoamiApi(router: AdminRouter): void {
  router.add(sessionRoutes.whoami, async ({ caller }) => ({ status: 200, body: { scope: caller ?? { kind: 'admin' as const } } }), {
    auth: () => ({ kind: 'identify' }),
  });
}
