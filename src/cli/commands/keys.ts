import { adminTransport } from '../api/admin-transport.js';
import { describeScope } from '../../auth/describe-scope.js';
import { KeysClient, type KeyInfo, type KeyScope } from '../api/keys-client.js';
import { UsageError } from '../cli-error.js';
import { commandGroup, type Subcommand } from '../command-group.js';
import { flag, stringOption, type CliContext, type ParsedArgs } from '../command.js';
import { isoTime } from '../output/durations.js';
import { formatTable, printJson, printListing } from '../output/table.js';

const GROUP = 'keys';

const client = (args: ParsedArgs, ctx: CliContext): KeysClient => new KeysClient(adminTransport(args, ctx));

const create: Subcommand = {
  name: 'create',
  summary: 'create an API key; it is printed once',
  usage: 'nimbus keys create APP[/FUNCTION] | --producer Q1,Q2 | --blobs B1,B2 [--read-only] | --read | --admin [--label L] [--json]',
  help: [
    "APP           may invoke every auth:'key' function of APP",
    'APP/FUNCTION  may invoke only that function',
    '--producer Q  may send messages to the listed queues (comma-separated), nothing else',
    '--blobs B     may read and write objects of the listed buckets (comma-separated) over the blob API, nothing else',
    '--read-only   with --blobs: may only get, head and list',
    '--read        may read the whole admin API (every GET), change nothing: for dashboards and the console',
    '--admin       may do everything the admin key may',
    '--label L     a note to tell keys apart in "nimbus keys ls"',
    '--json        print {id, key, scope, label, createdAt, lastUsedAt}',
    'The key goes to standard output alone; it cannot be shown again.',
  ],
  options: { producer: { type: 'string' }, blobs: { type: 'string' }, 'read-only': { type: 'boolean' }, read: { type: 'boolean' }, admin: { type: 'boolean' }, label: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { names: ['APP[/FUNCTION]'], optional: 1 },
  async run(args, ctx) {
    const scope = scopeOf(args);
    const created = await client(args, ctx).create(scope, stringOption(args, 'label'));
    if (flag(args, 'json')) {
      printJson(ctx.out, created);
      return 0;
    }
    ctx.err(`Created key ${created.id} (${describeScope(created.scope)}). Store it now: it cannot be shown again.`);
    ctx.out(created.key);
    return 0;
  },
};

const ls: Subcommand = {
  name: 'ls',
  summary: 'list API keys (never their secrets)',
  usage: 'nimbus keys ls [--app APP] [--json]',
  help: ['--app APP  only keys for APP', '--json     print {keys: [...]} as the admin API returns it'],
  options: { app: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { names: [] },
  async run(args, ctx) {
    const keys = await client(args, ctx).list(stringOption(args, 'app'));
    printListing(ctx.out, flag(args, 'json'), {
      json: { keys },
      empty: keys.length === 0,
      emptyLine: 'No API keys. Create one with: nimbus keys create APP',
      lines: () => formatKeysTable(keys),
    });
    return 0;
  },
};

const revoke: Subcommand = {
  name: 'revoke',
  summary: 'revoke an API key at once',
  usage: 'nimbus keys revoke ID',
  help: ['Other nodes of a cluster stop accepting it within 10 seconds.'],
  options: {},
  positionals: { names: ['ID'] },
  async run(args, ctx) {
    const id = args.positionals[0]!;
    await client(args, ctx).revoke(id);
    ctx.out(`Revoked key ${id}`);
    return 0;
  },
};

export const keysCommand = commandGroup({ name: GROUP, summary: 'create, list and revoke API keys', subcommands: [create, ls, revoke] });

function scopeOf(args: ParsedArgs): KeyScope {
  const target = args.positionals[0];
  const producer = stringOption(args, 'producer');
  const blobs = stringOption(args, 'blobs');
  const admin = flag(args, 'admin');
  const read = flag(args, 'read');
  const chosen = [target !== undefined, producer !== undefined, blobs !== undefined, admin, read].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('give exactly one of APP[/FUNCTION], --producer QUEUES, --blobs BUCKETS, --read or --admin', GROUP);
  if (flag(args, 'read-only') && blobs === undefined) throw new UsageError('--read-only goes with --blobs (a read-only key for the whole admin API is --read)', GROUP);
  if (admin) return { kind: 'admin' };
  if (read) return { kind: 'read' };
  if (producer !== undefined) return { kind: 'producer', queues: nameList(producer, '--producer needs at least one queue name') };
  if (blobs !== undefined) {
    return { kind: 'blobs', buckets: nameList(blobs, '--blobs needs at least one bucket name'), access: flag(args, 'read-only') ? 'read' : 'write' };
  }
  const [app, fn, ...rest] = target!.split('/');
  if (!app || fn === '' || rest.length > 0) throw new UsageError(`expected APP or APP/FUNCTION, got "${target}"`, GROUP);
  return fn === undefined ? { kind: 'function', app } : { kind: 'function', app, fn };
}

function nameList(text: string, whenEmpty: string): string[] {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new UsageError(whenEmpty, GROUP);
  return names;
}

function formatKeysTable(keys: readonly KeyInfo[]): string[] {
  const rows = keys.map((k) => [k.id, describeScope(k.scope), k.label ?? '-', isoTime(k.createdAt), isoTime(k.lastUsedAt)]);
  return formatTable(['ID', 'SCOPE', 'LABEL', 'CREATED', 'LAST USED'], rows);
}
