import { flag, type CliCommand } from '../command.js';
import { adminClient } from '../connection.js';
import { formatTable, printJson } from '../output/table.js';

const BYTES_PER_KIB = 1024;

/** Epoch milliseconds as UTC `2025-03-02T10:00:00Z`: sortable, and the same on every machine. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const versionsCommand: CliCommand = {
  name: 'versions',
  summary: "list an app's versions, newest first; the live one is marked",
  usage: 'nimbus versions APP [--json]',
  help: ['--json  print {versions: [...]} as the admin API returns it'],
  options: { json: { type: 'boolean' } },
  positionals: { names: ['APP'] },
  async run(args, ctx) {
    const versions = await adminClient(args, ctx).listVersions(args.positionals[0]!);
    if (flag(args, 'json')) {
      printJson(ctx.out, { versions });
      return 0;
    }
    const newestFirst = [...versions].sort((a, b) => b.version - a.version);
    const rows = newestFirst.map((v) => [
      `v${v.version}`,
      v.live ? 'live' : '',
      formatTime(v.createdAt),
      `${(v.bundleSize / BYTES_PER_KIB).toFixed(1)} KiB`,
      v.functions.join(', '),
    ]);
    formatTable(['VERSION', 'LIVE', 'CREATED', 'SIZE', 'FUNCTIONS'], rows).forEach((line) => ctx.out(line));
    return 0;
  },
};
