import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { CliError } from '../../../cli-error.js';
import { parseJsonc } from './jsonc.js';

/** The names wrangler reads, in the order it prefers them. */
export const WRANGLER_FILES = ['wrangler.json', 'wrangler.jsonc', 'wrangler.toml'] as const;

export function findWranglerFile(appDir: string): string | undefined {
  return WRANGLER_FILES.find((name) => existsSync(join(appDir, name)));
}

/** The file's top-level table; a CliError naming the file and the problem when it cannot be read. */
export async function readWranglerFile(appDir: string, name: string): Promise<Record<string, unknown>> {
  const text = await readFile(join(appDir, name), 'utf8');
  let parsed: unknown;
  try {
    parsed = name.endsWith('.toml') ? parseToml(text) : parseJsonc(text);
  } catch (err) {
    throw new CliError(`${name} is not valid ${name.endsWith('.toml') ? 'TOML' : 'JSON'}: ${describeParseError(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(`${name} must hold a table of settings at the top`);
  return parsed as Record<string, unknown>;
}

/** One line: smol-toml's first line with its position, or JSON.parse's message. */
function describeParseError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const first = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
  const { line, column } = err as Error & { line?: number; column?: number };
  return typeof line === 'number' && typeof column === 'number' ? `${first} (line ${line}, column ${column})` : first;
}
