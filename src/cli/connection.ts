import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NODE_URL_FILE, readNodeUrlFile } from '../server/node-url-file.js';
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
  '--url URL    the node to talk to (else NIMBUS_URL, else the URL its node wrote to <NIMBUS_DATA or ./.nimbus>/url, else http://127.0.0.1:8080)',
  '--key KEY    admin key (else NIMBUS_ADMIN_KEY, else the file <NIMBUS_DATA or ./.nimbus>/admin-key when it belongs to that URL)',
  '-h, --help   show help for a command',
];

/** A setting and where it came from, for messages that must say which node and which key were used. */
export interface Sourced {
  value: string;
  /** `--url`, `NIMBUS_URL`, a file's path, `the default`… */
  source: string;
}

/** The data folder a local `nimbus start` in this folder would use: NIMBUS_DATA, else ./.nimbus. */
export function localDataDir(ctx: CliContext): string {
  return resolve(ctx.cwd, nonEmpty(ctx.env['NIMBUS_DATA']) ?? DEFAULT_DATA_DIR);
}

/** `--url`, else NIMBUS_URL, else the URL the local data folder's node recorded, else the default. */
export function resolveNodeUrl(args: ParsedArgs, ctx: CliContext): Sourced {
  const flagged = stringOption(args, 'url');
  if (flagged !== undefined) return { value: flagged, source: '--url' };
  const env = nonEmpty(ctx.env['NIMBUS_URL']);
  if (env !== undefined) return { value: env, source: 'NIMBUS_URL' };
  const dataDir = localDataDir(ctx);
  const recorded = recordedUrl(dataDir);
  if (recorded !== undefined) return { value: recorded, source: join(dataDir, NODE_URL_FILE) };
  return { value: DEFAULT_URL, source: 'the default' };
}

/**
 * The admin key: `--key`, else NIMBUS_ADMIN_KEY, else the key file a local
 * `nimbus start` wrote into its data folder. The key file is paired with the
 * `url` file beside it: when the URL was given explicitly and names another
 * node, that node never gets this folder's key.
 */
export function resolveAdminKey(args: ParsedArgs, ctx: CliContext, url: Sourced = resolveNodeUrl(args, ctx)): Sourced {
  const flagged = stringOption(args, 'key');
  if (flagged !== undefined) return { value: flagged, source: '--key' };
  const env = nonEmpty(ctx.env['NIMBUS_ADMIN_KEY']);
  if (env !== undefined) return { value: env, source: 'NIMBUS_ADMIN_KEY' };
  const dataDir = localDataDir(ctx);
  const keyFile = join(dataDir, ADMIN_KEY_FILE);
  const pairedUrl = recordedUrl(dataDir);
  if (pairedUrl !== undefined && !sameNode(pairedUrl, url.value)) {
    throw new CliError(
      `no admin key for ${url.value} (from ${url.source}): ${keyFile} belongs to ${pairedUrl} (see ${join(dataDir, NODE_URL_FILE)}); pass --key or set NIMBUS_ADMIN_KEY`,
    );
  }
  let key: string;
  try {
    key = readFileSync(keyFile, 'utf8').trim();
  } catch {
    throw new CliError(`no admin key: pass --key or set NIMBUS_ADMIN_KEY (no key file at ${keyFile})`);
  }
  if (key === '') throw new CliError(`no admin key: the key file ${keyFile} is empty`);
  return { value: key, source: keyFile };
}

/** The node to talk to and the key to show it, each with where it came from. */
export function resolveConnection(args: ParsedArgs, ctx: CliContext): { url: Sourced; key: Sourced } {
  const url = resolveNodeUrl(args, ctx);
  return { url, key: resolveAdminKey(args, ctx, url) };
}

export function adminClient(args: ParsedArgs, ctx: CliContext): AdminClient {
  const { url, key } = resolveConnection(args, ctx);
  return new AdminClient(url.value, key.value, { url: url.source, key: key.source });
}

/** The URL the data folder's node recorded; a file that is there but unreadable is the user's to fix, so it is one line. */
function recordedUrl(dataDir: string): string | undefined {
  try {
    return readNodeUrlFile(dataDir);
  } catch (err) {
    throw new CliError(`cannot read ${join(dataDir, NODE_URL_FILE)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0', '[::]']);

/** Two URLs name the same node: same scheme, port and path, and the same host (every loopback name counts as one). */
export function sameNode(a: string, b: string): boolean {
  return nodeIdentity(a) === nodeIdentity(b);
}

function nodeIdentity(raw: string): string {
  try {
    const url = new URL(raw);
    const host = LOOPBACK_HOSTS.has(url.hostname) ? 'loopback' : url.hostname;
    return `${url.protocol}//${host}:${url.port}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return raw.replace(/\/+$/, '');
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
