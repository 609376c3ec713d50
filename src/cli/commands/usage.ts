import { adminTransport } from '../api/admin-transport.js';
import { UsageClient, type UsageFigures, type UsageGrouping, type UsageReport } from '../api/usage-client.js';
import { UsageError } from '../cli-error.js';
import { flag, stringOption, type CliCommand } from '../command.js';
import { formatTable, printJson } from '../output/table.js';

const GROUPINGS: readonly UsageGrouping[] = ['function', 'hour', 'day'];
const KEY_HEADERS: Record<UsageGrouping, string> = { function: 'FUNCTION', hour: 'HOUR (UTC)', day: 'DAY (UTC)' };
const COST_DECIMALS = 6;
const GB_SECONDS_DECIMALS = 4;

export const usageCommand: CliCommand = {
  name: 'usage',
  summary: 'invocations, GB-seconds, CPU, errors, cold starts and what they would cost on a public cloud',
  usage: 'nimbus usage [--app APP] [--since 24h] [--by function|hour|day] [--json]',
  help: [
    '--app APP    only this app',
    '--since T    30m, 24h (default), 7d, or an ISO date / date-time',
    '--by G       one row per function (default), hour or day (UTC)',
    '--json       print the report as the admin API returns it',
    'Cost uses typical public-cloud prices; Nimbus itself charges nothing.',
  ],
  options: { app: { type: 'string' }, since: { type: 'string' }, by: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const by = stringOption(args, 'by') as UsageGrouping | undefined;
    if (by !== undefined && !GROUPINGS.includes(by)) throw new UsageError(`--by must be one of ${GROUPINGS.join(', ')}, got "${by}"`, 'usage');
    const app = stringOption(args, 'app');
    const since = stringOption(args, 'since');
    const report = await new UsageClient(adminTransport(args, ctx)).report({
      ...(app !== undefined ? { app } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(by !== undefined ? { by } : {}),
    });
    if (flag(args, 'json')) printJson(ctx.out, report);
    else formatUsageTable(report).forEach((line) => ctx.out(line));
    return 0;
  },
};

/** One row per key, then a TOTAL row. */
export function formatUsageTable(report: UsageReport): string[] {
  const figures = (f: UsageFigures): string[] => [
    String(f.invocations),
    f.gbSeconds.toFixed(GB_SECONDS_DECIMALS),
    String(Math.round(f.cpuMs)),
    String(f.errors),
    String(f.coldStarts),
    `$${f.cost.toFixed(COST_DECIMALS)}`,
  ];
  const rows = [...report.rows.map((r) => [r.key, ...figures(r)]), ['TOTAL', ...figures(report.totals)]];
  return formatTable([KEY_HEADERS[report.by] ?? 'KEY', 'INVOCATIONS', 'GB-S', 'CPU-MS', 'ERRORS', 'COLD STARTS', 'COST'], rows);
}
