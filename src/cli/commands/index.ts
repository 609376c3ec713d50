import type { CliCommand } from '../command.js';
import { deployCommand } from './deploy.js';
import { devCommand } from './dev.js';
import { doctorCommand } from './doctor.js';
import { initCommand } from './init.js';
import { invokeCommand } from './invoke.js';
import { lsCommand } from './ls.js';
import { migrateStoreCommand } from './migrate-store.js';
import { nodesCommand } from './nodes.js';
import { rmCommand } from './rm.js';
import { rollbackCommand } from './rollback.js';
import { startCommand } from './start.js';
import { versionsCommand } from './versions.js';
import { timersCommand } from './timers.js';
import { secretsCommand } from './secrets.js';
import { budgetsCommand } from './budgets.js';
import { keysCommand } from './keys.js';
import { queueCommand } from './queue.js';
import { blobCommand } from './blob.js';
import { logsCommand } from './logs.js';
import { usageCommand } from './usage.js';
import { completionCommand } from './completion.js';
import { versionCommand } from './version.js';

/** Every `nimbus <command>`, in the order `nimbus help` lists them. A new command is a file here plus one line. */
export const COMMANDS: readonly CliCommand[] = [
  initCommand,
  startCommand,
  devCommand,
  deployCommand,
  lsCommand,
  invokeCommand,
  versionsCommand,
  rollbackCommand,
  rmCommand,
  logsCommand,
  usageCommand,
  timersCommand,
  queueCommand,
  blobCommand,
  secretsCommand,
  budgetsCommand,
  keysCommand,
  nodesCommand,
  doctorCommand,
  migrateStoreCommand,
  completionCommand(() => COMMANDS),
  versionCommand,
];

export function findCommand(name: string): CliCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}
