import { adminApiError, type AdminApiError } from '../admin-client.js';
import { CliError, UsageError } from '../cli-error.js';
import { flag, listOption, stringOption, type CliCommand } from '../command.js';
import { adminClient } from '../connection.js';
import { eventFunctionRefusal } from '../invoke/event-function-refusal.js';
import { buildInvokeRequest } from '../invoke/invoke-request.js';
import { answerJson, printAnswer } from '../invoke/print-answer.js';
import { printJson } from '../output/table.js';
import { didYouMean } from '../../shared/suggest.js';

const FIRST_ERROR_STATUS = 400;

export const invokeCommand: CliCommand = {
  name: 'invoke',
  summary: 'call an HTTP function and print its whole answer: status line, headers, body',
  usage: "nimbus invoke APP/FUNCTION [--path /REST] [--method M] [--header 'NAME: VALUE']... [--query NAME=VALUE]... [--data JSON|TEXT|@FILE|@-] [--json]",
  help: [
    '--path /REST           appended to /fn/APP/FUNCTION; for a route GET /orders/:id, --path /42 (or /orders/42) sets ctx.params.id',
    '--method M             HTTP method (default: the one the route declares, else POST)',
    "--header 'NAME: VALUE' a request header; repeat for more",
    '--query NAME=VALUE     a query parameter; repeat for more',
    '--data VALUE           request body: JSON or text as typed, @FILE for a file, @- for standard input',
    '--json                 print {status, statusText, headers, body} instead',
    'The request goes to /fn/APP/FUNCTION with the admin key, which the function never sees.',
    'Exits 1 when the answer is 400 or above. Queue, blob and timer functions are refused:',
    'use nimbus queue send, nimbus blob put or nimbus timers run.',
  ],
  options: {
    data: { type: 'string', short: 'd' },
    method: { type: 'string', short: 'X' },
    path: { type: 'string' },
    header: { type: 'string', short: 'H', multiple: true },
    query: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  positionals: { names: ['APP/FUNCTION'] },
  async run(args, ctx) {
    const target = args.positionals[0]!;
    const [app, fn, ...rest] = target.split('/');
    if (!app || !fn || rest.length > 0) throw new UsageError(`expected APP/FUNCTION, got "${target}"`, 'invoke');
    const client = adminClient(args, ctx);
    const summary = (await client.getApp(app)).functions;
    const deployed = summary.find((f) => f.name === fn);
    if (!deployed) throw new CliError(`no such function: ${target}${didYouMean(fn, summary.map((f) => f.name))}`);
    const refusal = eventFunctionRefusal(app, deployed);
    if (refusal) throw refusal;

    const data = stringOption(args, 'data');
    const method = stringOption(args, 'method');
    const path = stringOption(args, 'path');
    const request = await buildInvokeRequest(app, fn, {
      route: deployed.route,
      headers: listOption(args, 'header'),
      query: listOption(args, 'query'),
      ...(method !== undefined ? { method } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(data !== undefined ? { data } : {}),
    }, ctx);
    const response = await client.transport.fetchNode(request.method, request.target, {
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
    });

    // Nimbus's own refusals (no route, the function threw, timed out…) are one line, as for every command.
    const nimbusError = await nimbusErrorOf(response, target);
    if (nimbusError) throw nimbusError;
    if (flag(args, 'json')) printJson(ctx.out, await answerJson(response));
    else await printAnswer(response, ctx);
    if (response.status < FIRST_ERROR_STATUS) return 0;
    ctx.err(`nimbus: ${target} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    return 1;
  },
};

/** A `{error: {code: 'NIMBUS_ERR_…'}}` answer is the node's, not the function's; one that ran says where its log lines are. */
async function nimbusErrorOf(response: Response, target: string): Promise<CliError | undefined> {
  if (response.status < FIRST_ERROR_STATUS || !response.headers.get('content-type')?.includes('application/json')) return undefined;
  const error: AdminApiError = await adminApiError(response.clone());
  if (!error.code?.startsWith('NIMBUS_ERR_')) return undefined;
  const invocation = response.headers.get('x-nimbus-invocation-id');
  return new CliError(`${error.message}${invocation ? ` (invocation ${invocation}; its log lines: nimbus logs ${target} --invocation ${invocation})` : ''}`);
}
