import { EventEmitter } from 'node:events';
import type { CliContext } from '../../../src/cli/command.js';
import type { FunctionLogLine } from '../../../src/runtime/lifecycle.js';
import type { NimbusNode, NodeOptions } from '../../../src/server/node.js';

export interface CapturedContext {
  ctx: CliContext;
  stdout: string[];
  stderr: string[];
  /** Emit 'SIGTERM' or 'SIGINT' here to stop a running start/dev. */
  signals: EventEmitter;
}

/** A CLI context whose output is captured in arrays, for commands run in-process. */
export function captureContext(overrides: Partial<CliContext> & Pick<CliContext, 'cwd'>): CapturedContext {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const signals = new EventEmitter();
  const ctx: CliContext = {
    env: {},
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    write: (chunk) => stdout.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')),
    startNode: () => Promise.reject(new Error('this test starts no node')),
    signals,
    ...overrides,
  };
  return { ctx, stdout, stderr, signals };
}

export interface FakeNode {
  startNode(options: NodeOptions): Promise<NimbusNode>;
  /** Options each start was called with. */
  starts: NodeOptions[];
  closed: number;
  emitLog(line: FunctionLogLine): void;
}

/**
 * Stands in for the composition root: "starts" a node whose URL is the given
 * stand-in admin API, so start and dev are tested without a real node.
 */
export function fakeNode(url: string, adminKey: string, adminKeyGenerated: boolean): FakeNode {
  const listeners = new Set<(line: FunctionLogLine) => void>();
  const fake: FakeNode = {
    starts: [],
    closed: 0,
    emitLog: (line) => listeners.forEach((l) => l(line)),
    async startNode(options) {
      fake.starts.push(options);
      return {
        url,
        adminKey,
        adminKeyGenerated,
        budgets: { changed: async () => {}, states: () => [] },
        onFunctionLog(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        async close() {
          fake.closed++;
        },
      };
    },
  };
  return fake;
}

const POLL_MS = 10;
/** Only a failing test waits this long: `start --example` type-checks first, seconds of CPU that took over 15 s on a loaded 2-core machine. */
const WAIT_LIMIT_MS = 60_000;

/** Polls until the condition holds; fails the test with `what` if it never does. */
export async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
