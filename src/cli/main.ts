import { parseArgs } from 'node:util';
import type { NimbusNode, NodeOptions } from '../server/node.js';
import { CliError, UsageError } from './cli-error.js';
import type { CliCommand, CliContext, ParsedArgs } from './command.js';
import { COMMANDS, findCommand } from './commands/index.js';
import { GLOBAL_OPTIONS } from './connection.js';
import { versionCommand } from './commands/version.js';
import { formatCommandHelp, formatOverview } from './help.js';
import { didYouMean } from '../shared/suggest.js';

const EXIT_OK = 0;
const EXIT_FAILED = 1;

/**
 * Runs one command line and returns the exit code. Every failure is printed
 * here, once, as `nimbus: <message>` (plus detail lines for failures that have
 * several parts, such as type errors).
 */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    if (argv[0] === '--version' || argv[0] === '-v') return await versionCommand.run({ values: {}, positionals: [] }, ctx);
    const commandAt = findCommandIndex(argv);
    if (commandAt === -1) return showOverview(ctx, argv.length === 0 || argv.includes('--help') || argv.includes('-h'));
    const name = argv[commandAt]!;
    const rest = [...argv.slice(0, commandAt), ...argv.slice(commandAt + 1)];
    if (name === 'help') return showHelp(rest, ctx);

    const command = findCommand(name);
    if (!command) throw new UsageError(`unknown command "${name}"${didYouMean(name, commandNames())}`);
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
    // Loaded only by the commands that run a node: every other command starts without the
    // server's graph (the S3 and PostgreSQL clients alone took ~0.4 s of each CLI run).
    startNode: async (options: NodeOptions): Promise<NimbusNode> => (await import('../server/node.js')).startNode(options),
    signals: process,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
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
  const options = { ...GLOBAL_OPTIONS, ...command.options };
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    throw new UsageError(describeParseError(err, Object.keys(options)), command.name);
  }
}

/** Every name `nimbus <name>` accepts, for "did you mean". */
function commandNames(): string[] {
  return [...COMMANDS.map((c) => c.name), 'help'];
}

/**
 * Node's parseArgs messages are long, several lines, and aimed at
 * programmers: keep one line with the part a user needs, and suggest the
 * closest option for one that does not exist.
 */
export function describeParseError(err: unknown, optionNames: readonly string[]): string {
  const message = (err as Error).message;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const given = unknown[1]!;
    const suggestion = given.startsWith('--') ? didYouMean(given, optionNames.map((n) => `--${n}`)) : '';
    return `unknown option "${given}"${suggestion}`;
  }
  // The option as Node names it: '--url <value>' or '-d, --data <value>'; the long form is what a user types.
  const named = (raw: string) => (/--[\w-]+/.exec(raw)?.[0] ?? raw.split(' ')[0]!);
  const missing = /^Option '([^']+)' argument missing/.exec(message);
  if (missing) return `option ${named(missing[1]!)} needs a value`;
  const ambiguous = /^Option '([^']+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    const option = named(ambiguous[1]!);
    return `option ${option} needs a value (for a value that starts with "-", write ${option.startsWith('--') ? `${option}=-VALUE` : `${option}-VALUE`})`;
  }
  const noValue = /^Option '([^']+)' does not take an argument/.exec(message);
  if (noValue) return `option ${named(noValue[1]!)} takes no value`;
  const first = message.split(/\.\s|\n/)[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1);
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
  if (!command) throw new UsageError(`unknown command "${topic}"${didYouMean(topic, commandNames())}`);
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
