import type { DescribedFunction } from '../runtime/instance/protocol.js';
import type { FunctionResolver } from '../runtime/dispatcher.js';
import type { PoolTarget } from '../runtime/pool/function-pool.js';
import type { BundleStore, StoredBundle } from '../blobs/bundles/bundle-store.js';
import { cleanStack } from '../runtime/clean-stack.js';
import { NimbusError } from '../shared/errors.js';
import type { AppRecord, FunctionManifest, Store, VersionRecord } from '../store/store.js';
import { validateDefinition } from '../triggers/definitions.js';
import { checkAllowListHosts } from './allow-list-hosts.js';
import { SharedFunctionSettings } from './shared-function-settings.js';
import { methodsOverlap, routeShape, type Route, type RouteMethod } from '../triggers/http/route.js';
import { parsedRoutes } from '../gateway/parsed-routes.js';
import { MAX_BUNDLE_BYTES, versionContent } from './version-content.js';
import type { DeployBudgetCheck } from '../budgets/deploy-budget-check.js';

export { MAX_BUNDLE_BYTES };
export const MAX_FUNCTIONS_PER_APP = 1000;
export const APP_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export interface DeployInput {
  bundle: string;
  sourceMap?: string;
}

export interface DeployOptions {
  /** Create each budget the functions name that does not exist, instead of refusing the deploy. */
  createBudgets?: boolean;
}

/** A deployed version, with what the deploy could not check but did not refuse. */
export interface DeployedVersion extends VersionRecord {
  warnings: string[];
  /** True when the upload was the live version's own content: nothing new was made, the live version stays. */
  unchanged: boolean;
  /** Budgets this deploy created (DeployOptions.createBudgets), sorted. */
  createdBudgets: string[];
}

/** What changed, for the router, triggers and dispatcher to follow. */
export type DeploymentChange =
  | { kind: 'live'; app: string; version: VersionRecord; previous: number | null }
  | { kind: 'removed'; app: string };

export interface DeploymentDeps {
  store: Store;
  bundles: BundleStore;
  /** `env`: the app's secrets, which its code may read while it loads (Azure's `%NAME%` trigger settings do). */
  describe: (app: string, bundlePath: string, sourceMapPath?: string, env?: Readonly<Record<string, string>>) => Promise<DescribedFunction[]>;
  /** Decrypted secrets given to an app's instances as environment. */
  secrets?: (app: string) => Promise<Record<string, string>>;
  /** Problems that must not fail the request at hand (a listener that threw, a sweep that failed). */
  onError?: (error: unknown, context: string) => void;
  /**
   * Runs after a version is recorded and before it goes live (deploy and
   * rollback): the node starts its instances here, so the first requests after
   * the switch find them loaded. A failure is reported, never fatal.
   */
  prepare?: (version: VersionRecord) => Promise<void>;
  /** Told after a deploy, rollback or removal made here committed, so the other nodes of a cluster follow. */
  announce?: (app: string) => void;
  /** Versions whose functions name budgets go live only when those budgets exist. */
  budgets?: DeployBudgetCheck;
}

/**
 * Apps and their versions as the node runs them: deploys (validate, store
 * content-addressed, switch live atomically), rollbacks and removals, with
 * the live versions kept in memory for the request path.
 */
export class DeploymentRegistry implements FunctionResolver {
  readonly #live = new Map<string, VersionRecord>();
  /** Each live version's functions by name, made when first asked for (most versions never are). */
  readonly #functionsByName = new WeakMap<VersionRecord, Map<string, FunctionManifest>>();
  readonly #versions = new Map<string, VersionRecord>();
  /** Every version record enters by load(), #version() or #prepare(): each shares its functions' settings there. */
  readonly #sharedSettings = new SharedFunctionSettings();
  readonly #listeners: ((change: DeploymentChange) => void)[] = [];
  /** Deploys, rollbacks and removals run one at a time: route conflicts are checked against a stable picture. */
  #lock: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: DeploymentDeps) {}

  /** Reads the live versions, then sweeps bundles nothing references (a crash mid-deploy leaves some). */
  async load(): Promise<void> {
    for (const version of await this.deps.store.apps.listLive()) {
      this.#sharedSettings.share(version.functions);
      this.#live.set(version.app, version);
      this.#versions.set(key(version.app, version.version), version);
    }
    await this.sweepBundles().catch((err: unknown) => this.#report(err, 'sweeping unreferenced bundles'));
  }

  onChange(listener: (change: DeploymentChange) => void): void {
    this.#listeners.push(listener);
  }

  liveVersion(app: string): number | undefined {
    return this.#live.get(app)?.version;
  }

  /** A function of an app's live version, by name. */
  liveFunction(app: string, name: string): FunctionManifest | undefined {
    const version = this.#live.get(app);
    if (!version) return undefined;
    let byName = this.#functionsByName.get(version);
    if (!byName) this.#functionsByName.set(version, (byName = new Map(version.functions.map((f) => [f.name, f]))));
    return byName.get(name);
  }

  live(): VersionRecord[] {
    return [...this.#live.values()];
  }

  async target(app: string, version: number, functionName: string): Promise<PoolTarget | undefined> {
    const record = await this.#version(app, version);
    const fn = record?.functions.find((f) => f.name === functionName);
    if (!record || !fn) return undefined;
    const secrets = this.deps.secrets ? await this.deps.secrets(app) : {};
    return {
      app, version, functionName, settings: fn.settings,
      bundlePath: await this.deps.bundles.local(record.bundleHash, '.mjs'),
      ...(record.sourceMapHash ? { sourceMapPath: await this.deps.bundles.local(record.sourceMapHash, '.mjs.map') } : {}),
      network: fn.settings.network,
      env: { ...fn.settings.env, ...secrets },
    };
  }

  deploy(app: string, input: DeployInput, options: DeployOptions = {}): Promise<DeployedVersion> {
    return this.#exclusive(async () => {
      if (!APP_NAME.test(app)) throw new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_NAME', JSON.stringify(app));
      if (typeof input.bundle !== 'string' || input.bundle.length === 0) {
        throw new NimbusError('NIMBUS_ERR_BODY_INVALID', '"bundle" must be a non-empty string of JavaScript');
      }
      const size = Buffer.byteLength(input.bundle) + (input.sourceMap ? Buffer.byteLength(input.sourceMap) : 0);
      if (size > MAX_BUNDLE_BYTES) throw new NimbusError('NIMBUS_ERR_DEPLOY_BUNDLE_TOO_LARGE', `${size} bytes, limit ${MAX_BUNDLE_BYTES}`);
      const content = versionContent(app, input.bundle, input.sourceMap);

      // Whatever this deploy stores is removed again if it fails, unless another version uses the same content.
      const stored: StoredBundle[] = [];
      let version: VersionRecord;
      let warnings: string[];
      let createdBudgets: string[] = [];
      const live = this.#live.get(app);
      const previous = live?.version ?? null;
      try {
        const map = content.sourceMap ? await this.deps.bundles.put(content.sourceMap, '.mjs.map') : null;
        if (map) stored.push(map);
        const bundle = await this.deps.bundles.put(content.code, '.mjs');
        stored.push(bundle);
        // The live version's own content again: its files were already stored, so nothing is discarded either.
        if (live && live.bundleHash === bundle.hash && live.sourceMapHash === (map?.hash ?? null)) return { ...live, warnings: [], unchanged: true, createdBudgets: [] };

        let described: DescribedFunction[];
        try {
          // The app's secrets are its environment when it loads to serve, so they are when it loads to be described.
          const env = this.deps.secrets ? await this.deps.secrets(app) : {};
          described = await this.deps.describe(app, bundle.path, map?.path, env);
        } catch (err) {
          throw new NimbusError('NIMBUS_ERR_DEPLOY_LOAD_FAILED', firstLines(cleanStack((err as Error).stack ?? String(err))));
        }
        const functions = manifestOf(app, described);
        this.#checkRoutes(app, functions);
        warnings = await checkAllowListHosts(functions);
        createdBudgets = await this.deps.budgets?.check(functions, { create: options.createBudgets ?? false, refusal: `${app} was not deployed` }) ?? [];
        version = await this.deps.store.apps.createVersion(app, {
          bundleHash: bundle.hash, sourceMapHash: map?.hash ?? null, bundleSize: bundle.size, functions,
        });
      } catch (err) {
        await this.#discard(stored);
        throw err;
      }
      await this.#prepare(version);
      this.#setLive(version, previous);
      this.deps.announce?.(app);
      return { ...version, warnings, unchanged: false, createdBudgets };
    });
  }

  /**
   * Deletes bundle files no version references: what a crash left between
   * storing a bundle and recording its version, and the bundles of removed
   * apps. Runs between deploys, so a bundle being deployed is never taken.
   */
  sweepBundles(): Promise<string[]> {
    return this.#exclusive(() => this.#sweep());
  }

  rollback(app: string, to?: number): Promise<{ liveVersion: number; previousVersion: number | null }> {
    return this.#exclusive(async () => {
      const current = this.#live.get(app);
      const versions = await this.deps.store.apps.listVersions(app);
      if (versions.length === 0) throw new NimbusError('NIMBUS_ERR_APP_NOT_FOUND', app);
      const target = to !== undefined
        ? versions.find((v) => v.version === to)
        : [...versions].reverse().find((v) => current && v.version < current.version);
      if (!target) {
        throw new NimbusError('NIMBUS_ERR_VERSION_NOT_FOUND', to !== undefined ? `${app} has no version ${to}` : `${app} has no version before ${current?.version}`);
      }
      this.#checkRoutes(app, target.functions);
      await this.deps.budgets?.check(target.functions, { create: false, refusal: `${app} v${target.version} cannot go live again` });
      await this.#prepare(target);
      await this.deps.store.apps.setLive(app, target.version);
      this.#setLive(target, current?.version ?? null);
      this.deps.announce?.(app);
      return { liveVersion: target.version, previousVersion: current?.version ?? null };
    });
  }

  remove(app: string): Promise<void> {
    return this.#exclusive(async () => {
      if (!(await this.deps.store.apps.remove(app))) throw new NimbusError('NIMBUS_ERR_APP_NOT_FOUND', app);
      this.#forget(app);
      this.deps.announce?.(app);
      // Instances still finishing work loaded their bundle already (a source map they never read leaves their stacks unmapped); none start for this app now.
      await this.#sweep().catch((err: unknown) => this.#report(err, 'sweeping bundles after removing an app'));
    });
  }

  /**
   * Another node changed `app` in the store: serve what the store now says is
   * live, through the same path as a deploy here (instances prepared first,
   * then one swap of the in-memory record), or stop serving a removed app.
   */
  reload(app: string): Promise<void> {
    return this.#exclusive(async () => {
      const record = await this.deps.store.apps.get(app);
      // Removed, or left with no live version: this node stops serving it too.
      if (!record || record.liveVersion === null) {
        if (this.#live.has(app)) this.#forget(app);
        return;
      }
      await this.#follow(app, record.liveVersion);
    });
  }

  /** Notices from other nodes may have been missed: make the live versions here what the store says. */
  resync(): Promise<void> {
    return this.#exclusive(async () => {
      // The apps' live version numbers only: a version is read whole only where this node is behind, as it
      // almost never is (a start resyncs right after load(), with every live version just read).
      const apps = await this.deps.store.apps.list();
      const liveNow = new Set(apps.filter((a) => a.liveVersion !== null).map((a) => a.name));
      for (const app of [...this.#live.keys()]) if (!liveNow.has(app)) this.#forget(app);
      for (const { name, liveVersion } of apps) {
        if (liveVersion === null || this.#live.get(name)?.version === liveVersion) continue;
        await this.#follow(name, liveVersion);
      }
    });
  }

  async versions(app: string): Promise<VersionRecord[]> {
    return this.deps.store.apps.listVersions(app);
  }

  async apps(): Promise<AppRecord[]> {
    return this.deps.store.apps.list();
  }

  async #version(app: string, version: number): Promise<VersionRecord | undefined> {
    const cached = this.#versions.get(key(app, version));
    if (cached) return cached;
    const record = await this.deps.store.apps.getVersion(app, version);
    if (record) {
      this.#sharedSettings.share(record.functions);
      this.#versions.set(key(app, version), record);
    }
    return record;
  }

  async #follow(app: string, liveVersion: number): Promise<void> {
    const current = this.#live.get(app);
    if (current?.version === liveVersion) return;
    const version = await this.#version(app, liveVersion);
    if (!version) return;
    await this.#prepare(version);
    this.#setLive(version, current?.version ?? null);
  }

  #forget(app: string): void {
    this.#live.delete(app);
    for (const k of this.#versions.keys()) if (k.startsWith(`${app}@`)) this.#versions.delete(k);
    this.#emit({ kind: 'removed', app });
  }

  async #prepare(version: VersionRecord): Promise<void> {
    // Preparing resolves each function of the version: one record for all, not one read of the whole version per function.
    this.#sharedSettings.share(version.functions);
    this.#versions.set(key(version.app, version.version), version);
    try {
      await this.deps.prepare?.(version);
    } catch (err) {
      this.#report(err, `starting instances of ${version.app} v${version.version} before it goes live`);
    }
  }

  #setLive(version: VersionRecord, previous: number | null): void {
    this.#live.set(version.app, version);
    this.#versions.set(key(version.app, version.version), version);
    this.#emit({ kind: 'live', app: version.app, version, previous });
  }

  /** Every listener hears of every change: one that throws is reported, not allowed to stop the others. */
  #emit(change: DeploymentChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (err) {
        this.#report(err, `following a deployment change (${change.kind} ${change.app})`);
      }
    }
  }

  async #sweep(): Promise<string[]> {
    return this.deps.bundles.sweep(await this.deps.store.apps.referencedBundleHashes());
  }

  /** Removes a failed deploy's files unless a version references them (the same content deployed before). */
  async #discard(stored: StoredBundle[]): Promise<void> {
    if (stored.length === 0) return;
    try {
      const referenced = await this.deps.store.apps.referencedBundleHashes();
      for (const file of stored) if (!referenced.has(file.hash)) await this.deps.bundles.remove(file.hash, file.extension);
    } catch (err) {
      // The start-up sweep gets what is left; the deploy's own error is what the caller needs.
      this.#report(err, 'removing the files of a failed deploy');
    }
  }

  #report(err: unknown, context: string): void {
    (this.deps.onError ?? ((e, c) => console.error(`nimbus: ${c}:`, e)))(err, context);
  }

  /** Routes must be unique within the app and not collide with another app's live routes. */
  #checkRoutes(app: string, functions: FunctionManifest[]): void {
    const mine = ownRoutes(functions);
    for (let i = 0; i < mine.length; i++) {
      for (let j = i + 1; j < mine.length; j++) {
        if (collide(mine[i]!, mine[j]!)) {
          throw new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', `${mine[i]!.fn} and ${mine[j]!.fn} both serve ${mine[j]!.spec}`);
        }
      }
    }
    // Every other live route is looked up by its shape among these: one map lookup each, parsed once per version.
    const mineByShape = new Map<string, RouteOf[]>();
    for (const m of mine) mineByShape.set(m.shape, [...(mineByShape.get(m.shape) ?? []), m]);
    for (const other of this.#live.values()) {
      if (other.app === app) continue;
      for (const [fn, route] of parsedRoutes(other.functions)) {
        // One this node cannot parse (deployed by a node with other rules) is not served here: it collides with nothing.
        if (route instanceof Error) continue;
        const clash = mineByShape.get(shapeOf(route))?.find((m) => methodsOverlap(m.method, route.method));
        if (clash) {
          throw new NimbusError('NIMBUS_ERR_DEPLOY_ROUTE_CONFLICT', `${clash.spec} (function ${clash.fn}) is served by app "${other.app}" (function ${fn})`, { conflictingApp: other.app });
        }
      }
    }
  }

  /**
   * Runs `work` once the deploys, rollbacks and reloads already under way have
   * finished: a secret change restarts instances only after a version being
   * prepared (with the old environment) went live, never before it.
   */
  afterPending(work: () => void): Promise<void> {
    return this.#exclusive(async () => work());
  }

  /** Runs `work` between deploys, rollbacks and reloads: a budget is removed only while no deploy here is checking it exists. */
  serialized<T>(work: () => Promise<T>): Promise<T> {
    return this.#exclusive(work);
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(work, work);
    this.#lock = run.catch(() => {});
    return run;
  }
}

interface RouteOf { fn: string; spec: string; method: RouteMethod; shape: string }

/** The routes of the version being deployed; one that cannot be parsed refuses the deploy with parseRoute's message. */
function ownRoutes(functions: readonly FunctionManifest[]): RouteOf[] {
  const parsed = parsedRoutes(functions);
  return functions.flatMap((f) => {
    const route = parsed.get(f.name);
    if (route === undefined) return [];
    if (route instanceof Error) throw route;
    return [{ fn: f.name, spec: f.trigger['route'] as string, method: route.method, shape: shapeOf(route) }];
  });
}

/** A parsed route's shape, worked out once: every deploy looks up every other live route's. */
const shapes = new WeakMap<Route, string>();

function shapeOf(route: Route): string {
  let shape = shapes.get(route);
  if (shape === undefined) shapes.set(route, (shape = routeShape(route)));
  return shape;
}

function collide(a: RouteOf, b: RouteOf): boolean {
  return a.shape === b.shape && methodsOverlap(a.method, b.method);
}

/** The definitions an app's bundle exports (as its sandbox described them: untrusted), each validated whole. */
function manifestOf(app: string, described: unknown): FunctionManifest[] {
  if (!Array.isArray(described) || described.length === 0) {
    throw new NimbusError('NIMBUS_ERR_DEPLOY_NO_FUNCTIONS', 'export at least one http(), queue(), blob() or timer() definition');
  }
  if (described.length > MAX_FUNCTIONS_PER_APP) {
    throw new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', `an app exports at most ${MAX_FUNCTIONS_PER_APP} functions, this one ${described.length}`);
  }
  const names = new Set<string>();
  return described.map((d: Partial<DescribedFunction> | null) => {
    const name = d?.name as string;
    const kind = d?.kind as string;
    const { settings, trigger } = validateDefinition(app, name, kind, d?.settings);
    if (names.has(name)) throw new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', `${name}: exported twice`);
    names.add(name);
    return { name, kind: kind as FunctionManifest['kind'], settings, trigger };
  });
}

function key(app: string, version: number): string {
  return `${app}@${version}`;
}

function firstLines(text: string, count = 12): string {
  return text.split('\n').slice(0, count).join('\n');
}
