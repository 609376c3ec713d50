import { WatchedProcess, type Ended } from '../../helpers/watched-process.js';
import { NIMBUS_BIN, runNimbus, type CliRun } from './run-cli.js';

const WAIT_LIMIT_MS = 60_000;
const POLL_MS = 25;
/** How long a stopped process gets to exit before the test fails (it drains in-flight work first). */
const EXIT_LIMIT_MS = 30_000;

/**
 * A long-running `nimbus start` or `nimbus dev` as a real child process, with
 * everything it printed so far. Like runNimbus, the environment is PATH plus
 * what the test gives.
 */
export class NimbusProcess extends WatchedProcess {
  constructor(args: readonly string[], options: { cwd: string; env?: Record<string, string> }) {
    super(process.execPath, [NIMBUS_BIN, ...args], {
      cwd: options.cwd,
      // Basic isolation: these tests are about the CLI; the strict sandbox has its own suite (test/security).
      env: { PATH: process.env['PATH'] ?? '', NIMBUS_LOG_LEVEL: 'warn', NIMBUS_ISOLATION: 'basic', ...options.env },
      group: false,
    });
  }

  /** The URL `start` or `dev` printed once it listens. */
  async url(): Promise<string> {
    const match = await this.waitForStdout(/is running at (http:\/\/\S+)/, 'the node URL');
    return match[1]!;
  }

  /** The admin key `start` or `dev` printed on a first start over a data folder. */
  async adminKey(): Promise<string> {
    const match = await this.waitForStdout(/^Admin key \(.*\): (\S+)$/m, 'the admin key');
    return match[1]!;
  }

  /** Sends a signal and waits (bounded) for the exit code. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Ended> {
    return this.signal(signal, EXIT_LIMIT_MS);
  }

  exited(): Promise<Ended> {
    return this.ended(EXIT_LIMIT_MS);
  }
}

/** Runs short commands (deploy, ls, invoke…) against one node, with its URL and key in the environment. */
export function nimbusAt(url: string, adminKey: string, cwd: string): (args: readonly string[]) => Promise<CliRun> {
  return (args) => runNimbus(args, { cwd, env: { NIMBUS_URL: url, NIMBUS_ADMIN_KEY: adminKey } });
}

/** Polls until `check` passes (bounded); the last failure's message explains a timeout. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, limitMs = WAIT_LIMIT_MS): Promise<T> {
  const deadline = Date.now() + limitMs;
  let last = '';
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, POLL_MS * 4));
  }
}
