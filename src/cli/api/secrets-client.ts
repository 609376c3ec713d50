import { secretRoutes } from '../../gateway/admin-routes/secrets.js';
import type { AdminTransport } from './admin-transport.js';
import type { RouteOutput } from './route-call.js';

/** A secret's name and times (epoch ms); values never come back. */
export type SecretInfo = RouteOutput<typeof secretRoutes.set>['secret'];

/** App secrets in the admin API (docs/auth.md). */
export class SecretsClient {
  constructor(readonly transport: AdminTransport) {}

  async list(app: string): Promise<SecretInfo[]> {
    return (await this.transport.call(secretRoutes.list, { params: { app } })).secrets;
  }

  async set(app: string, name: string, value: string): Promise<SecretInfo> {
    return (await this.transport.call(secretRoutes.set, { params: { app, name }, body: { value } })).secret;
  }

  async remove(app: string, name: string): Promise<void> {
    await this.transport.call(secretRoutes.remove, { params: { app, name } });
  }
}
