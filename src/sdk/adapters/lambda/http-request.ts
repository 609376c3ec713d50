/** What both API Gateway event formats are built from: one Nimbus request, read once. */
export interface RequestParts {
  method: string;
  /** The path as the client sent it (still percent-encoded). */
  rawPath: string;
  /** Without the `?`. */
  rawQueryString: string;
  /** Header names lower-case, as Node's fetch gives them; `cookie` included. */
  headers: [string, string][];
  body: Uint8Array | null;
  host: string;
  sourceIp: string;
  userAgent: string;
  contentType: string;
  receivedAt: Date;
}

/**
 * The parts of a request both event formats are built from. Synchronous for a
 * request without a body (most GETs): on the hot path every promise costs,
 * and more so in an instance, where async context tracking watches each one.
 */
export function readRequest(req: Request): RequestParts | Promise<RequestParts> {
  if (req.body === null) return requestParts(req, null);
  return req.arrayBuffer().then((buffer) => requestParts(req, buffer.byteLength > 0 ? new Uint8Array(buffer) : null));
}

function requestParts(req: Request, body: Uint8Array | null): RequestParts {
  // One pass over the headers (each Headers lookup sorts and searches the list again); the URL split by hand, not parsed.
  const headers = [...req.headers] as [string, string][];
  let host: string | undefined;
  let forwarded: string | undefined;
  let userAgent = '';
  let contentType = '';
  for (const [name, value] of headers) {
    if (name === 'host') host = value;
    else if (name === 'x-forwarded-for') forwarded = value;
    else if (name === 'user-agent') userAgent = value;
    else if (name === 'content-type') contentType = value;
  }
  const { url } = req;
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  const queryStart = url.indexOf('?', pathStart);
  const hashStart = url.indexOf('#', pathStart);
  const end = hashStart < 0 ? url.length : hashStart;
  const rawPath = pathStart < 0 ? '/' : url.slice(pathStart, queryStart < 0 ? end : queryStart);
  const rawQueryString = queryStart < 0 ? '' : url.slice(queryStart + 1, end);
  return {
    method: req.method,
    rawPath,
    rawQueryString,
    headers,
    body,
    host: host ?? url.slice(url.indexOf('//') + 2, pathStart < 0 ? undefined : pathStart),
    // Nimbus hands functions no peer address: the proxy's header when there is one, else loopback.
    sourceIp: forwarded?.split(',')[0]?.trim() || '127.0.0.1',
    userAgent,
    contentType,
    receivedAt: new Date(),
  };
}

/** Query parameters in order, decoded as API Gateway decodes them (`+` is a space). */
export function queryPairs(rawQueryString: string): [string, string][] {
  return rawQueryString === '' ? [] : [...new URLSearchParams(rawQueryString)];
}

/** Values of a repeated name joined with commas: HTTP API's `headers` and `queryStringParameters`. */
export function joinedByName(pairs: readonly [string, string][]): Record<string, string> {
  const joined: Record<string, string> = {};
  for (const [name, value] of pairs) joined[name] = name in joined ? `${joined[name]},${value}` : value;
  return joined;
}

/** The last value of each name: REST API's single-value maps. */
export function lastByName(pairs: readonly [string, string][]): Record<string, string> {
  const last: Record<string, string> = {};
  for (const [name, value] of pairs) last[name] = value;
  return last;
}

export function allByName(pairs: readonly [string, string][]): Record<string, string[]> {
  const all: Record<string, string[]> = {};
  for (const [name, value] of pairs) (all[name] ??= []).push(value);
  return all;
}

/** `12/Mar/2020:19:03:58 +0000`: the CLF time API Gateway puts in `requestContext.time`. */
export function clfTime(date: Date): string {
  // The text changes once a second; under load, many requests share it.
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastClf.second) lastClf = { second, text: formatClf(date) };
  return lastClf.text;
}

let lastClf = { second: NaN, text: '' };

function formatClf(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** Media types API Gateway's HTTP API passes as text; any other body arrives base64-encoded. */
export function isTextual(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === '') return true;
  return type.startsWith('text/') || /^application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded)$/.test(type);
}

/** Whether a REST API with these `binaryMediaTypes` passes this body base64-encoded. */
export function isBinaryFor(contentType: string, binaryMediaTypes: readonly string[]): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return binaryMediaTypes.some((pattern) => {
    const [wantType, wantSub] = pattern.toLowerCase().split('/');
    const [type0, sub0] = type.split('/');
    return (wantType === '*' || wantType === type0) && (wantSub === '*' || wantSub === sub0);
  });
}

/** Route parameters as AWS names them, from Nimbus's (`*` is the greedy `{proxy+}`). */
export function pathParametersOf(params: Readonly<Record<string, string>>, names: Readonly<Record<string, string>>): Record<string, string> | null {
  const out: Record<string, string> = {};
  let any = false;
  for (const [nimbus, aws] of Object.entries(names)) {
    const value = params[nimbus];
    if (value === undefined) continue;
    out[aws] = value;
    any = true;
  }
  return any ? out : null;
}
