/**
 * A static read of the code: which `app.*` calls register which functions,
 * and which bindings, hooks and libraries Nimbus cannot serve. Azure itself
 * learns the functions only by running the code; reading them here lets the
 * deploy show the mapping and refuse what cannot run before anything is
 * uploaded. It reads the entry files and the files they import by relative
 * path; names and options written as literals are read, anything computed is
 * shown as such (the node's answer after the deploy is the final word).
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { UnsupportedItem } from '../app-format.js';

export interface FoundCall {
  /** The file, relative to the app folder. */
  file: string;
  /** `http`, `get`, `storageQueue`, `cosmosDB`… */
  method: string;
  /** The literal name, or null when it is computed. */
  name: string | null;
  /** The text of the call's arguments (comments removed). */
  args: string;
}

export interface ScanResult {
  calls: FoundCall[];
  unsupported: UnsupportedItem[];
}

/** Beyond this many files the scan stops following imports (a vendored library, not functions). */
const MAX_FILES = 2000;
const EXTENSIONS = ['', '.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '/index.ts', '/index.js', '/index.mjs'];

const UNSUPPORTED_BINDINGS: Record<string, string> = {
  table: 'Azure Table storage has no Nimbus equivalent',
  cosmosDB: 'Cosmos DB has no Nimbus equivalent',
  sql: 'Azure SQL bindings have no Nimbus equivalent',
  mySql: 'MySQL bindings have no Nimbus equivalent',
  serviceBusQueue: 'Service Bus has no Nimbus equivalent (use a storage queue: it maps to a Nimbus queue)',
  serviceBusTopic: 'Service Bus topics have no Nimbus equivalent',
  eventHub: 'Event Hubs has no Nimbus equivalent',
  eventGrid: 'Event Grid has no Nimbus equivalent',
  webPubSub: 'Web PubSub has no Nimbus equivalent',
  webPubSubConnection: 'Web PubSub has no Nimbus equivalent',
  webPubSubContext: 'Web PubSub has no Nimbus equivalent',
  generic: 'a generic binding names an extension Nimbus does not have',
};

export async function scanSources(appDir: string, entryFiles: string[]): Promise<ScanResult> {
  const calls: FoundCall[] = [];
  const unsupported: UnsupportedItem[] = [];
  const seen = new Set<string>();
  const queue = entryFiles.map((f) => join(appDir, f));
  while (queue.length > 0 && seen.size < MAX_FILES) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const code = stripComments(await readFile(path, 'utf8'));
    const file = relative(appDir, path).split(sep).join('/');
    for (const spec of relativeImports(code)) {
      const target = resolveImport(dirname(path), spec);
      if (target && target.startsWith(appDir) && !target.includes(`${sep}node_modules${sep}`)) queue.push(target);
    }
    if (/['"]durable-functions['"]/.test(code)) {
      unsupported.push({ what: `${file}: durable-functions`, reason: 'Durable Functions (orchestrations, activities, entities) have no Nimbus equivalent' });
    }
    if (!/['"]@azure\/functions['"]/.test(code)) continue;
    const appName = /\bapp\s+as\s+([A-Za-z_$][\w$]*)/.exec(code)?.[1] ?? 'app';
    calls.push(...appCalls(code, file, appName));
    for (const m of code.matchAll(new RegExp(`\\b${appName}\\s*\\.\\s*hook\\s*\\.\\s*(appTerminate|log)\\s*\\(`, 'g'))) {
      const reason = m[1] === 'log' ? 'log hooks do not run on Nimbus: logs are captured from the console' : 'Nimbus stops instances without a callback, so appTerminate never runs';
      unsupported.push({ what: `${file}: ${appName}.hook.${m[1]}`, reason });
    }
    for (const m of code.matchAll(/\b(input|output)\s*\.\s*(\w+)\s*\(/g)) {
      const reason = UNSUPPORTED_BINDINGS[m[2]!];
      if (reason) unsupported.push({ what: `${file}: ${m[1]}.${m[2]}()`, reason });
    }
  }
  return { calls, unsupported };
}

function appCalls(code: string, file: string, appName: string): FoundCall[] {
  const calls: FoundCall[] = [];
  for (const m of code.matchAll(new RegExp(`\\b${appName.replace(/\$/g, '\\$')}\\s*\\.\\s*(\\w+)\\s*\\(`, 'g'))) {
    const open = m.index! + m[0].length - 1;
    const args = code.slice(open + 1, closingParen(code, open));
    const literal = /^\s*(['"`])((?:(?!\1)[^\\$]|\\.)*)\1\s*(,|$)/.exec(args);
    calls.push({ file, method: m[1]!, name: literal ? literal[2]! : null, args });
  }
  return calls;
}

/** The index of the `)` closing the `(` at `open` (strings skipped), or the end of the code. */
function closingParen(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const ch = code[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      i = stringEnd(code, i);
      continue;
    }
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return code.length;
}

function stringEnd(code: string, start: number): number {
  const quote = code[start];
  for (let i = start + 1; i < code.length; i++) {
    if (code[i] === '\\') i++;
    else if (code[i] === quote) return i;
  }
  return code.length;
}

/** Comments blanked out (strings kept), so commented-out code registers nothing. */
export function stripComments(code: string): string {
  let out = '';
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    if (ch === '"' || ch === "'" || ch === '`') {
      const end = stringEnd(code, i);
      out += code.slice(i, end + 1);
      i = end;
    } else if (ch === '/' && code[i + 1] === '/') {
      while (i < code.length && code[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? code.length : end + 1;
      out += ' ';
    } else {
      out += ch;
    }
  }
  return out;
}

function relativeImports(code: string): string[] {
  const specs: string[] = [];
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"]*)\1/g)) specs.push(m[2]!);
  return specs;
}

function resolveImport(fromDir: string, spec: string): string | undefined {
  const base = join(fromDir, spec);
  // TypeScript sources import `./x.js` for `./x.ts`.
  const candidates = [...EXTENSIONS.map((ext) => base + ext), base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** A string option written as a literal in the call: `route: 'products/{id}'`. */
export function literalOption(args: string, key: string): string | undefined {
  const m = new RegExp(`\\b${key}\\s*:\\s*(['"\`])((?:(?!\\1)[^\\\\$]|\\\\.)*)\\1`).exec(args);
  return m ? m[2] : undefined;
}

/** `methods: ['GET', 'POST']` written as literals. */
export function literalMethods(args: string): string[] | undefined {
  const m = /\bmethods\s*:\s*\[([^\]]*)\]/.exec(args);
  if (!m) return undefined;
  const methods = [...m[1]!.matchAll(/(['"])(\w+)\1/g)].map((x) => x[2]!.toUpperCase());
  return methods.length > 0 ? methods : undefined;
}

export function literalTrue(args: string, key: string): boolean {
  return new RegExp(`\\b${key}\\s*:\\s*true\\b`).test(args);
}
