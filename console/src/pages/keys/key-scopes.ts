import type { ResponseOf } from '../../api/endpoints.js';
import { routes } from '../../api/endpoints.js';

export type KeyInfo = Omit<ResponseOf<typeof routes.keys.list>['keys'][number], 'scope'> & { scope: KeyScope };
export type KeyScope = ResponseOf<typeof routes.keys.list>['keys'][number]['scope'];
export type ScopeKind = KeyScope['kind'];

/** The kinds docs/auth.md lists, as the create form offers them. */
export const SCOPE_KINDS: { kind: ScopeKind; label: string; hint: string }[] = [
  { kind: 'function', label: 'App or function', hint: "invoke an app's auth: 'key' functions, or one of them" },
  { kind: 'producer', label: 'Producer', hint: 'send messages to the queues named' },
  { kind: 'blobs', label: 'Blobs', hint: 'the blob API for the buckets named' },
  { kind: 'read', label: 'Read', hint: 'read the whole admin API (and sign in to this console), change nothing' },
  { kind: 'admin', label: 'Admin', hint: 'the whole admin API and every function, like the admin key' },
];

/** What the create form holds; turned into a scope by scopeOf. */
export interface ScopeFields {
  kind: ScopeKind;
  app: string;
  fn: string;
  names: string;
  readOnly: boolean;
}

/** The scope `nimbus keys create` would send for the same choices; the node checks it (its message names the field). */
export function scopeOf(f: ScopeFields): KeyScope {
  const names = f.names.split(',').map((n) => n.trim()).filter((n) => n !== '');
  switch (f.kind) {
    case 'function':
      return f.fn.trim() === '' ? { kind: 'function', app: f.app.trim() } : { kind: 'function', app: f.app.trim(), fn: f.fn.trim() };
    case 'producer':
      return { kind: 'producer', queues: names };
    case 'blobs':
      return { kind: 'blobs', buckets: names, access: f.readOnly ? 'read' : 'write' };
    case 'read':
      return { kind: 'read' };
    case 'admin':
      return { kind: 'admin' };
  }
}

export { describeScope } from '../../../../src/auth/describe-scope.js';
