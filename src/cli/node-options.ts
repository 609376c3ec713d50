import { resolve } from 'node:path';
import type { NodeOptions } from '../server/node.js';
import { parseStorageConfig, StorageConfigError } from '../server/storage-config.js';
import { CliError, UsageError } from './cli-error.js';
import { stringOption, type CliContext, type OptionSpecs, type ParsedArgs } from './command.js';
import { DEFAULT_DATA_DIR } from './connection.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
const MAX_PORT = 65535;

/** Options of the commands that run a node in this process (start, dev). */
export const NODE_OPTIONS: OptionSpecs = {
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  data: { type: 'string' },
  isolation: { type: 'string' },
  store: { type: 'string' },
  blobs: { type: 'string' },
  address: { type: 'string' },
};

const ISOLATION_LEVELS = ['auto', 'strict', 'basic'] as const;

export const NODE_OPTIONS_HELP: readonly string[] = [
  '--host HOST   address to listen on (env NIMBUS_HOST; default 127.0.0.1)',
  '--port PORT   port to listen on, 0 for any free one (env NIMBUS_PORT; default 8080)',
  '--store URL   state: postgres://user:password@host/db for a cluster, or sqlite: (env NIMBUS_STORE; default SQLite in the data folder)',
  '--blobs URL   blobs and bundles: s3://bucket?endpoint=…&region=… (env NIMBUS_BLOBS; default files in the data folder)',
  '--address URL the URL other nodes and operators reach this node on (env NIMBUS_ADDRESS; default the URL it listens on)',
  '--isolation auto|strict|basic   sandboxing (env NIMBUS_ISOLATION; default auto: strict where the host allows it, loudly basic otherwise; strict refuses to start without it)',
];

/** Flags first, then NIMBUS_HOST / NIMBUS_PORT / NIMBUS_DATA, then the defaults. */
export function readNodeOptions(args: ParsedArgs, ctx: CliContext, command: string, defaultDataDir = DEFAULT_DATA_DIR): NodeOptions {
  const host = stringOption(args, 'host') ?? (ctx.env['NIMBUS_HOST'] || DEFAULT_HOST);
  const rawPort = stringOption(args, 'port') ?? (ctx.env['NIMBUS_PORT'] || String(DEFAULT_PORT));
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > MAX_PORT) throw new UsageError(`port must be a number from 0 to ${MAX_PORT}, not "${rawPort}"`, command);
  const dataDir = resolve(ctx.cwd, stringOption(args, 'data') ?? (ctx.env['NIMBUS_DATA'] || defaultDataDir));
  const isolation = stringOption(args, 'isolation') ?? (ctx.env['NIMBUS_ISOLATION'] || 'auto');
  if (!(ISOLATION_LEVELS as readonly string[]).includes(isolation)) {
    throw new UsageError(`isolation must be one of ${ISOLATION_LEVELS.join(', ')}, not "${isolation}"`, command);
  }
  const store = stringOption(args, 'store') ?? (ctx.env['NIMBUS_STORE'] || undefined);
  const blobs = stringOption(args, 'blobs') ?? (ctx.env['NIMBUS_BLOBS'] || undefined);
  try {
    parseStorageConfig({ store, blobs });
  } catch (err) {
    if (err instanceof StorageConfigError) throw new CliError(err.message);
    throw err;
  }
  const address = stringOption(args, 'address') ?? (ctx.env['NIMBUS_ADDRESS'] || undefined);
  if (address !== undefined && !/^https?:\/\/[^/\s]+/.test(address)) throw new UsageError(`--address must be an http:// or https:// URL, not "${address}"`, command);
  // The node would read NIMBUS_ADMIN_KEY from the process itself; passing it makes start and dev report the key's source truthfully.
  const adminKey = ctx.env['NIMBUS_ADMIN_KEY']?.trim() || undefined;
  return {
    host, port, dataDir, isolation: isolation as (typeof ISOLATION_LEVELS)[number], ...(adminKey ? { adminKey } : {}),
    ...(store !== undefined ? { store } : {}), ...(blobs !== undefined ? { blobs } : {}), ...(address !== undefined ? { address } : {}),
  };
}
