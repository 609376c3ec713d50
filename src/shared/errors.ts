/**
 * Every error Nimbus reports to a caller, in one table. The gateway, the
 * admin API and the CLI all speak these codes; docs/errors.md lists them and
 * a test keeps the two in step.
 */
export const ERRORS = {
  NIMBUS_ERR_AUTH_REQUIRED: { status: 401, message: 'a key is required: send it as "Authorization: Bearer <key>"' },
  NIMBUS_ERR_AUTH_INVALID: { status: 401, message: 'the key is not valid' },
  NIMBUS_ERR_AUTH_FORBIDDEN: { status: 403, message: 'the key may not do this' },
  NIMBUS_ERR_ROUTE_NOT_FOUND: { status: 404, message: 'no function serves this route' },
  NIMBUS_ERR_APP_NOT_FOUND: { status: 404, message: 'no such app' },
  NIMBUS_ERR_VERSION_NOT_FOUND: { status: 404, message: 'no such version' },
  NIMBUS_ERR_FUNCTION_NOT_FOUND: { status: 404, message: 'no such function' },
  NIMBUS_ERR_FUNCTION_NOT_HTTP: { status: 404, message: 'the function is not an HTTP function' },
  NIMBUS_ERR_API_NOT_FOUND: { status: 404, message: 'no such admin API endpoint' },
  NIMBUS_ERR_CONSOLE_NOT_FOUND: { status: 404, message: 'no such console file' },
  NIMBUS_ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed' },
  NIMBUS_ERR_BODY_TOO_LARGE: { status: 413, message: 'the request body is larger than allowed' },
  NIMBUS_ERR_BODY_INVALID: { status: 400, message: 'the request body is not valid' },
  NIMBUS_ERR_REQUEST_MALFORMED: { status: 400, message: 'the request is not valid HTTP' },
  NIMBUS_ERR_REQUEST_TIMEOUT: { status: 408, message: 'the request did not arrive in time' },
  NIMBUS_ERR_HEADERS_TOO_LARGE: { status: 431, message: 'the request headers are larger than allowed' },
  NIMBUS_ERR_DEPLOY_INVALID_NAME: { status: 400, message: 'app names are 1-63 characters: lower-case letters, digits and dashes, starting with a letter' },
  NIMBUS_ERR_DEPLOY_NO_FUNCTIONS: { status: 400, message: 'the app exports no functions' },
  NIMBUS_ERR_DEPLOY_LOAD_FAILED: { status: 400, message: 'the bundle failed to load' },
  NIMBUS_ERR_DEPLOY_INVALID_DEFINITION: { status: 400, message: 'a function definition is not valid' },
  NIMBUS_ERR_DEPLOY_ROUTE_CONFLICT: { status: 409, message: 'a route is already served by another app' },
  NIMBUS_ERR_DEPLOY_BUNDLE_TOO_LARGE: { status: 413, message: 'the bundle is larger than allowed' },
  NIMBUS_ERR_DEPLOY_UNRESOLVABLE_HOST: { status: 400, message: 'a host name in a network allow list does not resolve' },
  NIMBUS_ERR_FUNCTION_ERROR: { status: 500, message: 'the function threw an error' },
  NIMBUS_ERR_FUNCTION_CRASHED: { status: 502, message: 'the function instance crashed' },
  NIMBUS_ERR_FUNCTION_PROTOCOL: { status: 502, message: 'the function instance sent the node a malformed message and was replaced' },
  NIMBUS_ERR_FUNCTION_OUT_OF_MEMORY: { status: 502, message: 'the function instance ran out of memory' },
  NIMBUS_ERR_FUNCTION_TIMEOUT: { status: 504, message: 'the function did not finish within its timeout' },
  NIMBUS_ERR_FUNCTION_THROTTLED: { status: 429, message: 'the function has no free slot for this invocation now' },
  NIMBUS_ERR_BUDGET_EXHAUSTED: { status: 429, message: 'a downstream budget the function uses had no free permit within its queueTimeoutMs' },
  NIMBUS_ERR_BLOB_INVALID_BUCKET_NAME: { status: 400, message: 'bucket names are 3-63 characters: lower-case letters, digits, dots and dashes, starting with a letter or digit' },
  NIMBUS_ERR_BLOB_INVALID_KEY: { status: 400, message: 'the object key is not valid' },
  NIMBUS_ERR_BLOB_INVALID_REQUEST: { status: 400, message: 'the blob request is not valid' },
  NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND: { status: 404, message: 'no such bucket' },
  NIMBUS_ERR_BLOB_NOT_FOUND: { status: 404, message: 'no such object' },
  NIMBUS_ERR_BLOB_BUCKET_NOT_EMPTY: { status: 409, message: 'the bucket is not empty' },
  NIMBUS_ERR_BLOB_PRECONDITION_FAILED: { status: 412, message: 'a precondition (If-Match / If-None-Match) failed' },
  NIMBUS_ERR_BLOB_TOO_LARGE: { status: 413, message: 'the object is larger than allowed' },
  NIMBUS_ERR_BLOB_RANGE_NOT_SATISFIABLE: { status: 416, message: 'the requested range is not satisfiable' },
  /** Not a failure: a conditional GET/HEAD found the caller's copy current. */
  NIMBUS_ERR_BLOB_NOT_MODIFIED: { status: 304, message: 'not modified' },
  NIMBUS_ERR_BLOB_DATA_MISSING: { status: 500, message: 'the object is in the index but its bytes are missing from the blob storage' },
  NIMBUS_ERR_SECRET_NOT_FOUND: { status: 404, message: 'no such secret' },
  NIMBUS_ERR_KEY_NOT_FOUND: { status: 404, message: 'no such key' },
  NIMBUS_ERR_KEY_ID_TAKEN: { status: 409, message: 'an API key with this id already exists' },
  NIMBUS_ERR_QUEUE_NOT_FOUND: { status: 404, message: 'no such queue (it has had no message and no deployed function consumes it)' },
  NIMBUS_ERR_SECRET_UNREADABLE: { status: 500, message: 'a secret cannot be decrypted with this master key' },
  /** Asked for an invocation's result: only asynchronous calls keep one, so a synchronous call's id is not found either. */
  NIMBUS_ERR_INVOCATION_NOT_FOUND: {
    status: 404,
    message: "no asynchronous invocation with this id (results of asynchronous calls are kept for 24 hours by default; a synchronous call's result was its HTTP response, and is not kept)",
  },
  NIMBUS_ERR_BUDGET_NOT_FOUND: { status: 404, message: 'no such budget' },
  NIMBUS_ERR_BUDGET_INVALID_NAME: { status: 400, message: 'budget names are 1-63 characters: lower-case letters, digits and dashes, starting with a letter' },
  NIMBUS_ERR_BUDGET_IN_USE: { status: 409, message: 'the budget is used by functions of live versions' },
  NIMBUS_ERR_BUDGET_UNKNOWN: { status: 400, message: 'a function uses a budget that does not exist' },
  NIMBUS_ERR_QUERY_INVALID: { status: 400, message: 'a query parameter is not valid' },
  NIMBUS_ERR_NODE_SHUTTING_DOWN: { status: 503, message: 'the node is shutting down' },
  NIMBUS_ERR_STORAGE_FULL: { status: 507, message: 'the disk that holds the node\'s data is full (writes fail until there is room; reads work)' },
  NIMBUS_ERR_STORE_UNAVAILABLE: { status: 503, retryAfterSeconds: 10, message: 'the node cannot write to its data store (writes are refused; reads work)' },
  NIMBUS_ERR_INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string; retryAfterSeconds?: number }>;

export type ErrorCode = keyof typeof ERRORS;

export class NimbusError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra machine-readable facts (the field that failed, the conflicting app…). */
  readonly details: Record<string, unknown> | undefined;
  /** When a caller may try again (the `Retry-After` header), for errors that pass. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, detail?: string, details?: Record<string, unknown>) {
    super(detail ? `${ERRORS[code].message}: ${detail}` : ERRORS[code].message);
    this.name = 'NimbusError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
    const entry = ERRORS[code];
    this.retryAfterSeconds = 'retryAfterSeconds' in entry ? entry.retryAfterSeconds : undefined;
  }

  toJSON(): { error: { code: ErrorCode; message: string } & Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}
