import { STATUS_CODES } from 'node:http';
import type { CliContext } from '../command.js';
import { isJson } from './invoke-request.js';

const JSON_TYPE = 'application/json';
const NEWLINE = '\n'.charCodeAt(0);

/** The answer as `curl -i` shows it: status line, headers, a blank line, the body. */
export async function printAnswer(response: Response, ctx: CliContext): Promise<void> {
  ctx.out(`HTTP/1.1 ${response.status} ${response.statusText || STATUS_CODES[response.status] || ''}`.trimEnd());
  for (const [name, value] of response.headers) ctx.out(`${name}: ${value}`);
  ctx.out('');
  const body = new Uint8Array(await response.arrayBuffer());
  ctx.write(body);
  // A text answer without a final newline would leave the shell prompt on its last line.
  if (body.length > 0 && isText(response) && body[body.length - 1] !== NEWLINE) ctx.write('\n');
}

export interface AnswerJson {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  /** Parsed when the answer is JSON, else the text (base64 for a binary answer, with `bodyEncoding`). */
  body: unknown;
  bodyEncoding?: 'base64';
}

/** `--json`: the whole answer as one JSON value. */
export async function answerJson(response: Response): Promise<AnswerJson> {
  const bytes = Buffer.from(await response.arrayBuffer());
  const head = { status: response.status, statusText: response.statusText || STATUS_CODES[response.status] || '', headers: Object.fromEntries(response.headers) };
  if (!isText(response)) return { ...head, body: bytes.toString('base64'), bodyEncoding: 'base64' };
  const text = bytes.toString('utf8');
  return { ...head, body: response.headers.get('content-type')?.includes(JSON_TYPE) && isJson(text) ? JSON.parse(text) : text };
}

function isText(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return type === '' || type.startsWith('text/') || type.includes('json') || type.includes('xml') || type.includes('javascript');
}
