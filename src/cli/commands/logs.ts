import { adminTransport } from '../api/admin-transport.js';
import { LogsClient, type LogQuery, type StoredLogLine } from '../api/logs-client.js';
import { CliError, UsageError } from '../cli-error.js';
import { integerOption } from '../command-group.js';
import { flag, stringOption, type CliCommand } from '../command.js';
import { clockTime, shortInvocationId } from '../dev/format-log-line.js';
import { printJson } from '../output/table.js';
import { waitForStopSignal } from '../signals.js';

const MAX_LOGS_LIMIT = 10_000;
const LEVEL_WIDTH = 'error'.length;
/** A `--since` span back from now (`10m`), as opposed to a date. */
const RELATIVE_SINCE = /^\d+[smhdw]$/;

export const logsCommand: CliCommand = {
  name: 'logs',
  summary: "print an app's function logs; -f keeps following them",
  usage: 'nimbus logs APP[/FUNCTION] [-f|--follow] [--since 10m] [--invocation ID] [--limit N] [--json]',
  help: [
    '-f, --follow      print the recent lines, then new ones as they come, until Ctrl+C',
    '--since T         only lines since T: 30m, 24h, 7d, or an ISO date / date-time',
    '--invocation ID   only the lines of one invocation: the 8 characters a line shows in [ ], more of the id,',
    '                  or all of it (--json, or the x-nimbus-invocation-id header)',
    `--limit N         the newest N lines (1-${MAX_LOGS_LIMIT}; default 100)`,
    '--json            print {lines: [...]}; with -f, one JSON line per log line',
    'Lines print as HH:MM:SS function [last 8 of the invocation id] level message, in local time.',
  ],
  options: {
    follow: { type: 'boolean', short: 'f' },
    since: { type: 'string' },
    invocation: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { names: ['APP[/FUNCTION]'] },
  async run(args, ctx) {
    const target = args.positionals[0]!;
    const [app, fn, ...rest] = target.split('/');
    if (!app || fn === '' || rest.length > 0) throw new UsageError(`expected APP or APP/FUNCTION, got "${target}"`, 'logs');
    const query: LogQuery = {};
    if (fn !== undefined) query.fn = fn;
    const since = stringOption(args, 'since');
    const invocation = stringOption(args, 'invocation');
    const limit = integerOption(args, 'limit', 'logs', 1, MAX_LOGS_LIMIT);
    if (since !== undefined) query.since = since;
    if (invocation !== undefined) query.invocation = invocation;
    if (limit !== undefined) query.limit = limit;
    const client = new LogsClient(adminTransport(args, ctx));
    const json = flag(args, 'json');

    const hint = { target, since, invocation };
    if (!flag(args, 'follow')) {
      const lines = await client.query(app, query);
      if (json) printJson(ctx.out, { lines });
      else lines.forEach((line) => ctx.out(formatStoredLogLine(line)));
      // Printing nothing at all reads as a broken command; on stderr, so scripts reading stdout see what they did.
      if (lines.length === 0 && !json) ctx.err(noLinesHint(hint, false));
      const several = invocation === undefined || json ? undefined : severalInvocationsNote(invocation, lines);
      if (several) ctx.err(several);
      return 0;
    }

    const stop = new AbortController();
    void waitForStopSignal(ctx.signals).then(() => stop.abort());
    // The stream does not mark where its recent lines end, so one line is asked for first, only to say when there is none.
    if (!json && (await client.query(app, { ...query, limit: 1 })).length === 0) ctx.err(noLinesHint(hint, true));
    const print = (line: StoredLogLine): void => ctx.out(json ? JSON.stringify(line) : formatStoredLogLine(line));
    const how = await client.follow(app, query, print, stop.signal);
    if (how === 'ended') throw new CliError('the node closed the log stream');
    return 0;
  },
};

/** `no log lines for hello in the last 10m`, naming the filters that may be why. */
function noLinesHint(of: { target: string; since: string | undefined; invocation: string | undefined }, following: boolean): string {
  const since = of.since?.trim();
  const window = since === undefined ? '' : RELATIVE_SINCE.test(since) ? ` in the last ${since}` : ` since ${since}`;
  const scope = `${of.target}${of.invocation === undefined ? '' : ` from invocation ${of.invocation}`}${window}`;
  if (following) return `no log lines yet for ${scope}; following…`;
  return `no log lines for ${scope}${scope === of.target ? ' yet' : ''}`;
}

/**
 * The end of an id a line shows may, rarely, be the end of another invocation's id too: the node answers the lines of
 * all of them, and this says so, with their ids, so the lines are not read as one invocation's.
 */
function severalInvocationsNote(given: string, lines: readonly StoredLogLine[]): string | undefined {
  const ids = [...new Set(lines.map((line) => line.invocationId))];
  if (ids.length < 2) return undefined;
  return `note: the lines are of ${ids.length} invocations whose ids end with ${given} (${ids.join(', ')}); give more of the id to see one`;
}

/** `HH:MM:SS fn [invocation] level message`, in local time; the same columns as `nimbus dev`. */
export function formatStoredLogLine(line: StoredLogLine): string {
  return `${clockTime(line.time)} ${line.functionName} [${shortInvocationId(line.invocationId)}] ${line.level.padEnd(LEVEL_WIDTH)} ${line.message.replace(/\n+$/, '')}`;
}
