import { newInvocationId } from '../runtime/invocation-id.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CredentialFilter } from '../auth/credential-filter.js';
import type { Dispatcher } from '../runtime/dispatcher.js';
import { InvocationFailure, type InvocationResponse, type Outcome, type TriggerTag } from '../runtime/invocation.js';
import { NimbusError, type ErrorCode } from '../shared/errors.js';
import { BodyLimit } from './body-limit.js';
import { withheldFailureMessage, type FailureAudience } from './failure-audience.js';
import { sendError } from './json.js';
import type { RouteTarget } from './route-table.js';

/** Connection-level headers that describe this hop, not the request. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

const EMPTY_BODY = new Uint8Array(0);

function drain(body: InvocationResponse['body']): void {
  if (!Buffer.isBuffer(body)) body.resume();
}

const FAILURE_CODES: Record<Exclude<Outcome, 'ok'>, ErrorCode> = {
  error: 'NIMBUS_ERR_FUNCTION_ERROR',
  timeout: 'NIMBUS_ERR_FUNCTION_TIMEOUT',
  'out-of-memory': 'NIMBUS_ERR_FUNCTION_OUT_OF_MEMORY',
  crashed: 'NIMBUS_ERR_FUNCTION_CRASHED',
  throttled: 'NIMBUS_ERR_FUNCTION_THROTTLED',
};

/** Node checks names and values as it writes them; one a Response could never carry means the instance made it up. */
function writeHead(res: ServerResponse, response: InvocationResponse, headers: string[]): void {
  try {
    if (response.statusText) res.writeHead(response.status, response.statusText, headers);
    else res.writeHead(response.status, headers);
  } catch (err) {
    drain(response.body);
    throw new NimbusError('NIMBUS_ERR_FUNCTION_PROTOCOL', `its answer has an invalid head (${(err as Error).message})`);
  }
}

/**
 * A failed invocation as the caller's answer: its status and code, what kind
 * of failure it was and the invocation id. The function's own message (an
 * exception's text, a start-up error) only for the failure audience, asked
 * only now, so a request that succeeds pays nothing for it: exception messages
 * carry SQL, file paths, even connection strings, and a route's caller is
 * anyone. The message and stack are in the function's logs under the id.
 * A throttled invocation never ran: its message is the node's own.
 */
async function failureAnswer(req: IncomingMessage, failure: InvocationFailure, invocationId: string, audience: FailureAudience | undefined): Promise<NimbusError> {
  const code = failure.code ?? FAILURE_CODES[failure.outcome];
  const details = { ...failure.details, invocationId };
  const detailed = failure.outcome === 'throttled' || (audience !== undefined && (await audience(req).catch(() => false)));
  return new NimbusError(code, detailed ? failure.message : withheldFailureMessage(invocationId), details);
}

/** Runs an HTTP function for one request, streaming both bodies. */
export interface FunctionRequestOptions {
  params: Record<string, string>;
  maxBodyBytes: number;
  trigger?: TriggerTag;
  /** The method the function sees, when it differs from the HTTP request's (admin invoke). */
  method?: string;
  /** A body the caller already read and checked (an event function's JSON input); the request's own is not read again. */
  body?: Uint8Array;
  /** Takes the caller's Nimbus credentials out of what the function sees. */
  credentials: CredentialFilter;
  /** Who sees a failed function's own error message (else only the kind of failure and the invocation id); nobody when absent. */
  failureAudience?: FailureAudience | undefined;
}

export async function handleFunctionRequest(
  req: IncomingMessage,
  res: ServerResponse,
  dispatcher: Dispatcher,
  target: RouteTarget,
  { params, maxBodyBytes, trigger = 'http', method = req.method ?? 'GET', body: presetBody, credentials, failureAudience }: FunctionRequestOptions,
): Promise<void> {
  const invocationId = newInvocationId();
  const declared = presetBody ? presetBody.byteLength : Number(req.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) {
    sendError(res, new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `${declared} bytes, limit ${maxBodyBytes}`), { connection: 'close' });
    req.resume();
    return;
  }
  const headers: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) headers.push([raw[i]!, raw[i + 1]!]);
  }
  const authenticated = target.auth !== 'anonymous';
  credentials.stripHeaders(headers, req.headers, authenticated);
  const url = `http://${req.headers.host ?? 'localhost'}${credentials.stripUrl(req.url ?? '/', authenticated)}`;
  // Most GETs carry no body: skip the stream machinery for them.
  const hasBody = !presetBody && (req.headers['transfer-encoding'] !== undefined || declared > 0);
  const limit = hasBody ? new BodyLimit(maxBodyBytes) : null;
  if (limit) {
    req.pipe(limit);
    // pipe() does not pass on a caller that went away mid-body: fail the body so the handler hears of it (ctx.signal).
    req.once('close', () => {
      if (!req.complete) limit.destroy(new Error('the caller went away before sending the whole body'));
    });
  }
  // A request without a body is left unread: node:http drains it once the answer is written, off this path.
  try {
    const dispatched = dispatcher.dispatch({
      id: invocationId,
      app: target.app,
      functionName: target.functionName,
      trigger,
      head: { method, url, headers, params },
      body: limit ?? presetBody ?? EMPTY_BODY,
      ...(typeof req.headers.traceparent === 'string' ? { traceparent: req.headers.traceparent } : {}),
    });
    let response: InvocationResponse;
    if (limit) {
      // Answer 413 the moment the cap is passed, whatever the handler is doing with the body.
      const tooLarge = new Promise<never>((_, reject) => {
        limit.once('error', () => {
          if (limit.exceeded) reject(new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `more than ${maxBodyBytes} bytes`));
        });
      });
      tooLarge.catch(() => {});
      dispatched.then((r) => { if (limit.exceeded) drain(r.body); }, () => {});
      response = await Promise.race([dispatched, tooLarge]);
      if (limit.exceeded) throw new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `more than ${maxBodyBytes} bytes`);
    } else {
      response = await dispatched;
    }
    const flat: string[] = [];
    for (const [name, value] of response.headers) {
      if (!HOP_BY_HOP.has(name)) flat.push(name, value);
    }
    flat.push('x-nimbus-invocation-id', invocationId);
    const body = response.body;
    if (Buffer.isBuffer(body)) {
      // The whole body arrived with the head: one write, no stream.
      flat.push('content-length', String(body.byteLength));
      writeHead(res, response, flat);
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    // The instance may have failed between sending the head and this turn: nothing would ever flow.
    if (body.destroyed) throw body.errored ?? new InvocationFailure('crashed', 'the response ended before it was sent');
    writeHead(res, response, flat);
    if (method === 'HEAD') {
      body.resume();
      res.end();
      return;
    }
    // pipe, not pipeline: pipeline builds an AbortController (and a DOMException) per response.
    body.once('error', () => res.destroy());
    res.once('close', () => { if (!body.readableEnded) body.destroy(); });
    body.pipe(res);
  } catch (err) {
    const tooLarge = limit?.exceeded === true;
    const error = tooLarge
      ? new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `more than ${maxBodyBytes} bytes`)
      : err instanceof InvocationFailure
        ? await failureAnswer(req, err, invocationId, failureAudience)
        : err instanceof NimbusError ? err : new NimbusError('NIMBUS_ERR_INTERNAL', (err as Error).message);
    const extra: Record<string, string> = { 'x-nimbus-invocation-id': invocationId };
    if (err instanceof InvocationFailure && err.outcome === 'throttled') extra['retry-after'] = String(Math.max(1, Math.ceil((err.retryAfterMs ?? 1000) / 1000)));
    if (tooLarge) extra['connection'] = 'close';
    sendError(res, error, extra);
  }
}
