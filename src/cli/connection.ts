import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AdminClient } from './admin-client.js';
import { CliError } from './cli-error.js';
import { stringOption, type CliContext, type OptionSpecs, type ParsedArgs } from './command.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';
export const DEFAULT_DATA_DIR = '.nimbus';
export const ADMIN_KEY_FILE = 'admin-key';

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  url: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const GLOBAL_HELP: readonly string[] = [
  '--url URL    the node to talk to (env NIMBUS_URL; default http://127.0.0.1:8080)',
  '--key KEY    admin key (env NIMBUS_ADMIN_KEY; default: the file <NIMBUS_DATA or ./.nimbus>/admin-key)',
  '-h, --help   show help for a command',
];

export function nodeUrl(args: ParsedArgs, ctx: CliContext): string {
  return stringOption(args, 'url') ?? nonEmpty(ctx.env['NIMBUS_URL']) ?? DEFAULT_URL;
}

/**
 * The admin key: `--key`, else NIMBUS_ADMIN_KEY, else the key file a local
 * `nimbus start` wrote into its data folder.
 */
export function adminKey(args: ParsedArgs, ctx: CliContext): string {
  const explicit = stringOption(args, 'key') ?? nonEmpty(ctx.env['NIMBUS_ADMIN_KEY']);
  if (explicit !== undefined) return explicit;
  const keyFile = resolve(ctx.cwd, nonEmpty(ctx.env['NIMBUS_DATA']) ?? DEFAULT_DATA_DIR, ADMIN_KEY_FILE);
  let key: string;
  try {
    key = readFileSync(keyFile, 'utf8').trim();
  } catch {
    throw new CliError(`no admin key: pass --key or set NIMBUS_ADMIN_KEY (no key file at ${keyFile})`);
  }
  if (key === '') throw new CliError(`no admin key: the key file ${keyFile} is empty`);
  return key;
}

export function adminClient(args: ParsedArgs, ctx: CliContext): AdminClient {
  return new AdminClient(nodeUrl(args, ctx), adminKey(args, ctx));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
