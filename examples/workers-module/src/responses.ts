export function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

export function notFound(what: string): Response {
  return json({ error: `not found: ${what}` }, 404);
}
