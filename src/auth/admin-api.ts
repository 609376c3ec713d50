import { NimbusError } from '../shared/errors.js';

/** A framework-free admin API answer; the gateway writes `body` as JSON (none for 204). */
export interface AdminApiResponse {
  status: number;
  body: unknown;
}

/**
 * One admin API area. `pathParts` are the decoded segments after
 * `/_nimbus/api/v1`, e.g. `['apps', 'shop', 'secrets', 'STRIPE_KEY']`.
 * The caller has already authorized the request as admin.
 */
export type AdminApiHandler = (method: string, pathParts: readonly string[], body: unknown, query?: URLSearchParams) => Promise<AdminApiResponse>;

export const NO_CONTENT: AdminApiResponse = { status: 204, body: null };

export function notFound(pathParts: readonly string[]): NimbusError {
  return new NimbusError('NIMBUS_ERR_API_NOT_FOUND', `/${pathParts.join('/')}`);
}

export function methodNotAllowed(method: string, allowed: readonly string[]): NimbusError {
  return new NimbusError('NIMBUS_ERR_METHOD_NOT_ALLOWED', `${method}; allowed: ${allowed.join(', ')}`, { allow: allowed });
}
