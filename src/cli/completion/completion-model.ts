import type { CliCommand, OptionSpecs } from '../command.js';
import { GLOBAL_OPTIONS } from '../connection.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export interface CompletionOption {
  long: string;
  short?: string;
  takesValue: boolean;
}

/** One word the shell may complete: a command or a subcommand, with its flags and the words that may follow it. */
export interface CompletionEntry {
  name: string;
  summary: string;
  options: CompletionOption[];
  /** Words completed right after this one (a group's subcommands, help's topics, completion's shells). */
  words: { name: string; summary: string }[];
  subcommands: CompletionEntry[];
}

/**
 * What every shell's script is generated from: the command table itself, so
 * a new command, subcommand or flag is completed without touching a script.
 */
export interface CompletionModel {
  commands: CompletionEntry[];
  /** Flags every command takes (`--url`, `--key`, `--help`). */
  global: CompletionOption[];
  /** Flags accepted only before any command. */
  topLevel: CompletionOption[];
  /** Every flag that takes a value, as typed (`--url`, `-d`): the word after it is that value, never a command. */
  valueFlags: string[];
}

export function completionModel(commands: readonly CliCommand[]): CompletionModel {
  const topics = [...commands.map((c) => ({ name: c.name, summary: c.summary })), { name: 'help', summary: "show one command's options" }];
  const entries: CompletionEntry[] = commands.map((c) => ({
    name: c.name,
    summary: c.summary,
    // A group's own options are the union of its subcommands': each subcommand's are offered after it instead.
    options: c.subcommands ? [] : optionsOf(c.options),
    words: c.name === 'completion' ? SHELLS.map((s) => ({ name: s, summary: `the script for ${s}` })) : (c.subcommands ?? []).map(({ name, summary }) => ({ name, summary })),
    subcommands: (c.subcommands ?? []).map((s) => ({ name: s.name, summary: s.summary, options: optionsOf(s.options), words: [], subcommands: [] })),
  }));
  entries.push({ name: 'help', summary: "show this list, or one command's options", options: [], words: topics, subcommands: [] });
  const all = [GLOBAL_OPTIONS, ...commands.flatMap((c) => [c.options, ...(c.subcommands ?? []).map((s) => s.options)])];
  const valueFlags = new Set<string>();
  for (const specs of all) {
    for (const option of optionsOf(specs)) {
      if (!option.takesValue) continue;
      valueFlags.add(`--${option.long}`);
      if (option.short) valueFlags.add(`-${option.short}`);
    }
  }
  return {
    commands: entries,
    global: optionsOf(GLOBAL_OPTIONS),
    topLevel: [{ long: 'version', short: 'v', takesValue: false }],
    valueFlags: [...valueFlags].sort(),
  };
}

function optionsOf(specs: OptionSpecs): CompletionOption[] {
  return Object.entries(specs).map(([long, spec]) => ({ long, ...(spec.short ? { short: spec.short } : {}), takesValue: spec.type === 'string' }));
}

/** Every way to type the options: `--data`, `-d`. */
export function flagWords(options: readonly CompletionOption[]): string[] {
  return options.flatMap((o) => [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])]);
}
