import { enc, type AdminTransport } from './admin-transport.js';

export type KeyScope =
  | { kind: 'function'; app: string; fn?: string }
  | { kind: 'producer'; queues: string[] }
  | { kind: 'blobs'; buckets: string[]; access: 'read' | 'write' }
  | { kind: 'admin' };

export interface KeyInfo {
  id: string;
  scope: KeyScope;
  label: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface CreatedKey extends KeyInfo {
  /** The whole key: the only time the server shows it. */
  key: string;
}

/** API keys in the admin API (docs/auth.md). */
export class KeysClient {
  constructor(readonly transport: AdminTransport) {}

  async list(app?: string): Promise<KeyInfo[]> {
    return (await this.transport.json<{ keys: KeyInfo[] }>('GET', '/keys', { query: { app } })).keys;
  }

  async create(scope: KeyScope, label?: string): Promise<CreatedKey> {
    return this.transport.json<CreatedKey>('POST', '/keys', { json: label === undefined ? { scope } : { scope, label } });
  }

  async revoke(id: string): Promise<void> {
    await this.transport.json<undefined>('DELETE', `/keys/${enc(id)}`);
  }
}
