/** A handler's plain return value, serialised without building a Response. */
export interface InlineAnswer {
  head: { status: number; headers: [string, string][] };
  body: Uint8Array;
}

const JSON_HEADERS: [string, string][] = [['content-type', 'application/json']];
const TEXT_HEADERS: [string, string][] = [['content-type', 'text/plain; charset=utf-8']];
const BYTES_HEADERS: [string, string][] = [['content-type', 'application/octet-stream']];

export function jsonAnswer(value: unknown): InlineAnswer {
  return { head: { status: 200, headers: JSON_HEADERS }, body: Buffer.from(JSON.stringify(value)) };
}

/** What an HTTP handler returned, as bytes where it can be (string, bytes, JSON value), else its Response. */
export function toAnswer(result: unknown): Response | InlineAnswer {
  if (result instanceof Response) return result;
  if (result === undefined || result === null) return { head: { status: 204, headers: [] }, body: new Uint8Array(0) };
  if (typeof result === 'string') return { head: { status: 200, headers: TEXT_HEADERS }, body: Buffer.from(result) };
  if (result instanceof Uint8Array) return { head: { status: 200, headers: BYTES_HEADERS }, body: result };
  return jsonAnswer(result);
}

/** Turns whatever an HTTP handler returned into a Response. */
export function toResponse(result: unknown): Response {
  if (result instanceof Response) return result;
  if (result === undefined || result === null) return new Response(null, { status: 204 });
  if (typeof result === 'string') return new Response(result, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  if (result instanceof Uint8Array) return new Response(result, { headers: { 'content-type': 'application/octet-stream' } });
  return Response.json(result);
}

/** Everything an async (queued) HTTP invocation sends back, as JSON. */
export async function responseToJson(response: Response): Promise<{ status: number; headers: [string, string][]; bodyBase64: string }> {
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: [...response.headers], bodyBase64: body.toString('base64') };
}
