import type { NimbusNode, NodeOptions } from '../server/node.js';
import { DataFolderInUseError } from '../server/data-folder-lock.js';
import { StorageConfigError } from '../server/storage-config.js';
import { CliError } from './cli-error.js';
import type { CliContext } from './command.js';

/**
 * Starts the node for `start` and `dev`. The usual reasons a node cannot
 * start — the port is taken, the data folder is not usable — are the user's
 * to fix, so they become one readable line instead of an internal error.
 */
export async function startNodeFor(ctx: CliContext, options: NodeOptions): Promise<NimbusNode> {
  try {
    return await ctx.startNode(options);
  } catch (err) {
    throw explainStartFailure(err, options) ?? err;
  }
}

export function explainStartFailure(err: unknown, options: NodeOptions): CliError | undefined {
  if (err instanceof StorageConfigError || err instanceof DataFolderInUseError) return new CliError(err.message);
  const { code, syscall, path } = err as NodeJS.ErrnoException;
  const where = `${options.host}:${options.port}`;
  if (syscall === 'listen' || code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL') {
    if (code === 'EADDRINUSE') return new CliError(`cannot listen on ${where}: the port is already in use (choose another with --port)`);
    if (code === 'EACCES') return new CliError(`cannot listen on ${where}: permission denied (ports below 1024 need privileges)`);
    if (code === 'EADDRNOTAVAIL') return new CliError(`cannot listen on ${where}: no such address on this machine (check --host)`);
  }
  if (typeof path === 'string' && (code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOENT' || code === 'EEXIST')) {
    return new CliError(`cannot use the data folder ${options.dataDir}: ${code} on ${path} (choose another with --data)`);
  }
  return undefined;
}
