import { parseArgs } from 'node:util';
import { startNode } from '../server/node.js';
import { CliError, UsageError } from './cli-error.js';
import type { CliCommand, CliContext, ParsedArgs } from './command.js';
import { COMMANDS, findCommand } from './commands/index.js';
import { GLOBAL_OPTIONS } from './connection.js';
import { formatCommandHelp, formatOverview } from './help.js';

const EXIT_OK = 0;
const EXIT_FAILED = 1;

/**
 * Runs one command line and returns the exit code. Every failure is printed
 * here, once, as `nimbus: <message>` (plus detail lines for failures that have
 * several parts, such as type errors).
 */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    const commandAt = findCommandIndex(argv);
    if (commandAt === -1) return showOverview(ctx, argv.length === 0 || argv.includes('--help') || argv.includes('-h'));
    const name = argv[commandAt]!;
    const rest = [...argv.slice(0, commandAt), ...argv.slice(commandAt + 1)];
    if (name === 'help') return showHelp(rest, ctx);

    const command = findCommand(name);
    if (!command) throw new UsageError(`unknown command "${name}"`);
    const args = parseCommandLine(command, rest);
    if (args.values['help'] === true) {
      formatCommandHelp(command).forEach((line) => ctx.out(line));
      return EXIT_OK;
    }
    checkPositionals(command, args);
    return await command.run(args, ctx);
  } catch (err) {
    return report(err, ctx);
  }
}

/** The real process: its streams, environment, signals and the real node. */
export async function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, {
    env: process.env,
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    write: (chunk) => process.stdout.write(chunk),
    isTTY: process.stdout.isTTY === true,
    startNode,
    signals: process,
  });
}

/** Global options with values may come before the command: `nimbus --url X ls`. */
function findCommandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) return i;
    const option = GLOBAL_OPTIONS[arg.replace(/^--/, '')];
    if (option?.type === 'string') i++;
  }
  return -1;
}

function parseCommandLine(command: CliCommand, args: readonly string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    throw new UsageError(describeParseError(err), command.name);
  }
}

/** Node's parseArgs messages are long and aimed at programmers; keep the part a user needs. */
function describeParseError(err: unknown): string {
  const message = (err as Error).message;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '([^']+)' argument missing/.exec(message);
  if (missing) return `option ${missing[1]} needs a value`;
  return message.split('. ')[0] ?? message;
}

function checkPositionals(command: CliCommand, args: ParsedArgs): void {
  const { names, optional = 0 } = command.positionals;
  const given = args.positionals.length;
  if (given > names.length) {
    throw new UsageError(`unexpected argument "${args.positionals[names.length]}"; usage: ${command.usage}`, command.name);
  }
  if (given < names.length - optional) throw new UsageError(`missing ${names[given]}; usage: ${command.usage}`, command.name);
}

function showOverview(ctx: CliContext, asked: boolean): number {
  if (!asked) throw new UsageError('no command given');
  formatOverview(COMMANDS).forEach((line) => ctx.out(line));
  return EXIT_OK;
}

function showHelp(rest: readonly string[], ctx: CliContext): number {
  const topic = rest.find((a) => !a.startsWith('-'));
  if (topic === undefined) {
    formatOverview(COMMANDS).forEach((line) => ctx.out(line));
    return EXIT_OK;
  }
  const command = findCommand(topic);
  if (!command) throw new UsageError(`unknown command "${topic}"`);
  formatCommandHelp(command).forEach((line) => ctx.out(line));
  return EXIT_OK;
}

function report(err: unknown, ctx: CliContext): number {
  if (err instanceof CliError) {
    ctx.err(`nimbus: ${err.message}`);
    err.details.forEach((line) => ctx.err(`  ${line}`));
  } else {
    ctx.err(`nimbus: internal error: ${err instanceof Error ? err.message : String(err)}`);
    if (ctx.env['NIMBUS_DEBUG'] && err instanceof Error && err.stack) ctx.err(err.stack);
  }
  return EXIT_FAILED;
}
