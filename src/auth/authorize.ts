import type { IncomingHttpHeaders } from 'node:http';
import type { AuthLevel } from '../sdk/definition.js';
import { NimbusError } from '../shared/errors.js';
import type { BlobAccess, KeyScope } from '../store/key-store.js';
import { constantTimeEqual } from './constant-time.js';

/** What a request wants to do. */
export type AuthRequirement =
  | { kind: 'admin' }
  | { kind: 'invoke'; app: string; fn: string; level: AuthLevel }
  | { kind: 'send'; queue: string }
  /** The blob storage API: one bucket, or (null) the list of buckets, which shows a blobs key only its own. */
  | { kind: 'blobs'; bucket: string | null; access: BlobAccess }
  /** Any valid key, to learn its own scope (`GET /whoami`: the console signs in with it). */
  | { kind: 'identify' }
  /** Reading the admin API (GET, HEAD): a read key will do, else whatever `otherwise` needs. */
  | { kind: 'read'; otherwise: AuthRequirement };

/**
 * Resolves with the scope the request was let in with — `{kind: 'admin'}`
 * for the admin key, undefined for an anonymous function — or throws a
 * NimbusError: 401 when no key or an invalid key was sent, 403 when the key
 * may not do this.
 */
export type Authorize = (headers: IncomingHttpHeaders, url: URL, requirement: AuthRequirement) => Promise<KeyScope | undefined>;

export interface KeyVerifier {
  verify(key: string): Promise<KeyScope | undefined>;
}

export const KEY_HEADER = 'x-nimbus-key';
/** Only for invoking, so a browser link or webhook URL can carry a function key. */
export const KEY_QUERY_PARAM = 'key';
/** The one Authorization form a key is read from. */
export const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

const ADMIN_SCOPE: KeyScope = Object.freeze({ kind: 'admin' });
const READ_ONLY_REFUSAL = 'a read-only key cannot do this: it may only read (GET, HEAD) the admin API, not change anything, invoke a function or send a message';

/**
 * What a request to the admin API needs, given what its route needs: reading
 * (GET, HEAD) any route is also open to read keys. The one place read keys are
 * let in, so a route added later is readable (and nothing else) without a word.
 */
export function adminApiRequirement(method: string, routeRequirement: AuthRequirement): AuthRequirement {
  return method === 'GET' || method === 'HEAD' ? { kind: 'read', otherwise: routeRequirement } : routeRequirement;
}

export function createAuthorizer(adminKey: string, keys: KeyVerifier): Authorize {
  return async (headers, url, requirement) => {
    // Where a read key also will do, who needs no key and where the key may come from are the route's own rule.
    const routeRequirement = requirement.kind === 'read' ? requirement.otherwise : requirement;
    if (routeRequirement.kind === 'invoke' && routeRequirement.level === 'anonymous') return undefined;
    const key = presentedKey(headers, url, routeRequirement);
    if (key === undefined) throw new NimbusError('NIMBUS_ERR_AUTH_REQUIRED', describe(requirement));
    if (constantTimeEqual(adminKey, key)) return ADMIN_SCOPE;
    const scope = await keys.verify(key);
    if (!scope) throw new NimbusError('NIMBUS_ERR_AUTH_INVALID');
    if (!scopeAllows(scope, requirement)) throw new NimbusError('NIMBUS_ERR_AUTH_FORBIDDEN', scope.kind === 'read' ? READ_ONLY_REFUSAL : describe(requirement));
    return scope;
  };
}

/** The key from `Authorization: Bearer`, else `x-nimbus-key`, else (invoke only) `?key=`. */
export function presentedKey(headers: IncomingHttpHeaders, url: URL, requirement: AuthRequirement): string | undefined {
  const bearer = BEARER.exec(headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  const header = firstValue(headers[KEY_HEADER])?.trim();
  if (header) return header;
  if (requirement.kind === 'invoke') return url.searchParams.get(KEY_QUERY_PARAM) || undefined;
  return undefined;
}

/** Whether an API key's scope covers the requirement (the admin key covers everything and never gets here). */
export function scopeAllows(scope: KeyScope, requirement: AuthRequirement): boolean {
  if (scope.kind === 'admin') return true;
  switch (requirement.kind) {
    case 'identify':
      return true;
    case 'read':
      return scope.kind === 'read' || scopeAllows(scope, requirement.otherwise);
    case 'admin':
      return false;
    case 'send':
      return scope.kind === 'producer' && scope.queues.includes(requirement.queue);
    case 'blobs':
      return (
        scope.kind === 'blobs' &&
        (requirement.bucket === null || scope.buckets.includes(requirement.bucket)) &&
        (requirement.access === 'read' || scope.access === 'write')
      );
    case 'invoke':
      return (
        requirement.level !== 'admin' &&
        scope.kind === 'function' &&
        scope.app === requirement.app &&
        (scope.fn === undefined || scope.fn === requirement.fn)
      );
  }
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function describe(requirement: AuthRequirement): string {
  switch (requirement.kind) {
    case 'identify':
      return 'send the key to identify';
    case 'read':
      return describe(requirement.otherwise);
    case 'admin':
      return 'the admin API needs the admin key or an admin-scoped key';
    case 'send':
      return `sending to queue ${requirement.queue} needs a producer key for it`;
    case 'blobs':
      return requirement.bucket === null
        ? 'the blob API needs a blobs key or the admin key'
        : `${requirement.access === 'write' ? 'writing to' : 'reading'} bucket ${requirement.bucket} needs a ${requirement.access === 'write' ? 'read-write ' : ''}blobs key for it`;
    case 'invoke':
      return requirement.level === 'admin'
        ? `${requirement.app}/${requirement.fn} needs the admin key`
        : `${requirement.app}/${requirement.fn} needs a key for app ${requirement.app}`;
  }
}
