import { resolve } from 'node:path';
import { flag, stringOption, type CliCommand } from '../command.js';
import { adminClient } from '../connection.js';
import { deployApp, formatCreatedBudgets, formatDeployResult, formatDeployWarnings, formatReading } from '../deploy-app.js';
import { parseAppFormat } from '../bundle/formats/app-format.js';
import { QUIET_STEPS, stepProgress } from '../output/step-progress.js';
import { printJson } from '../output/table.js';

export const deployCommand: CliCommand = {
  name: 'deploy',
  summary: 'bundle an app folder and deploy it as a new version',
  usage: 'nimbus deploy DIR [--app NAME] [--entry FILE] [--format FORMAT] [--skip-unsupported] [--no-typecheck] [--create-budgets] [--json]',
  help: [
    '--app NAME          app name (default: package.json name, else the folder name)',
    '--entry FILE        entry module (default: index.ts, index.js, then package.json main)',
    '--format FORMAT     nimbus, lambda (serverless.yml, template.yaml), workers (wrangler.toml) or azure',
    '                    (default: found from the folder; needed only when it looks like several)',
    '--skip-unsupported  deploy another platform\'s code even when parts of it have no Nimbus equivalent',
    '--no-typecheck      skip the TypeScript check before bundling (never done for another platform\'s code)',
    '--create-budgets    create each budget the functions name (`uses`) that does not exist (concurrency 10,',
    '                    no rate, not adaptive); without it such a deploy is refused',
    '--json              print the deploy result as JSON (with each step\'s time in ms)',
    'Shows each step with its time (type check, bundle, upload, live), then every function with its trigger',
    "and its URL or next run. Code identical to the live version is neither checked nor uploaded: \"unchanged, version N\".",
  ],
  options: {
    app: { type: 'string' },
    entry: { type: 'string' },
    format: { type: 'string' },
    'skip-unsupported': { type: 'boolean' },
    'no-typecheck': { type: 'boolean' },
    'create-budgets': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: { names: ['DIR'] },
  async run(args, ctx) {
    // The key is checked first, so a missing one fails before a slow bundle.
    const client = adminClient(args, ctx);
    const json = flag(args, 'json');
    const format = stringOption(args, 'format');
    const { result, steps, totalMs, reading } = await deployApp(client, resolve(ctx.cwd, args.positionals[0]!), {
      app: stringOption(args, 'app'),
      entry: stringOption(args, 'entry'),
      ...(format === undefined ? {} : { format: parseAppFormat(format) }),
      skipUnsupported: flag(args, 'skip-unsupported'),
      typecheck: !flag(args, 'no-typecheck'),
      skipUnchanged: true,
      createBudgets: flag(args, 'create-budgets'),
    }, json ? QUIET_STEPS : stepProgress(ctx.out, (chunk) => ctx.write(chunk), ctx.isTTY ?? false));
    if (json) {
      const origin = reading ? { format: reading.format, source: reading.source, mapped: reading.mapped, unsupported: reading.unsupported } : { format: 'nimbus' };
      printJson(ctx.out, { ...result, unchanged: result.unchanged ?? false, steps: steps.map((s) => ({ name: s.name, ms: Math.round(s.ms) })), origin });
    } else {
      if (reading) formatReading(reading).forEach((line) => ctx.out(line));
      [...formatDeployResult(result, totalMs), ...formatCreatedBudgets(result)].forEach((line) => ctx.out(line));
    }
    formatDeployWarnings(result).forEach((line) => ctx.err(line));
    return 0;
  },
};
