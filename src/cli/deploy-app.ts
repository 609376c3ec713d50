import { AdminApiError, type AdminClient, type DeployResult, type VersionSummary } from './admin-client.js';
import type { AppBundler, AppSource, BundleOptions } from './bundle/bundle-app.js';
import { BackgroundTypeChecker } from './bundle/background-typechecker.js';
import { formatTable } from './output/table.js';
import { describeReach, describeTrigger } from './output/triggers.js';
import { formatMs, QUIET_STEPS, type StepObserver } from './output/step-progress.js';
import { contentHash } from '../blobs/bundles/bundle-store.js';
import { versionContent } from '../server/version-content.js';
import { CliError } from './cli-error.js';
import type { FormatReading } from './bundle/formats/app-format.js';

/** esbuild and the readers of other platforms' files load only for a command that bundles, not for every command. */
const bundling = (): Promise<typeof import('./bundle/bundle-app.js')> => import('./bundle/bundle-app.js');

export interface DeployOptions extends BundleOptions {
  /**
   * Ask the node for the live version's content hash first: code that is
   * already live is neither type-checked nor uploaded (deploy, start).
   */
  skipUnchanged?: boolean;
  /** Keep esbuild's parse between deploys (dev). */
  incremental?: boolean;
  /**
   * Type-check beside the deploy instead of before it (dev): the bundle goes
   * live at once, type errors or not, and the report's `typecheck` settles
   * with the problems when the check is done.
   */
  typecheckInBackground?: boolean;
  /** Another platform's code: deploy what maps even when some of its description has no Nimbus equivalent. */
  skipUnsupported?: boolean;
  /** Create the budgets the functions name (`uses`) that do not exist, instead of the node refusing the deploy. */
  createBudgets?: boolean;
}

export interface DeployStep {
  name: 'type check' | 'bundle' | 'upload' | 'live';
  ms: number;
}

export interface TypeCheckOutcome {
  /** `file:line:col message` per problem; empty when the app is sound. */
  problems: string[];
  ms: number;
}

export interface DeployReport {
  result: DeployResult;
  /** In the order they finished. */
  steps: DeployStep[];
  totalMs: number;
  /** With typecheckInBackground: the check of the sources this deploy bundled, still running. */
  typecheck?: Promise<TypeCheckOutcome>;
  /** Another platform's code: what was read and how it maps. */
  reading?: FormatReading;
}

/**
 * Deploys one app folder: bundle, type check, upload, live, each timed. One
 * deployer may deploy its folder many times (dev keeps one, with an
 * incremental bundler and an incremental type checker); dispose() when done.
 *
 * The type check runs in a worker thread (BackgroundTypeChecker) in every
 * mode: `nimbus start` and `nimbus dev` run the node in this same process,
 * and a check on the main thread would hold up every request it serves.
 */
export class AppDeployer {
  readonly #client: AdminClient;
  readonly #dir: string;
  readonly #options: DeployOptions;
  #bundler: { source: AppSource; bundler: AppBundler } | undefined;
  #checker: BackgroundTypeChecker | undefined;

  constructor(client: AdminClient, dir: string, options: DeployOptions = {}) {
    this.#client = client;
    this.#dir = dir;
    this.#options = options;
  }

  async deploy(observer: StepObserver = QUIET_STEPS): Promise<DeployReport> {
    const started = performance.now();
    const steps: DeployStep[] = [];
    const timed = async <T>(name: DeployStep['name'], work: () => Promise<T>, detail?: (value: T) => string | undefined): Promise<T> => {
      observer.start(name);
      const t0 = performance.now();
      const value = await work();
      const step = { name, ms: performance.now() - t0 };
      steps.push(step);
      observer.done(name, step.ms, detail?.(value));
      return value;
    };
    try {
      const { resolveAppSource, throwOnTypeErrors } = await bundling();
      const source = await resolveAppSource(this.#dir, this.#options);
      if (source.reading) refuseUnsupported(source.reading, this.#options.skipUnsupported ?? false);
      const reading = source.reading ? { reading: source.reading } : {};
      const bundler = await this.#bundlerFor(source);
      const bundled = await timed('bundle', () => bundler.bundle(), (b) => formatSize(Buffer.byteLength(b.bundle)));

      if (this.#options.skipUnchanged) {
        const live = await liveIfSame(this.#client, source.appName, bundled);
        if (live) return { result: live, steps, totalMs: performance.now() - started, ...reading };
      }

      let typecheck: Promise<TypeCheckOutcome> | undefined;
      // Another platform's code is bundled as its own tools bundle it: types stripped, not checked.
      if (this.#options.typecheck !== false && !source.reading) {
        if (this.#options.typecheckInBackground) {
          typecheck = this.#check(source);
          // Whoever deployed may stop listening (a failed upload); a failed check must not become an unhandled rejection.
          typecheck.catch(() => {});
        } else {
          throwOnTypeErrors(await timed('type check', async () => (await this.#check(source)).problems));
        }
      }

      observer.start('upload');
      const sent = performance.now();
      const result = await this.#client.deploy(source.appName, bundled, { createBudgets: this.#options.createBudgets ?? false });
      const roundTrip = performance.now() - sent;
      // The node says how long its part took; the rest of the round trip is the upload.
      const live = Math.min(roundTrip, result.durationMs ?? 0);
      steps.push({ name: 'upload', ms: roundTrip - live }, { name: 'live', ms: live });
      observer.done('upload', roundTrip - live);
      observer.done('live', live);
      return { result, steps, totalMs: performance.now() - started, ...(typecheck ? { typecheck } : {}), ...reading };
    } finally {
      observer.end();
    }
  }

  async dispose(): Promise<void> {
    await this.#bundler?.bundler.dispose();
    this.#bundler = undefined;
    await this.#checker?.close();
    this.#checker = undefined;
  }

  async #check(source: AppSource): Promise<TypeCheckOutcome> {
    const t0 = performance.now();
    const problems = await (this.#checker ??= new BackgroundTypeChecker()).check(source.appDir, source.entry);
    return { problems, ms: performance.now() - t0 };
  }

  /** One bundler per entry: a new entry (or app folder layout) starts a new one. */
  async #bundlerFor(source: AppSource): Promise<AppBundler> {
    if (this.#bundler && this.#bundler.source.entry === source.entry && this.#bundler.source.reading?.entrySource === source.reading?.entrySource) return this.#bundler.bundler;
    await this.#bundler?.bundler.dispose();
    const { AppBundler } = await bundling();
    const bundler = new AppBundler(source, { incremental: this.#options.incremental ?? false });
    this.#bundler = { source, bundler };
    return bundler;
  }
}

/** Bundle an app folder and upload it as the app's next version. Used by deploy and start --example. */
export async function deployApp(client: AdminClient, dir: string, options: DeployOptions = {}, observer?: StepObserver): Promise<DeployReport> {
  const deployer = new AppDeployer(client, dir, options);
  try {
    return await deployer.deploy(observer);
  } finally {
    await deployer.dispose();
  }
}

/**
 * The live version, when the bundle is exactly its content (the node names
 * stored files by their hash, and the CLI computes the same hash): nothing
 * to check or upload. Anything unexpected means "deploy as usual".
 */
async function liveIfSame(client: AdminClient, app: string, bundled: { bundle: string; sourceMap: string }): Promise<DeployResult | undefined> {
  let versions: unknown;
  try {
    versions = await client.listVersions(app);
  } catch (err) {
    // A new app, or a node that lists versions differently: the deploy itself says what is wrong.
    if (err instanceof AdminApiError && err.status !== 401 && err.status !== 403) return undefined;
    throw err;
  }
  const live = Array.isArray(versions) ? (versions as VersionSummary[]).find((v) => v?.live === true) : undefined;
  if (!live || typeof live.bundleHash !== 'string') return undefined;
  let hash: string;
  try {
    hash = contentHash(versionContent(app, bundled.bundle, bundled.sourceMap).code);
  } catch {
    return undefined;
  }
  if (hash !== live.bundleHash) return undefined;
  const summary = await client.getApp(app);
  if (summary.liveVersion !== live.version || !Array.isArray(summary.functions)) return undefined;
  const functions = summary.functions.map(({ name, kind, route, url, routeUrl, trigger, next }) => ({ name, kind, route, url, routeUrl: routeUrl ?? null, trigger, next: next ?? null }));
  return { app, version: live.version, unchanged: true, functions, warnings: [] };
}

/** `Deployed <app> v<N> in 0.4 s` (or unchanged), then one indented row per function with its trigger and URL or next run. */
export function formatDeployResult(result: DeployResult, totalMs?: number): string[] {
  return [formatDeployHeadline(result, totalMs), ...formatFunctions(result)];
}

export function formatDeployHeadline(result: DeployResult, totalMs?: number): string {
  if (result.unchanged) return `${result.app}: unchanged, version ${result.version} stays live`;
  return `Deployed ${result.app} v${result.version}${totalMs === undefined ? '' : ` in ${formatMs(totalMs)}`}`;
}

export function formatFunctions(result: Pick<DeployResult, 'functions'>): string[] {
  const rows = result.functions.map((f) => [f.name, f.kind, describeTrigger(f), describeReach(f)]);
  return rows.length > 0 ? formatTable(['FUNCTION', 'KIND', 'TRIGGER', 'URL / NEXT RUN'], rows).map((l) => `  ${l}`) : [];
}

/** `type check 40 ms, bundle 12 ms, upload 3 ms, live 61 ms`: a deploy's steps on one line (dev). */
export function formatStepsInline(steps: readonly DeployStep[]): string {
  return steps.map((s) => `${s.name} ${formatMs(s.ms)}`).join(', ');
}

/** The budgets a deploy with --create-budgets created, with the settings they got, on one line (none: no line). */
export function formatCreatedBudgets(result: Pick<DeployResult, 'createdBudgets'>): string[] {
  const created = result.createdBudgets ?? [];
  if (created.length === 0) return [];
  return [`Created ${created.length === 1 ? 'budget' : 'budgets'} ${created.join(', ')} (concurrency 10, no rate, not adaptive): change with nimbus budgets set NAME`];
}

/** One `warning: …` line per warning the node gave with the deploy. */
export function formatDeployWarnings(result: DeployResult): string[] {
  return (result.warnings ?? []).map((warning) => `warning: ${warning}`);
}

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A description with parts Nimbus cannot run is deployed only when told to leave them out. */
function refuseUnsupported(reading: FormatReading, skip: boolean): void {
  if (reading.unsupported.length === 0 || skip) return;
  throw new CliError(
    `${reading.source} asks for ${reading.unsupported.length === 1 ? 'something' : `${reading.unsupported.length} things`} Nimbus has no equivalent for; deploy the rest with --skip-unsupported`,
    formatUnsupported(reading),
  );
}

/** `Read serverless.yml (lambda): 3 functions`, then how each maps, then what was left out and why. */
export function formatReading(reading: FormatReading): string[] {
  const lines = [`Read ${reading.source} (${reading.format}): ${reading.mapped.length === 1 ? '1 function' : `${reading.mapped.length} functions`}`];
  if (reading.mapped.length > 0) lines.push(...formatTable(['FROM', 'FUNCTION', 'AS'], reading.mapped.map((m) => [m.from, m.name, m.to])).map((l) => `  ${l}`));
  if (reading.unsupported.length > 0) lines.push('Left out (no Nimbus equivalent):', ...formatUnsupported(reading));
  return lines;
}

function formatUnsupported(reading: FormatReading): string[] {
  return reading.unsupported.map((u) => `  ${u.what}: ${u.reason}`);
}
