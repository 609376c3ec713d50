import { UsageError } from './cli-error.js';
import type { CliCommand, CliContext, OptionSpecs, ParsedArgs } from './command.js';
import { GLOBAL_OPTIONS } from './connection.js';
import { closest } from '../shared/suggest.js';

/** One `nimbus <group> <name>` command, e.g. `nimbus queue send`. */
export interface Subcommand {
  name: string;
  summary: string;
  /** The synopsis, e.g. `nimbus queue send NAME --data JSON|@FILE`. */
  usage: string;
  /** Option lines shown under the synopsis in the group's help. */
  help: readonly string[];
  options: OptionSpecs;
  /** Positional arguments after the subcommand's name; `variadic` lets the last one repeat. */
  positionals: { names: readonly string[]; optional?: number; variadic?: boolean };
  /** `args.positionals` are the subcommand's own (its name removed). */
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

/**
 * The command table knows a fixed number of positionals per command; a group
 * takes as many as any subcommand could want and checks them itself.
 */
const MAX_GROUP_ARGUMENTS = 256;

/**
 * A `CliCommand` that dispatches on its first positional. Its options are
 * the union of its subcommands'; an option the chosen subcommand does not
 * take is refused as unknown, as it would be for a plain command.
 */
export function commandGroup(spec: { name: string; summary: string; subcommands: readonly Subcommand[] }): CliCommand {
  const options: OptionSpecs = {};
  for (const sub of spec.subcommands) Object.assign(options, sub.options);
  const names = spec.subcommands.map((s) => s.name);
  const usage = `nimbus ${spec.name} ${names.join('|')} ...`;
  const width = Math.max(...names.map((n) => n.length));
  const help = [
    'Subcommands:',
    ...spec.subcommands.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    ...spec.subcommands.flatMap((s) => ['', s.usage, ...s.help.map((l) => `  ${l}`)]),
  ];
  return {
    name: spec.name,
    summary: spec.summary,
    usage,
    help,
    options,
    positionals: { names: ['SUBCOMMAND', ...Array<string>(MAX_GROUP_ARGUMENTS).fill('ARG')], optional: MAX_GROUP_ARGUMENTS + 1 },
    subcommands: spec.subcommands,
    async run(args, ctx) {
      const [name, ...rest] = args.positionals;
      if (name === undefined) throw new UsageError(`missing subcommand: ${names.join(', ')}`, spec.name);
      const sub = spec.subcommands.find((s) => s.name === name);
      if (!sub) {
        const suggestion = closest(name, names);
        throw new UsageError(`unknown subcommand "${spec.name} ${name}"${suggestion ? `; did you mean "${spec.name} ${suggestion}"?` : `: use ${names.join(', ')}`}`, spec.name);
      }
      for (const [option, value] of Object.entries(args.values)) {
        if (value !== undefined && !(option in GLOBAL_OPTIONS) && !(option in sub.options)) {
          throw new UsageError(`unknown option "--${option}" for "${spec.name} ${name}"`, spec.name);
        }
      }
      checkPositionals(spec.name, sub, rest);
      return sub.run({ values: args.values, positionals: rest }, ctx);
    },
  };
}

function checkPositionals(group: string, sub: Subcommand, given: readonly string[]): void {
  const { names, optional = 0, variadic = false } = sub.positionals;
  if (!variadic && given.length > names.length) {
    throw new UsageError(`unexpected argument "${given[names.length]}"; usage: ${sub.usage}`, group);
  }
  if (given.length < names.length - optional) throw new UsageError(`missing ${names[given.length]}; usage: ${sub.usage}`, group);
}

/** `APP/FN` → its two parts; anything else is a usage error. */
export function splitAppFunction(target: string, group: string, what = 'APP/FUNCTION'): { app: string; fn: string } {
  const [app, fn, ...rest] = target.split('/');
  if (!app || !fn || rest.length > 0) throw new UsageError(`expected ${what}, got "${target}"`, group);
  return { app, fn };
}

/** A whole number option in `[min, max]`, or undefined when not given. */
export function integerOption(args: ParsedArgs, name: string, group: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = args.values[name];
  if (typeof raw !== 'string') return undefined;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number${max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`}, got "${raw}"`, group);
  }
  return value;
}
