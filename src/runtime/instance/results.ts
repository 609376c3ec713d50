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
