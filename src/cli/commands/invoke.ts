import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { adminApiError, firstLine } from '../admin-client.js';
import { CliError, UsageError } from '../cli-error.js';
import { flag, stringOption, type CliCommand, type CliContext } from '../command.js';
import { adminClient } from '../connection.js';
import { printJson } from '../output/table.js';

const FIRST_ERROR_STATUS = 400;
const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const BINARY_TYPE = 'application/octet-stream';

export const invokeCommand: CliCommand = {
  name: 'invoke',
  summary: "call a function and print its response body",
  usage: 'nimbus invoke APP/FUNCTION [--data JSON|TEXT|@FILE] [--method POST] [--json]',
  help: [
    '--data VALUE    request body: JSON or text as typed, or @FILE to send a file',
    '--method M      HTTP method the function sees (default POST)',
    '--json          print {status, headers, body} instead of the body alone',
    'Exits 1 with one line when the function answers 400 or above.',
  ],
  options: { data: { type: 'string', short: 'd' }, method: { type: 'string', short: 'X' }, json: { type: 'boolean' } },
  positionals: { names: ['APP/FUNCTION'] },
  async run(args, ctx) {
    const target = args.positionals[0]!;
    const [app, fn, ...rest] = target.split('/');
    if (!app || !fn || rest.length > 0) throw new UsageError(`expected APP/FUNCTION, got "${target}"`, 'invoke');
    const client = adminClient(args, ctx);
    const payload = await readPayload(stringOption(args, 'data'), ctx);
    const response = await client.invoke(app, fn, { method: stringOption(args, 'method')?.toUpperCase() ?? 'POST', ...payload });

    if (response.status >= FIRST_ERROR_STATUS) throw await invokeError(target, response);
    if (flag(args, 'json')) {
      printJson(ctx.out, await describeResponse(response));
      return 0;
    }
    const body = new Uint8Array(await response.arrayBuffer());
    ctx.write(body);
    // A text answer without a final newline would leave the shell prompt on its last line.
    if (body.length > 0 && isText(response) && body[body.length - 1] !== '\n'.charCodeAt(0)) ctx.write('\n');
    return 0;
  },
};

async function readPayload(data: string | undefined, ctx: CliContext): Promise<{ body?: string | Uint8Array; contentType?: string }> {
  if (data === undefined) return {};
  if (data.startsWith('@')) {
    const path = resolve(ctx.cwd, data.slice(1));
    let body: Uint8Array;
    try {
      body = await readFile(path);
    } catch {
      throw new CliError(`cannot read --data file ${path}`);
    }
    return { body, contentType: extname(path) === '.json' ? JSON_TYPE : BINARY_TYPE };
  }
  return { body: data, contentType: isJson(data) ? JSON_TYPE : TEXT_TYPE };
}

/** The server's own error message when Nimbus answered for the function; else the function's status and first line. */
async function invokeError(target: string, response: Response): Promise<CliError> {
  if (response.headers.get('content-type')?.includes(JSON_TYPE)) {
    const apiError = await adminApiError(response.clone());
    if (apiError.code !== undefined) return apiError;
  }
  const snippet = firstLine(await response.text());
  return new CliError(`${target} answered ${response.status}${snippet ? `: ${snippet}` : ''}`);
}

async function describeResponse(response: Response): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
  const text = await response.text();
  const body = response.headers.get('content-type')?.includes(JSON_TYPE) && isJson(text) ? JSON.parse(text) : text;
  return { status: response.status, headers: Object.fromEntries(response.headers), body };
}

function isText(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return type === '' || type.startsWith('text/') || type.includes('json');
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
