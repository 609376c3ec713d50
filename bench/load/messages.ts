/** The IPC messages between a bench and its load-client process, defined once for both sides. */

export interface LoadRequest {
  kind: 'load';
  id: number;
  url: string;
  connections: number;
  durationSec: number;
}

/** One request, timed from the call that sends it to the last byte of the answer. */
export interface ProbeRequest {
  kind: 'probe';
  id: number;
  url: string;
  /** A new TCP connection for this request (closed after it), as a new user meets the server; else one kept-alive connection. */
  freshConnection?: boolean;
}

export type ClientRequest = LoadRequest | ProbeRequest;

export interface LoadResult {
  kind: 'load';
  id: number;
  /** Completed requests per second over the whole run (not the mean of per-second samples). */
  requestsPerSec: number;
  completed: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
}

export interface ProbeResult {
  kind: 'probe';
  id: number;
  status: number;
  ms: number;
}

export interface ClientFailure {
  kind: 'failure';
  id: number;
  message: string;
}

export type ClientReply = LoadResult | ProbeResult | ClientFailure;
