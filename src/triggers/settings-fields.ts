import { NimbusError } from '../shared/errors.js';
import { didYouMean } from '../shared/suggest.js';

/**
 * The fields one kind's settings may hold: names at the top, and for a field
 * that holds an object of its own (`backoff`), the names within it. A deploy
 * refuses any other: a misspelt field would otherwise fall back to its
 * default without a word (`maxAttemps: 1` ran with the default 5 attempts).
 */
export interface SettingsFields {
  /** What a field of this kind is called in a message: `unknown queue setting`. */
  readonly kind: string;
  readonly names: readonly string[];
  readonly nested?: Readonly<Record<string, readonly string[]>>;
}

/** A near miss (two edits, or letter case alone) gets a hint. */
const HINT_DISTANCE = 2;
/** Names come from the bundle's sandbox: untrusted, of any length and number. */
const MAX_NAME_ECHOED = 60;
const MAX_NAMES_REPORTED = 5;

/**
 * Throws NIMBUS_ERR_DEPLOY_INVALID_DEFINITION naming the function and each
 * unknown field (`consume.maxAttemps: unknown queue setting; did you mean
 * "maxAttempts"?`), `details.field` the first. For settings a deploy brings,
 * never for a stored manifest: a node reads those as docs/cluster.md says.
 */
export function refuseUnknownSettings(functionName: string, raw: unknown, fields: SettingsFields): void {
  if (!isPlainObject(raw)) return; // the kind's own validator says what is wrong with it
  const unknown = unknownIn(raw, fields.names, fields.kind, '');
  for (const [field, names] of Object.entries(fields.nested ?? {})) {
    const value = raw[field];
    if (isPlainObject(value)) unknown.push(...unknownIn(value, names, field, `${field}.`));
  }
  if (unknown.length === 0) return;
  const reported = unknown.slice(0, MAX_NAMES_REPORTED).map((u) => `${functionName}.${u.at}${shown(u.name)}: ${describe(u)}`);
  const more = unknown.length > MAX_NAMES_REPORTED ? `; and ${unknown.length - MAX_NAMES_REPORTED} more unknown fields` : '';
  throw new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', reported.join('; ') + more, { field: `${unknown[0]!.at}${shown(unknown[0]!.name)}` });
}

interface Unknown { name: string; at: string; kind: string; names: readonly string[] }

function unknownIn(value: Record<string, unknown>, names: readonly string[], kind: string, at: string): Unknown[] {
  const known = new Set(names);
  return Object.keys(value).filter((name) => !known.has(name)).map((name) => ({ name, at, kind, names }));
}

function describe({ name, kind, names }: Unknown): string {
  // A name far longer than any known one costs nothing here: closest rules it out by length alone.
  return `unknown ${kind} setting${didYouMean(name, names, { maxDistance: HINT_DISTANCE })}`;
}

/** Plain names as they are; any other quoted and cut short, so the answer stays one line of bounded length. */
function shown(name: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(name) && name.length <= MAX_NAME_ECHOED) return name;
  return JSON.stringify(name.slice(0, MAX_NAME_ECHOED)) + (name.length > MAX_NAME_ECHOED ? '…' : '');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
