/**
 * The two files that describe an Azure Functions (v4, Node.js) app:
 * package.json (`main` says where the functions are registered, the
 * `@azure/functions` dependency which model) and host.json (the HTTP route
 * prefix, the storage queue settings).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../../../cli-error.js';
import type { AzureAppConfig } from '../../../../sdk/adapters/azure/functions.js';

export interface AzurePackage {
  main?: string;
  /** The `@azure/functions` version range, when package.json depends on it. */
  functionsVersion?: string;
}

type Json = Record<string, unknown>;

async function readJson(appDir: string, file: string): Promise<Json | undefined> {
  const path = join(appDir, file);
  if (!existsSync(path)) return undefined;
  const text = await readFile(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(`${file} must hold a JSON object`);
  return parsed as Json;
}

/** Undefined when there is no package.json. */
export async function readAzurePackage(appDir: string): Promise<AzurePackage | undefined> {
  const pkg = await readJson(appDir, 'package.json');
  if (!pkg) return undefined;
  if (pkg['main'] !== undefined && (typeof pkg['main'] !== 'string' || pkg['main'].trim() === '')) throw new CliError('package.json "main" must be a file or glob such as "src/functions/*.js"');
  let functionsVersion: string | undefined;
  for (const field of ['dependencies', 'devDependencies']) {
    const deps = pkg[field];
    if (typeof deps === 'object' && deps !== null && typeof (deps as Json)['@azure/functions'] === 'string') functionsVersion = (deps as Json)['@azure/functions'] as string;
  }
  return { ...(typeof pkg['main'] === 'string' ? { main: pkg['main'].trim() } : {}), ...(functionsVersion === undefined ? {} : { functionsVersion }) };
}

export function hasHostJson(appDir: string): boolean {
  return existsSync(join(appDir, 'host.json'));
}

/** host.json's settings Nimbus honours (a missing host.json is Azure's defaults). */
export async function readHostJson(appDir: string): Promise<Pick<AzureAppConfig, 'routePrefix' | 'queues'>> {
  const host = await readJson(appDir, 'host.json');
  if (!host) return {};
  const fail = (field: string, why: string): never => {
    throw new CliError(`host.json ${field} ${why}`);
  };
  if (host['version'] !== undefined && host['version'] !== '2.0') fail('"version"', `is ${JSON.stringify(host['version'])}: the v4 Node.js model runs on host version "2.0"`);
  const extensions = objectAt(host, 'extensions', fail);
  const http = objectAt(extensions, 'http', fail, 'extensions.');
  const queues = objectAt(extensions, 'queues', fail, 'extensions.');
  const config: Pick<AzureAppConfig, 'routePrefix' | 'queues'> = {};
  const prefix = http['routePrefix'];
  if (prefix !== undefined) {
    if (typeof prefix !== 'string') fail('extensions.http.routePrefix', 'must be a string ("" for none)');
    config.routePrefix = prefix as string;
  }
  const queueSettings: NonNullable<AzureAppConfig['queues']> = {};
  const count = (name: string, min: number, max: number): number | undefined => {
    const value = queues[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(`extensions.queues.${name}`, `must be a whole number from ${min} to ${max}`);
    return value as number;
  };
  const batchSize = count('batchSize', 1, 32);
  const maxDequeueCount = count('maxDequeueCount', 1, 1000);
  if (batchSize !== undefined) queueSettings.batchSize = batchSize;
  if (maxDequeueCount !== undefined) queueSettings.maxDequeueCount = maxDequeueCount;
  if (queues['visibilityTimeout'] !== undefined) {
    const ms = timeSpanMs(queues['visibilityTimeout']);
    if (ms === undefined) fail('extensions.queues.visibilityTimeout', 'must be a TimeSpan such as "00:00:30"');
    queueSettings.visibilityTimeoutMs = ms as number;
  }
  if (Object.keys(queueSettings).length > 0) config.queues = queueSettings;
  return config;
}

function objectAt(parent: Json, key: string, fail: (field: string, why: string) => never, path = ''): Json {
  const value = parent[key];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${path}${key}`, 'must be an object');
  return value as Json;
}

/** `hh:mm:ss` or `d.hh:mm:ss`, optionally with fractional seconds. */
function timeSpanMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value.trim());
  if (!m) return undefined;
  return Math.round(((Number(m[1] ?? 0) * 24 + Number(m[2])) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1000);
}
