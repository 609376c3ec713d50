import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { adminTransport } from '../api/admin-transport.js';
import { SecretsClient } from '../api/secrets-client.js';
import { CliError, UsageError } from '../cli-error.js';
import { commandGroup, type Subcommand } from '../command-group.js';
import { flag, type CliContext, type ParsedArgs } from '../command.js';
import { isoTime } from '../output/durations.js';
import { formatTable, printListing } from '../output/table.js';

const GROUP = 'secrets';

const client = (args: ParsedArgs, ctx: CliContext): SecretsClient => new SecretsClient(adminTransport(args, ctx));

const set: Subcommand = {
  name: 'set',
  summary: 'set one or more secrets of an app (values are never printed)',
  usage: 'nimbus secrets set APP KEY=VALUE [KEY2=VALUE2 ...]',
  help: [
    'KEY=VALUE   the value is everything after the first "="',
    'KEY=@FILE   the value is the contents of FILE, as they are (a final newline included)',
    'Every pair is read before anything is sent. New values reach instances started after the change.',
  ],
  options: {},
  positionals: { names: ['APP', 'KEY=VALUE'], variadic: true },
  async run(args, ctx) {
    const [app, ...pairs] = args.positionals as [string, ...string[]];
    const secrets = await Promise.all(pairs.map((pair) => readPair(pair, ctx)));
    const secretsClient = client(args, ctx);
    for (const { name, value } of secrets) {
      await secretsClient.set(app, name, value);
      ctx.out(`Set ${name} for ${app}`);
    }
    return 0;
  },
};

const ls: Subcommand = {
  name: 'ls',
  summary: "an app's secret names and when they changed",
  usage: 'nimbus secrets ls APP [--json]',
  help: ['--json  print {secrets: [...]} as the admin API returns it (names and times only)'],
  options: { json: { type: 'boolean' } },
  positionals: { names: ['APP'] },
  async run(args, ctx) {
    const app = args.positionals[0]!;
    const secrets = await client(args, ctx).list(app);
    printListing(ctx.out, flag(args, 'json'), {
      json: { secrets },
      empty: secrets.length === 0,
      emptyLine: `${app} has no secrets. Set one with: nimbus secrets set ${app} KEY=VALUE`,
      lines: () => formatTable(['NAME', 'CREATED', 'UPDATED'], secrets.map((s) => [s.name, isoTime(s.createdAt), isoTime(s.updatedAt)])),
    });
    return 0;
  },
};

const rm: Subcommand = {
  name: 'rm',
  summary: 'remove a secret from an app',
  usage: 'nimbus secrets rm APP KEY',
  help: [],
  options: {},
  positionals: { names: ['APP', 'KEY'] },
  async run(args, ctx) {
    const [app, name] = args.positionals as [string, string];
    await client(args, ctx).remove(app, name);
    ctx.out(`Removed ${name} from ${app}`);
    return 0;
  },
};

export const secretsCommand = commandGroup({ name: GROUP, summary: "set, list and remove an app's secrets", subcommands: [set, ls, rm] });

/** `KEY=VALUE` or `KEY=@FILE`. Error messages name the key, never the value. */
async function readPair(pair: string, ctx: CliContext): Promise<{ name: string; value: string }> {
  const equals = pair.indexOf('=');
  if (equals <= 0) throw new UsageError(`expected KEY=VALUE, got an argument without "=" or without a key`, GROUP);
  const name = pair.slice(0, equals);
  const value = pair.slice(equals + 1);
  if (!value.startsWith('@')) return { name, value };
  const path = resolve(ctx.cwd, value.slice(1));
  try {
    return { name, value: await readFile(path, 'utf8') };
  } catch {
    throw new CliError(`cannot read the file for ${name}: ${path}`);
  }
}
