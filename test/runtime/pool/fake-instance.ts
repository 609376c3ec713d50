import type { Instance } from '../../../src/runtime/pool/instance.js';

/**
 * An instance that loads at once and never runs anything: the pool only
 * counts slots. Killing it exits it on the next turn, as a process would.
 */
export function fakeInstance(): Instance {
  let exit!: () => void;
  const exited = new Promise<void>((resolve) => { exit = resolve; });
  return {
    state: 'starting', inflight: 0, lastUsedAt: 0, peakRssBytes: 0, assignment: null, exited,
    sandbox: { assign: async (a: { bundlePath: string }) => ({ bundlePath: a.bundlePath }) },
    load: async () => ({ functions: [] }),
    kill(this: { state: string }) { this.state = 'stopped'; setImmediate(exit); },
  } as unknown as Instance;
}
