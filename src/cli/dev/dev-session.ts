import type { DeployResult } from '../admin-client.js';
import { CliError } from '../cli-error.js';
import { formatCreatedBudgets, formatDeployHeadline, formatDeployWarnings, formatFunctions, formatStepsInline, type AppDeployer, type TypeCheckOutcome } from '../deploy-app.js';
import { formatMs, QUIET_STEPS, type StepObserver } from '../output/step-progress.js';
import { countOf } from '../output/table.js';
import { describeTrigger } from '../output/triggers.js';
import { clockTime } from './format-log-line.js';

export interface DevSessionOptions {
  deployer: AppDeployer;
  out(line: string): void;
  err(line: string): void;
  /** Shows the steps of the first deploy, the slow one (TypeScript loads, esbuild starts). */
  firstDeploy?: StepObserver;
  now?: () => number;
}

/**
 * Redeploys one app folder on demand, one deploy at a time. Saves that arrive
 * during a deploy collapse into one more deploy after it. A deploy that fails
 * (a bundling error, a server refusal) is reported and changes nothing: the
 * node keeps serving the last good version.
 *
 * The type check does not hold a deploy back: the bundle goes live at once
 * and the check, in its worker, reports when done: its errors, each time
 * there are any, and once that they are gone.
 */
export class DevSession {
  readonly #options: DevSessionOptions;
  #running: Promise<void> | undefined;
  #again = false;
  #live: DeployResult | undefined;
  #deploys = 0;
  /** The functions and triggers last printed: the table is printed again only when they change. */
  #shownFunctions = '';
  /** Whether the last check reported errors (undefined before the first check). */
  #hadTypeErrors: boolean | undefined;
  #closed = false;

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

  /** Waits for the current deploy; checks still running report nothing after this. */
  async close(): Promise<void> {
    await this.idle();
    this.#closed = true;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      await this.#deployOnce();
    } while (this.#again);
  }

  async #deployOnce(): Promise<void> {
    const { out, err, deployer } = this.#options;
    // Stamped when the deploy ends, not when it began: the node's own "version live" line (printed as it happens)
    // then comes before it, in the order of the times both show.
    const stamp = (): string => clockTime(this.#now());
    const observer = this.#deploys++ === 0 ? (this.#options.firstDeploy ?? QUIET_STEPS) : QUIET_STEPS;
    try {
      const { result, steps, totalMs, typecheck } = await deployer.deploy(observer);
      typecheck?.then(
        (outcome) => this.#reportTypeCheck(outcome, result),
        (e: unknown) => this.#closed || err(`${clockTime(this.#now())} type check failed to run: ${e instanceof Error ? e.message : String(e)}`),
      );
      this.#live = result;
      out(`${stamp()} ${formatDeployHeadline(result, totalMs)}${result.unchanged ? '' : ` (${formatStepsInline(steps)})`}`);
      const shown = result.functions.map((f) => `${f.name} ${f.kind} ${describeTrigger(f)}`).join('\n');
      if (shown !== this.#shownFunctions) formatFunctions(result).forEach((line) => out(line));
      this.#shownFunctions = shown;
      formatCreatedBudgets(result).forEach((line) => out(`  ${line}`));
      formatDeployWarnings(result).forEach((line) => err(`  ${line}`));
    } catch (e) {
      // Whatever went wrong, dev keeps watching: the next save may fix it.
      err(`${stamp()} Deploy failed: ${e instanceof Error ? e.message : String(e)}`);
      if (e instanceof CliError) e.details.forEach((line) => err(`  ${line}`));
      err(this.#live ? `  still serving ${this.#live.app} v${this.#live.version}` : '  nothing is deployed yet; fix the error and save again');
    }
  }

  #reportTypeCheck({ problems, ms }: TypeCheckOutcome, deployed: DeployResult): void {
    if (this.#closed) return;
    const { out, err } = this.#options;
    const stamp = clockTime(this.#now());
    if (problems.length > 0) {
      err(`${stamp} type check: ${countOf(problems.length, 'error')} (${deployed.app} v${deployed.version} is live anyway)`);
      problems.forEach((line) => err(`  ${line}`));
    } else if (this.#hadTypeErrors !== false) {
      out(`${stamp} type check: no errors (${formatMs(ms)})`);
    }
    this.#hadTypeErrors = problems.length > 0;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
