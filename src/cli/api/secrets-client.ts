import { enc, type AdminTransport } from './admin-transport.js';

/** A secret's name and times (epoch ms); values never come back. */
export interface SecretInfo {
  name: string;
  createdAt: number;
  updatedAt: number;
}

/** App secrets in the admin API (docs/auth.md). */
export class SecretsClient {
  constructor(readonly transport: AdminTransport) {}

  async list(app: string): Promise<SecretInfo[]> {
    return (await this.transport.json<{ secrets: SecretInfo[] }>('GET', `/apps/${enc(app)}/secrets`)).secrets;
  }

  async set(app: string, name: string, value: string): Promise<SecretInfo> {
    return (await this.transport.json<{ secret: SecretInfo }>('PUT', `/apps/${enc(app)}/secrets/${enc(name)}`, { json: { value } })).secret;
  }

  async remove(app: string, name: string): Promise<void> {
    await this.transport.json<undefined>('DELETE', `/apps/${enc(app)}/secrets/${enc(name)}`);
  }
}
