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
    if (app.functions.length === 0) return [[app.name, version, '-', '-', '-', '0']];
    return app.functions.map((f) => [app.name, version, f.name, f.kind, triggerCell(f), String(f.instances)]);
  });
  return formatTable(['APP', 'VERSION', 'FUNCTION', 'KIND', 'TRIGGER', 'INSTANCES'], rows);
}

function triggerCell(f: AppSummary['functions'][number]): string {
  const trigger = describeTrigger(f);
  return f.kind === 'timer' ? `${trigger} (${describeReach(f)})` : trigger;
}
