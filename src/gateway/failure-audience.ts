import type { IncomingMessage } from 'node:http';
import { presentedKey, type Authorize } from '../auth/authorize.js';
import type { InvocationRecord } from '../sdk/client/types.js';
import type { KeyScope } from '../store/key-store.js';
import { answeredWithStatus } from '../triggers/queue/async-invocations.js';

/**
 * Whether the caller of a function that failed sees the function's own error
 * message in the answer; also whether a request to `/fn/<app>/<function>` that
 * found no function is told the names of the node's other apps and functions
 * (see function-path-miss.ts). Asked only once an invocation failed or a lookup
 * missed: a request that succeeds pays nothing for it.
 */
export type FailureAudience = (req: IncomingMessage) => Promise<boolean>;

/** Only the admin key is asked for, which is never read from the query string. */
const ANY_URL = new URL('http://nimbus.local/');

/**
 * The admin key (or an admin-scoped key) sees the message, however it called:
 * `nimbus invoke` calls `/fn/<app>/<fn>` with it, the console the invoke
 * endpoint. Anyone else gets the kind of failure and the invocation id, since
 * exception messages carry SQL, paths and connection strings, and a route's
 * caller may be anyone. `everyone` is for `nimbus dev`, where the developer is
 * the caller. The key is checked here, not taken from the route's own check:
 * an anonymous route lets every request in without looking at its key.
 */
export function failureAudience(authorize: Authorize, everyone: boolean): FailureAudience {
  if (everyone) return async () => true;
  return async (req) => {
    if (presentedKey(req.headers, ANY_URL, { kind: 'admin' }) === undefined) return false;
    const scope = await authorize(req.headers, ANY_URL, { kind: 'admin' }).catch(() => undefined);
    return scope?.kind === 'admin';
  };
}

/** What a caller outside the failure audience reads in place of a failed function's own message. */
export function withheldFailureMessage(invocationId: string): string {
  return `its logs have the details under invocation ${invocationId}`;
}

/**
 * An async invocation's record as `caller` may read it (undefined: nobody's
 * key, where a route lets anyone in). A function key may read the results of
 * what it may invoke, as it reads the answers: so, as there, without the
 * function's own error message. The admin key and the admin and read scopes
 * read the logs anyway. Nimbus's own line about a 5xx the function answered
 * is kept: the status and body were the function's answer to give.
 */
export function asyncRecordFor(caller: KeyScope | undefined, record: InvocationRecord): InvocationRecord {
  if (record.error === null || caller?.kind === 'admin' || caller?.kind === 'read') return record;
  const answered = record.status !== null && record.error === answeredWithStatus(record.status);
  return answered ? record : { ...record, error: `the invocation failed: ${withheldFailureMessage(record.invocationId)}` };
}
