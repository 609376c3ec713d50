/**
 * The one answer an admin API route gives: a status and a JSON body (none for
 * 204). A route that streams (logs that follow, an invocation's answer) writes
 * to the response itself and returns undefined instead.
 */
export interface AdminResult<Body = unknown> {
  status: number;
  body: Body;
  headers?: Record<string, string>;
}

export const NO_CONTENT: AdminResult<null> = { status: 204, body: null };
