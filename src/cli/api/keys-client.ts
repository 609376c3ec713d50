import { keyRoutes } from '../../gateway/admin-routes/keys.js';
import type { AdminTransport } from './admin-transport.js';
import type { RouteOutput } from './route-call.js';

/** A key as the admin API shows it (never its material), as its route declares it. */
export type KeyInfo = RouteOutput<typeof keyRoutes.list>['keys'][number];
export type KeyScope = KeyInfo['scope'];
/** The whole key is in `key`: the only time the server shows it. */
export type CreatedKey = RouteOutput<typeof keyRoutes.create>;

/** API keys in the admin API (docs/auth.md). */
export class KeysClient {
  constructor(readonly transport: AdminTransport) {}

  async list(app?: string): Promise<KeyInfo[]> {
    return (await this.transport.call(keyRoutes.list, { query: { app } })).keys;
  }

  async create(scope: KeyScope, label?: string): Promise<CreatedKey> {
    return this.transport.call(keyRoutes.create, { body: label === undefined ? { scope } : { scope, label } });
  }

  async revoke(id: string): Promise<void> {
    await this.transport.call(keyRoutes.revoke, { params: { id } });
  }
}
