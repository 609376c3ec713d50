import type { CliCommand } from '../command.js';
import { adminClient } from '../connection.js';

export const rmCommand: CliCommand = {
  name: 'rm',
  summary: 'remove an app with all its versions',
  usage: 'nimbus rm APP',
  help: [],
  options: {},
  positionals: { names: ['APP'] },
  async run(args, ctx) {
    const app = args.positionals[0]!;
    await adminClient(args, ctx).removeApp(app);
    ctx.out(`Removed ${app}`);
    return 0;
  },
};
