import type { ParseArgsConfig } from 'node:util';
import type { NimbusNode, NodeOptions } from '../server/node.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs produced for one command line, globals included. */
export interface ParsedArgs {
  values: Readonly<Record<string, string | boolean | undefined>>;
  positionals: readonly string[];
}

/** A source of process signals: `process` in the real CLI, an EventEmitter in tests. */
export interface SignalSource {
  once(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

/**
 * Everything a command may touch outside its arguments. The real CLI passes
 * the process's own; tests pass stand-ins, so long-running commands (start,
 * dev) are testable without a real node.
 */
export interface CliContext {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Writes one line to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** Writes raw bytes to standard output (a function's response body). */
  write(chunk: string | Uint8Array): void;
  /** Standard output is a terminal: progress may redraw a line (spinners). */
  isTTY?: boolean;
  startNode(options: NodeOptions): Promise<NimbusNode>;
  signals: SignalSource;
  /** Reads standard input to its end (`--data @-`); absent where there is none to read. */
  readStdin?(): Promise<Uint8Array>;
}

/**
 * One `nimbus <name>` command. Adding a command is adding a file in
 * `commands/` that exports one of these and listing it in `commands/index.ts`.
 */
export interface CliCommand {
  name: string;
  /** One line for the command list in `nimbus help`. */
  summary: string;
  /** The synopsis, e.g. `nimbus deploy DIR [--app NAME]`. */
  usage: string;
  /** Lines shown by `nimbus <name> --help` under the synopsis: options, examples. */
  help: readonly string[];
  options: OptionSpecs;
  /** Positional arguments accepted, by name (e.g. ['DIR']); `optional` of them may be left out from the end. */
  positionals: { names: readonly string[]; optional?: number };
  /** A group's subcommands (`queue send`…), for help and shell completion; absent for a plain command. */
  subcommands?: readonly { name: string; summary: string; options: OptionSpecs }[];
  /** Returns the exit code; throws CliError for a one-line failure. */
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A repeatable option (`multiple: true`): every value given, in order. */
export function listOption(args: ParsedArgs, name: string): string[] {
  const value = (args.values as Readonly<Record<string, unknown>>)[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}
