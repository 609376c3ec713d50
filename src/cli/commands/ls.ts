import { flag, type CliCommand } from '../command.js';
import { adminClient } from '../connection.js';
import { formatTable, printListing } from '../output/table.js';
import type { AppSummary } from '../admin-client.js';
import { describeReach, describeTrigger } from '../output/triggers.js';

export const lsCommand: CliCommand = {
  name: 'ls',
  summary: 'list apps and their functions',
  usage: 'nimbus ls [--json]',
  help: ['--json  print {apps: [...]} as the admin API returns it'],
  options: { json: { type: 'boolean' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const apps = await adminClient(args, ctx).listApps();
    printListing(ctx.out, flag(args, 'json'), {
      json: { apps },
      empty: apps.length === 0,
      emptyLine: 'No apps deployed. Deploy one with: nimbus deploy DIR',
      lines: () => formatAppsTable(apps),
    });
    return 0;
  },
};

/** One row per function with its trigger (a timer's with its next run); an app without functions still gets a row. */
export function formatAppsTable(apps: readonly AppSummary[]): string[] {
  const rows = apps.flatMap((app) => {
    const version = `v${app.liveVersion}`;
    if (app.functions.length === 0) return [[app.name, version, '-', '-', '-', '0', '-']];
    return app.functions.map((f) => [app.name, version, f.name, f.kind, triggerCell(f), String(f.instances), originOf(f)]);
  });
  // The origin column appears once some function came from another platform's code.
  const withOrigin = rows.some((row) => row[6] !== undefined && row[6] !== '-');
  const header = ['APP', 'VERSION', 'FUNCTION', 'KIND', 'TRIGGER', 'INSTANCES', ...(withOrigin ? ['ORIGIN'] : [])];
  return formatTable(header, rows.map((row) => (withOrigin ? row : row.slice(0, 6))));
}

function originOf(f: AppSummary['functions'][number]): string {
  const origin = (f.settings as Record<string, unknown> | undefined)?.['origin'];
  return typeof origin === 'string' ? origin : '-';
}

function triggerCell(f: AppSummary['functions'][number]): string {
  const trigger = describeTrigger(f);
  return f.kind === 'timer' ? `${trigger} (${describeReach(f)})` : trigger;
}
