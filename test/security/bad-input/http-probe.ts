import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/** What came back for one request. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface ProbeRequest {
  method: string;
  /** Path and query, sent as written (no normalisation, no re-encoding). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Declares a Content-Length of this many bytes and sends none of them: an oversize body without the cost of one. */
  declaredLength?: number;
  /** Its own connection: a function that answers before reading its body may have the connection dropped after its answer. */
  fresh?: boolean;
}

/** A request that gets no answer within this long is reported as a hang. */
export const ANSWER_TIMEOUT_MS = 30_000;
/** Enough of any answer to judge it; a streamed answer (logs follow) is cut here. */
const MAX_ANSWER_BYTES = 1024 * 1024;

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/**
 * Sends one request with node:http (fetch would normalise the path, refuse
 * some methods and always send the body it declares).
 */
export function probe(baseUrl: string, r: ProbeRequest): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...r.headers };
    if (r.declaredLength !== undefined) headers['content-length'] = String(r.declaredLength);
    const req = request({ host: hostname, port, method: r.method, path: r.path, headers, agent: r.declaredLength !== undefined || r.fresh ? false : agent });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms: ${r.method} ${r.path.slice(0, 200)}`));
    }, ANSWER_TIMEOUT_MS);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      };
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        chunks.push(chunk);
        if (size >= MAX_ANSWER_BYTES) {
          done();
          req.destroy();
        }
      });
      res.on('end', () => {
        done();
        if (r.declaredLength !== undefined) req.destroy();
      });
      res.on('error', () => done());
    });
    // A CONNECT's answer arrives as 'connect' with the connection handed over, whatever its status.
    req.on('connect', (res, socket, head) => {
      const chunks: Buffer[] = [head];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${r.method} ${r.path.slice(0, 200)}: ${err.message}`));
    });
    if (r.declaredLength !== undefined) req.flushHeaders();
    else req.end(r.body);
  });
}

/**
 * Why an answer is not a clean refusal: a 4xx whose body is
 * `{"error":{"code":"NIMBUS_ERR_…","message":"…"}}` (HEAD answers have no body).
 * Null when it is one.
 */
export function notAClientError(method: string, answer: Answer, allowSuccess = false): string | null {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400) return allowSuccess && answer.status >= 200 ? null : `answered ${answer.status}, not a 4xx: ${answer.text.slice(0, 200)}`;
  if (!/^application\/json/.test(String(answer.headers['content-type'] ?? ''))) return `answered ${answer.status} with content-type ${answer.headers['content-type']}`;
  if (method === 'HEAD') return null;
  let body: { error?: { code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    return `answered ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}`;
  }
  if (typeof body.error?.code !== 'string' || !body.error.code.startsWith('NIMBUS_ERR_')) return `answered ${answer.status} without an error code: ${answer.text.slice(0, 200)}`;
  if (typeof body.error.message !== 'string' || body.error.message === '') return `answered ${answer.status} without an error message`;
  return null;
}

export function closeProbeConnections(): void {
  agent.destroy();
}
