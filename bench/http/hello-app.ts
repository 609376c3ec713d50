/** The function every HTTP bench runs, and the bare-server twin of its logic. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionSettings } from '../../src/sdk/settings.js';

export interface HelloFunction {
  /** Export name, and the first path segment of its route: `GET /<name>/hello/:name`. */
  name: string;
  settings: FunctionSettings;
}

/** Source of an app's `index.ts` with one hello function per entry. */
export function helloAppSource(functions: readonly HelloFunction[]): string {
  return [
    `import { http } from 'nimbus';`,
    ...functions.map(({ name, settings }) =>
      `export const ${name} = http(${JSON.stringify({ route: `GET /${name}/hello/:name`, ...settings })}, ` +
      `(req, ctx) => Response.json({ hello: ctx.params.name }));`),
  ].join('\n');
}

export function helloPath(functionName: string, who = 'bench'): string {
  return `/${functionName}/hello/${who}`;
}

/** The same answer as the hello function, written straight on node:http: the ceiling Nimbus is compared with. */
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
