import type { CliCommand } from './command.js';
import { GLOBAL_HELP } from './connection.js';

/** `nimbus help`: every command with its one-line summary. */
export function formatOverview(commands: readonly CliCommand[]): string[] {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: nimbus <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  show this list, or one command's options: nimbus help <command>`,
    '',
    'Options for every command:',
    ...GLOBAL_HELP.map((l) => `  ${l}`),
  ];
}

/** `nimbus <command> --help`. */
export function formatCommandHelp(command: CliCommand): string[] {
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  if (command.help.length > 0) lines.push('', ...command.help.map((l) => `  ${l}`));
  lines.push('', 'Options for every command:', ...GLOBAL_HELP.map((l) => `  ${l}`));
  return lines;
}
