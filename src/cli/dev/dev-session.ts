import type { AdminClient, DeployResult } from '../admin-client.js';
import type { BundleOptions } from '../bundle/bundle-app.js';
import { CliError } from '../cli-error.js';
import { deployApp, formatDeployResult, formatDeployWarnings } from '../deploy-app.js';
import { clockTime } from './format-log-line.js';

export interface DevSessionOptions {
  dir: string;
  client: AdminClient;
  bundle: BundleOptions;
  out(line: string): void;
  err(line: string): void;
  now?: () => number;
}

/**
 * Redeploys one app folder on demand, one deploy at a time. Saves that arrive
 * during a deploy collapse into one more deploy after it. A deploy that fails
 * (a type error, a server refusal) is reported and changes nothing: the node
 * keeps serving the last good version.
 */
export class DevSession {
  readonly #options: DevSessionOptions;
  #running: Promise<void> | undefined;
  #again = false;
  #live: DeployResult | undefined;

  constructor(options: DevSessionOptions) {
    this.#options = options;
  }

  /** The last version that deployed, if any. */
  get live(): DeployResult | undefined {
    return this.#live;
  }

  /** Ask for a deploy; resolves when no deploy is running or waiting. */
  redeploy(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Resolves once the current deploy, if any, has finished. */
  async idle(): Promise<void> {
    await this.#running;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      await this.#deployOnce();
    } while (this.#again);
  }

  async #deployOnce(): Promise<void> {
    const { out, err, dir, client, bundle } = this.#options;
    const stamp = clockTime((this.#options.now ?? Date.now)());
    try {
      this.#live = await deployApp(client, dir, bundle);
      formatDeployResult(this.#live).forEach((line, i) => out(i === 0 ? `${stamp} ${line}` : line));
      formatDeployWarnings(this.#live).forEach((line) => err(`  ${line}`));
    } catch (e) {
      // Whatever went wrong, dev keeps watching: the next save may fix it.
      err(`${stamp} Deploy failed: ${e instanceof Error ? e.message : String(e)}`);
      if (e instanceof CliError) e.details.forEach((line) => err(`  ${line}`));
      err(this.#live ? `  still serving ${this.#live.app} v${this.#live.version}` : '  nothing is deployed yet; fix the error and save again');
    }
  }
}
