/** The function every HTTP bench runs, and the bare-server twin of its logic. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionSettings } from '../../src/sdk/settings.js';

export interface HelloFunction {
  /** Export name, and the first path segment of its route: `GET /<name>/hello/:name`. */
  name: string;
  settings: FunctionSettings;
  /** Lines the handler logs (console.log) before it answers, to measure log capture; none when absent. */
  logLines?: number;
}

/**
 * The hello handler itself. The app deployed to Nimbus is built from this
 * function's source text, and the "same handler" bare server calls it, so
 * both run literally the same code.
 */
export const helloHandler = (_req: Request, ctx: { params: Record<string, string> }): Response =>
  Response.json({ hello: ctx.params['name'] });

/** Source of an app's `index.ts` with one hello function per entry. */
export function helloAppSource(functions: readonly HelloFunction[]): string {
  return [
    `import { http } from 'nimbus-functions';`,
    ...functions.map(({ name, settings, logLines }) =>
      `export const ${name} = http(${JSON.stringify({ route: `GET /${name}/hello/:name`, ...settings })}, ${logLines ? loggingHandler(logLines) : helloHandler.toString()});`),
  ].join('\n');
}

/** The hello handler, logging `lines` lines of about 60 characters first. */
function loggingHandler(lines: number): string {
  return `(req, ctx) => { for (let i = 0; i < ${lines}; i++) console.log('hello', ctx.params.name, 'line', i, 'of', req.method, req.url); return (${helloHandler.toString()})(req, ctx); }`;
}

export function helloPath(functionName: string, who = 'bench'): string {
  return `/${functionName}/hello/${who}`;
}

/**
 * The hello handler on a bare node:http server, the way a fetch-style
 * handler runs on Node without a platform: the request becomes a `Request`,
 * the handler's `Response` is read and written out.
 */
export async function bareSameHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = /^\/[^/]+\/hello\/([^/?]+)/.exec(req.url ?? '');
  if (req.method !== 'GET' || !match) {
    res.writeHead(404).end();
    return;
  }
  const headers: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, { method: req.method, headers });
  const response = helloHandler(request, { params: { name: decodeURIComponent(match[1]!) } });
  const body = Buffer.from(await response.arrayBuffer());
  const head: string[] = [];
  for (const [name, value] of response.headers) head.push(name, value);
  head.push('content-length', String(body.byteLength));
  res.writeHead(response.status, head);
  res.end(body);
}

/** The same answer as the hello function, written straight on node:http without fetch's Request/Response: the ceiling. */
export function bareHelloHandler(req: IncomingMessage, res: ServerResponse): void {
  const match = /^\/[^/]+\/hello\/([^/?]+)/.exec(req.url ?? '');
  if (req.method !== 'GET' || !match) {
    res.writeHead(404).end();
    return;
  }
  const body = JSON.stringify({ hello: decodeURIComponent(match[1]!) });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
