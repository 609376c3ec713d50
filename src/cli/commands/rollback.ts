import { UsageError } from '../cli-error.js';
import { flag, stringOption, type CliCommand } from '../command.js';
import { adminClient } from '../connection.js';
import { printJson } from '../output/table.js';

export const rollbackCommand: CliCommand = {
  name: 'rollback',
  summary: 'make an earlier version live again (default: the one before the live one)',
  usage: 'nimbus rollback APP [--to N] [--json]',
  help: ['--to N  the version to make live', '--json  print the result as JSON'],
  options: { to: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { names: ['APP'] },
  async run(args, ctx) {
    const to = parseVersion(stringOption(args, 'to'));
    const result = await adminClient(args, ctx).rollback(args.positionals[0]!, to);
    if (flag(args, 'json')) printJson(ctx.out, result);
    else ctx.out(`Rolled back ${result.app} to v${result.liveVersion} (was v${result.previousVersion})`);
    return 0;
  },
};

function parseVersion(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const version = Number(raw.replace(/^v/, ''));
  if (!Number.isSafeInteger(version) || version < 1) throw new UsageError(`--to takes a version number such as 3, not "${raw}"`, 'rollback');
  return version;
}
