import { adminTransport } from '../api/admin-transport.js';
import { TimersClient, type TimerRun, type TimerStatus } from '../api/timers-client.js';
import { commandGroup, integerOption, splitAppFunction, type Subcommand } from '../command-group.js';
import { flag, type CliContext, type ParsedArgs } from '../command.js';
import { isoTime } from '../output/durations.js';
import { formatTable, printListing } from '../output/table.js';

const GROUP = 'timers';
const MAX_HISTORY_LIMIT = 100;

const client = (args: ParsedArgs, ctx: CliContext): TimersClient => new TimersClient(adminTransport(args, ctx));

const ls: Subcommand = {
  name: 'ls',
  summary: 'every timer: schedule, zone, next three times, last run',
  usage: 'nimbus timers ls [--json]',
  help: ['--json  print {timers: [...]} as the admin API returns it'],
  options: { json: { type: 'boolean' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const timers = await client(args, ctx).list();
    printListing(ctx.out, flag(args, 'json'), {
      json: { timers },
      empty: timers.length === 0,
      emptyLine: 'No timers deployed.',
      lines: () => formatTimersTable(timers),
    });
    return 0;
  },
};

const run: Subcommand = {
  name: 'run',
  summary: 'run a timer function now, outside its schedule',
  usage: 'nimbus timers run APP/FUNCTION',
  help: ['Starts a run and returns; follow it with: nimbus timers history APP/FUNCTION'],
  options: {},
  positionals: { names: ['APP/FUNCTION'] },
  async run(args, ctx) {
    const { app, fn } = splitAppFunction(args.positionals[0]!, GROUP);
    const started = await client(args, ctx).runNow(app, fn);
    ctx.out(`Started ${app}/${fn} now (run ${started.id}); see it with: nimbus timers history ${app}/${fn}`);
    return 0;
  },
};

const history: Subcommand = {
  name: 'history',
  summary: "a timer's runs, newest first",
  usage: `nimbus timers history APP/FUNCTION [--limit N] [--json]`,
  help: [`--limit N  at most N runs (1-${MAX_HISTORY_LIMIT}; default 20)`, '--json     print {runs: [...]} as the admin API returns it'],
  options: { limit: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { names: ['APP/FUNCTION'] },
  async run(args, ctx) {
    const { app, fn } = splitAppFunction(args.positionals[0]!, GROUP);
    const limit = integerOption(args, 'limit', GROUP, 1, MAX_HISTORY_LIMIT);
    const runs = await client(args, ctx).history(app, fn, limit);
    printListing(ctx.out, flag(args, 'json'), {
      json: { runs },
      empty: runs.length === 0,
      emptyLine: `${app}/${fn} has not run yet.`,
      lines: () => formatRunsTable(runs),
    });
    return 0;
  },
};

export const timersCommand = commandGroup({ name: GROUP, summary: 'list timers, run one now, show its run history', subcommands: [ls, run, history] });

/** One row per timer with its first next time; the other next times on rows of their own below it. */
export function formatTimersTable(timers: readonly TimerStatus[]): string[] {
  const rows = timers.flatMap((t) => {
    const [first, ...later] = t.next;
    const last = t.lastRun;
    const outcome = last === null ? '-' : `${last.outcome}${last.attempts > 1 ? ` (${last.attempts} attempts)` : ''}`;
    const row = [`${t.app}/${t.functionName}`, t.cron, t.timezone, first?.zoned ?? '-', first ? isoTime(first.utc) : '-', last ? isoTime(last.firedAt ?? last.scheduledAt) : '-', outcome];
    return [row, ...later.map((n) => ['', '', '', n.zoned, isoTime(n.utc), '', ''])];
  });
  return formatTable(['TIMER', 'CRON', 'ZONE', 'NEXT (ZONE)', 'NEXT (UTC)', 'LAST RUN', 'OUTCOME'], rows);
}

function formatRunsTable(runs: readonly TimerRun[]): string[] {
  const rows = runs.map((r) => [
    String(r.id),
    isoTime(r.scheduledAt),
    r.reason,
    isoTime(r.firedAt),
    isoTime(r.finishedAt),
    String(r.attempts),
    r.outcome,
    r.error?.split('\n', 1)[0] ?? (r.missed > 0 ? `${r.missed} missed` : ''),
  ]);
  return formatTable(['RUN', 'SCHEDULED', 'REASON', 'FIRED', 'FINISHED', 'ATTEMPTS', 'OUTCOME', 'ERROR'], rows);
}

