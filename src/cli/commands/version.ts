import type { CliCommand } from '../command.js';
import { packageVersion } from '../version.js';

export const versionCommand: CliCommand = {
  name: 'version',
  summary: 'print the version of this installation (also: nimbus --version, nimbus -v)',
  usage: 'nimbus version',
  help: [],
  options: {},
  positionals: { names: [] },
  async run(_args, ctx) {
    ctx.out(packageVersion());
    return 0;
  },
};
