import { CliError } from '../../cli-error.js';
import { FORMAT_ADAPTERS } from './registry.js';

/**
 * The shape an app folder is written in. `nimbus` is native (functions
 * exported with the SDK's `http()`, `queue()`…); the others are another
 * platform's code, deployed unchanged through an adapter.
 */
export type AppFormat = 'nimbus' | 'lambda' | 'workers' | 'azure';
export type ForeignFormat = Exclude<AppFormat, 'nimbus'>;

export const APP_FORMATS: readonly AppFormat[] = ['nimbus', 'lambda', 'workers', 'azure'];

/** One function or event of the foreign description, and what Nimbus made of it. */
export interface MappedFunction {
  /** The Nimbus function name (an export name of the generated entry). */
  name: string;
  /** Where it came from, in the other platform's words: `hello: httpApi GET /hi`. */
  from: string;
  /** What it became: `http GET /hi`, `queue jobs (batch 10)`, `timer 0 * * * * *`. */
  to: string;
}

/** Something the description asks for that Nimbus has no equivalent for. */
export interface UnsupportedItem {
  /** Where in the description: `functions.hello.events[2] (websocket)`. */
  what: string;
  reason: string;
}

/** What an adapter read from an app folder. */
export interface FormatReading {
  format: ForeignFormat;
  /** The description file(s) it read, relative to the app folder: `serverless.yml`. */
  source: string;
  /**
   * A generated TypeScript entry module, resolved from the app folder: it
   * imports the user's handlers unchanged and exports Nimbus definitions
   * wrapping them (through `nimbus-functions/adapters/<format>`).
   */
  entrySource: string;
  mapped: MappedFunction[];
  unsupported: UnsupportedItem[];
  /** The app name the description gives (serverless `service`, wrangler `name`), used unless --app says otherwise. */
  appName?: string;
}

/** One foreign format: found in a folder, then read into a generated entry. */
export interface FormatAdapter {
  readonly format: ForeignFormat;
  /** Shown in the deploy output: `AWS Lambda (serverless.yml)`. */
  readonly title: string;
  /** Cheap and side-effect free: does this folder look like this format? */
  detect(appDir: string): Promise<boolean>;
  /** Reads the description; throws CliError naming the file and the problem when it is malformed. */
  read(appDir: string): Promise<FormatReading>;
}

/** The adapter for a format, or undefined for native apps. */
export function adapterFor(format: AppFormat): FormatAdapter | undefined {
  if (format === 'nimbus') return undefined;
  const adapter = FORMAT_ADAPTERS.find((a) => a.format === format);
  if (!adapter) throw new CliError(`the ${format} format is not available in this Nimbus build`);
  return adapter;
}

export function parseAppFormat(value: string): AppFormat {
  if ((APP_FORMATS as readonly string[]).includes(value)) return value as AppFormat;
  throw new CliError(`unknown --format "${value}": use one of ${APP_FORMATS.join(', ')}`);
}

/**
 * Reads the folder in the format asked for, or the one it is found to be in.
 * Undefined: a native Nimbus app. A folder that looks like several formats
 * must be told which (`--format`): guessing would deploy the wrong thing.
 */
export async function readAppFormat(appDir: string, requested?: AppFormat): Promise<FormatReading | undefined> {
  if (requested !== undefined) return adapterFor(requested)?.read(appDir);
  const found: FormatAdapter[] = [];
  for (const adapter of FORMAT_ADAPTERS) if (await adapter.detect(appDir)) found.push(adapter);
  if (found.length === 0) return undefined;
  if (found.length > 1) {
    throw new CliError(`${appDir} looks like several formats (${found.map((a) => a.title).join(', ')}): choose one with --format ${found.map((a) => a.format).join('|')}`);
  }
  return found[0]!.read(appDir);
}
