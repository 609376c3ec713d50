/** Composition root for one Nimbus node: reads options, wires the parts, starts and stops them in order. */
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../shared/package-root.js';
import { ADMIN_KEY_FILE, loadOrCreateAdminKey } from '../auth/admin-key.js';
import { KnownNames } from './known-names.js';
import { writeNodeUrlFile } from './node-url-file.js';
import { lockDataFolder, NODE_LOCK_FILE } from './data-folder-lock.js';
import { ApiKeys } from '../auth/api-keys.js';
import { AppSecrets } from '../auth/app-secrets.js';
import { createAuthorizer } from '../auth/authorize.js';
import { CredentialFilter } from '../auth/credential-filter.js';
import { addKeysApi } from '../auth/keys-api.js';
import { loadOrCreateMasterKey, MASTER_KEY_FILE } from '../auth/master-key.js';
import { SecretBox } from '../auth/secret-box.js';
import { addSecretsApi } from '../auth/secrets-api.js';
import { addWhoamiApi } from '../auth/whoami-api.js';
import { AdminRouter } from '../gateway/admin-router.js';
import { addAppsApi } from '../gateway/apps-api.js';
import { failureAudience } from '../gateway/failure-audience.js';
import { ConsoleAssets } from '../gateway/console-assets.js';
import { Gateway, type NodeHealth } from '../gateway/gateway.js';
import { nodeRoutes } from '../gateway/admin-routes/node.js';
import { RouteTable } from '../gateway/route-table.js';
import { describeBundle } from '../runtime/describe-bundle.js';
import { DEFAULT_DISPATCHER_OPTIONS, Dispatcher } from '../runtime/dispatcher.js';
import { InvocationLifecycle, type FunctionLogLine } from '../runtime/lifecycle.js';
import { DEFAULT_WARM_POOL, WarmPool, type WarmPoolOptions } from '../runtime/pool/warm-pool.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { formatMode, makePrivate, prepareDataFolder, PRIVATE_DIR_MODE } from '../store/data-folder.js';
import { isStorageFault } from '../store/storage-errors.js';
import { StorageHealth } from '../store/storage-health.js';
import { DeploymentRegistry } from './deployments.js';
import { loadOrCreateNodeId, NODE_ID_FILE } from './node-id.js';
import { selectDriver, type IsolationSetting } from './select-driver.js';
import type { DestinationStream, Logger } from 'pino';
import type { HostServices } from '../runtime/host-services.js';
import { createHostServices } from './host-services.js';
import { wireBlobs } from './wire-blobs.js';
import { wireMetering, type MeteringWiring } from './wire-metering.js';
import { wireQueues } from './wire-queues.js';
import { wireTimers } from './wire-timers.js';
import { createPlatformLogger } from '../metering/platform-logger.js';
import { packageVersion } from '../cli/version.js';
import type { AppChangeNotice } from '../cluster/change-feed.js';
import { DEFAULT_DEAD_AFTER_MS, MAX_DEAD_AFTER_MS, MIN_DEAD_AFTER_MS, type NodeLoad } from '../cluster/membership.js';
import { addNodesApi } from '../cluster/nodes-api.js';
import { openStorage } from './open-storage.js';
import { addBudgetsApi } from '../budgets/budgets-api.js';
import { deployBudgetCheck } from '../budgets/deploy-budget-check.js';
import type { BudgetControl, BudgetStore } from '../budgets/budget.js';
import { BudgetRegistry } from '../budgets/budget-registry.js';
import { BudgetSections } from '../budgets/budget-sections.js';
import { describeStorage, parseStorageConfig } from './storage-config.js';

export interface NodeOptions {
  host: string;
  port: number;
  /** Data folder: SQLite state, bundles, blobs, admin key. */
  dataDir: string;
  /** Admin key; else NIMBUS_ADMIN_KEY, else generated into `<dataDir>/admin-key` on first start. */
  adminKey?: string;
  /** 'strict' refuses to start without OS isolation; 'auto' (default) falls back loudly; 'basic' uses plain processes. Env NIMBUS_ISOLATION. */
  isolation?: IsolationSetting;
  /** Profiling only (the http-profile bench): see ProcessDriverOptions.cpuProfileDir; basic isolation only. */
  instanceCpuProfileDir?: string;
  /** Platform log level (pino); 'silent' in tests. */
  logLevel?: string;
  /** Where the platform log goes (pino JSON lines); default standard output. `nimbus dev` formats it for people. */
  logDestination?: DestinationStream;
  /** Pre-spawned sandboxes per memory shape; 0 turns the warm pool off. */
  warmPool?: Partial<WarmPoolOptions>;
  /** Node-wide memory budget for instances (MiB); default 75% of RAM. */
  memoryBudgetMb?: number;
  /** Request body cap for HTTP functions (bytes); default 6 MiB. */
  maxBodyBytes?: number;
  /**
   * Answer every caller of a failed function with its error message, as
   * `nimbus dev` does (the developer is the caller there). Off: only a caller
   * with the admin key sees it; others get the kind of failure and the
   * invocation id. The message is in the function's logs either way.
   */
  showFunctionErrors?: boolean;
  /** Serve /metrics without the admin key (for a Prometheus inside a trusted network). Env NIMBUS_METRICS_OPEN=1. */
  metricsOpen?: boolean;
  /** Metering, function log capture, metrics and tracing; on by default (off only to measure their cost). */
  metering?: boolean;
  /** How long async invocation results stay fetchable (ms); default 24 h. Env NIMBUS_ASYNC_RESULT_TTL_MS. */
  asyncResultRetentionMs?: number;
  /** State: absent, `sqlite:` or a folder for SQLite; `postgres://…` for PostgreSQL (cluster). Env NIMBUS_STORE. */
  store?: string;
  /** Blobs and bundles: absent for files in the data folder; `s3://bucket?endpoint=…&region=…`. Env NIMBUS_BLOBS. */
  blobs?: string;
  /** The URL other nodes and operators reach this node on; default the URL it listens on. Env NIMBUS_ADDRESS. */
  address?: string;
  /** A node silent this long is declared dead and its work taken over (ms, PostgreSQL store); default 10 s. Env NIMBUS_DEAD_AFTER_MS. */
  deadAfterMs?: number;
  /** How long SIGTERM waits for in-flight work (ms). */
  drainTimeoutMs?: number;
  /** Where budgets are kept; default the node's store (tests hand several in-process nodes one in-memory store). */
  budgetStore?: BudgetStore;
  clock?: Clock;
}

export interface NimbusNode {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly adminKey: string;
  /** True when the admin key was generated by this start (the CLI prints it once). */
  readonly adminKeyGenerated: boolean;
  /** The running side of downstream budgets: the admin API calls `changed` after writing the store. */
  readonly budgets: BudgetControl;
  /** Every line a function writes, for `nimbus dev`. Returns an unsubscribe function. */
  onFunctionLog(listener: (line: FunctionLogLine) => void): () => void;
  /** Stop accepting, drain in-flight work (bounded), stop instances, close state. */
  close(): Promise<void>;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
/** How long a deploy waits for the new version's instances before it goes live without them. */
const PRESTART_TIMEOUT_MS = 5_000;

/** The bundled instance runtime (scripts/bundle-instance.mjs). */
export function instanceScriptPath(): string {
  return packagePath('dist', 'instance.mjs');
}

/** The console's built files (scripts/bundle-console.mjs). */
export function consoleAssetsDir(): string {
  return packagePath('dist', 'console');
}

export async function startNode(options: NodeOptions): Promise<NimbusNode> {
  const clock = options.clock ?? systemClock;
  const log = createPlatformLogger(options.logLevel ?? process.env['NIMBUS_LOG_LEVEL'] ?? 'info', options.logDestination);
  const asyncTtl = options.asyncResultRetentionMs ?? (process.env['NIMBUS_ASYNC_RESULT_TTL_MS'] ? Number(process.env['NIMBUS_ASYNC_RESULT_TTL_MS']) : undefined);
  if (asyncTtl !== undefined && !(Number.isInteger(asyncTtl) && asyncTtl > 0)) throw new Error('asyncResultRetentionMs (NIMBUS_ASYNC_RESULT_TTL_MS) must be a positive whole number of milliseconds');
  const storageConfig = parseStorageConfig({ store: options.store ?? process.env['NIMBUS_STORE'], blobs: options.blobs ?? process.env['NIMBUS_BLOBS'] });
  const deadAfterMs = options.deadAfterMs ?? (process.env['NIMBUS_DEAD_AFTER_MS'] ? Number(process.env['NIMBUS_DEAD_AFTER_MS']) : DEFAULT_DEAD_AFTER_MS);
  if (!(Number.isInteger(deadAfterMs) && deadAfterMs >= MIN_DEAD_AFTER_MS && deadAfterMs <= MAX_DEAD_AFTER_MS)) {
    throw new Error(`deadAfterMs (NIMBUS_DEAD_AFTER_MS) must be a whole number of milliseconds from ${MIN_DEAD_AFTER_MS} to ${MAX_DEAD_AFTER_MS}`);
  }
  const advertised = options.address ?? (process.env['NIMBUS_ADDRESS'] || undefined);
  preparePrivateDataFolder(options.dataDir, log);
  // Before anything in the folder is read or written: a second node on it is refused, and the first goes on untouched.
  const lock = lockDataFolder(options.dataDir);
  /** What a start that fails closes, newest part first: each part adds its closer once it is made. */
  const undo: (() => unknown)[] = [() => lock.release()];
  const abandon = async (err: unknown): Promise<never> => {
    for (const close of undo.reverse()) {
      await Promise.resolve().then(close).catch((closeErr: unknown) => log.warn({ err: closeErr }, 'a part of a failed start did not close'));
    }
    throw err;
  };
  /** A step of the start that may fail (at once or later): a failure closes what was made, then is thrown. */
  const step = <T>(work: () => T | Promise<T>): Promise<T> => Promise.resolve().then(work).catch(abandon);
  const { admin, master, nodeId } = await step(() => {
    const keys = {
      admin: loadOrCreateAdminKey(options.dataDir, options.adminKey ?? process.env['NIMBUS_ADMIN_KEY']),
      master: loadOrCreateMasterKey(options.dataDir, process.env['NIMBUS_MASTER_KEY']),
      nodeId: loadOrCreateNodeId(options.dataDir),
    };
    for (const name of [ADMIN_KEY_FILE, MASTER_KEY_FILE, NODE_ID_FILE, NODE_LOCK_FILE]) makeFilePrivate(join(options.dataDir, name), log);
    return keys;
  });
  // Every write to the data folder reports here: refused when the folder is lost, named when the disk is full.
  const storage = await step(() => new StorageHealth({ dataDir: options.dataDir, clock, log }));
  let url = '';
  let dispatcher: Dispatcher | null = null;
  const nodeLoad = (): NodeLoad => {
    let instances = 0;
    let inflight = 0;
    for (const f of dispatcher?.instances() ?? []) {
      instances += f.instances;
      inflight += f.inflight;
    }
    return { instances, inflight };
  };
  const opened = await step(() => openStorage(storageConfig, {
    dataDir: options.dataDir, clock, nodeId, version: packageVersion(), address: () => advertised ?? url, load: nodeLoad, health: storage, log,
    deadAfterMs, ...(asyncTtl !== undefined ? { asyncResultRetentionMs: asyncTtl } : {}),
  }));
  const { store, bundles, feed, membership } = opened;
  undo.push(() => opened.close());
  /** Tells the other nodes; a failure only delays them until their next resync. */
  const publish = (notice: AppChangeNotice): void => {
    feed.publish(notice).catch((err: unknown) => log.warn({ err, ...notice }, 'could not tell the other nodes about a change'));
  };
  const secrets = new AppSecrets(store.secrets, new SecretBox(master.key));
  const keys = new ApiKeys(store.keys, clock);
  const credentials = new CredentialFilter(admin.key);

  const { driver, report: isolationReport } = await step(() => selectDriver({
    isolation: options.isolation ?? (process.env['NIMBUS_ISOLATION'] as IsolationSetting | undefined) ?? 'auto',
    instanceScript: instanceScriptPath(), bundlesDir: bundles.dir, nodeId, log,
    ...(options.instanceCpuProfileDir ? { cpuProfileDir: options.instanceCpuProfileDir } : {}),
  }));
  undo.push(() => driver.dispose());

  const lifecycle = new InvocationLifecycle();
  const budgetStore = options.budgetStore ?? store.budgets;
  const budgetRegistry = new BudgetRegistry(budgetStore, clock, log);
  await step(() => budgetRegistry.load());
  undo.push(() => budgetRegistry.close());
  // In a cluster each node holds a leased share of every budget; alone, all of it.
  await step(() => opened.budgetShares.start(budgetRegistry));
  /** What the admin API calls after writing a budget: applied here at once, and on the other nodes through the feed. */
  const budgets: BudgetControl = {
    async changed(name) {
      // The write has committed: the other nodes hear of it whatever happens here, and a failed re-read
      // is logged, not answered as a 500 for a change that was saved (the next resync catches it up).
      publish({ app: name, what: 'budget' });
      await budgetRegistry.changed(name).catch((err: unknown) => log.error({ err, budget: name }, 'could not apply a budget change on this node'));
    },
    states: () => budgetRegistry.states(),
  };
  const deployments = new DeploymentRegistry({
    store, bundles,
    describe: (app, bundlePath, sourceMapPath, env) => describeBundle(warmPool, app, bundlePath, sourceMapPath, env),
    secrets: (app) => secrets.resolve(app),
    onError: (err, context) => log.error({ err, context }, 'deployment problem'),
    prepare: (version) => dispatcher!.prestart(version.app, version.version, version.functions.map((f) => f.name), PRESTART_TIMEOUT_MS),
    announce: (app) => publish({ app, what: 'version' }),
    budgets: deployBudgetCheck(budgetStore, budgets),
  });
  let hostServices: HostServices | null = null;
  const warmPool = new WarmPool(
    driver,
    { ...DEFAULT_WARM_POOL, ...options.warmPool },
    (lines, instance) => dispatcher?.onInstanceLog(lines, instance),
    (error) => log.error({ err: error }, 'warm sandbox failed to start'),
    (call) => hostServices!(call),
    clock,
  );
  // Booting the pooled sandboxes takes a while and needs nothing of what follows: the node reads its
  // deployments, routes, queues, blobs and timers meanwhile, and waits for the pool only before it listens.
  const pool = warmPool.start();
  undo.push(() => warmPool.close());
  dispatcher = new Dispatcher(deployments, warmPool, lifecycle, clock, {
    ...DEFAULT_DISPATCHER_OPTIONS,
    memoryBudgetMb: options.memoryBudgetMb ?? Math.floor((totalmem() / 1048576) * 0.75),
  }, opened.slots, budgetRegistry, (invocationId) => budgetSections.end(invocationId));
  const budgetSections = new BudgetSections(
    budgetRegistry, clock,
    (invocationId) => dispatcher!.budgetHoldOf(invocationId),
    (app, functionName, version) => dispatcher!.budgetPriorityOf(app, functionName, version),
  );
  const routes = new RouteTable({
    onUnparseable: (target, spec, err) => log.warn({ err, app: target.app, function: target.functionName, version: target.version, route: spec }, 'a live route this node cannot parse is not served'),
  });

  // Their processes are started first: with thousands of functions, reading them holds this thread for a
  // while, and the sandboxes would start only after it rather than boot beside it.
  await step(() => pool.launched);
  await step(() => deployments.load());
  routes.rebuild(deployments.live());
  /** New pools (and so new instances, with a fresh env) for an app's live version. */
  const restartApp = (app: string): void => {
    void deployments.afterPending(() => {
      dispatcher!.retire(app, null);
      const live = deployments.live().find((v) => v.app === app);
      if (live) void dispatcher!.warm(app, live.version, live.functions.map((f) => f.name));
    });
  };
  deployments.onChange((change) => {
    routes.rebuild(deployments.live());
    if (change.kind === 'live') {
      dispatcher!.retire(change.app, change.version.version);
      void dispatcher!.warm(change.app, change.version.version, change.version.functions.map((f) => f.name));
      log.info({ app: change.app, version: change.version.version, previous: change.previous }, 'version live');
    } else {
      dispatcher!.retire(change.app, null);
      secrets.forget(change.app);
      store.secrets.removeApp(change.app).catch((err: unknown) => {
        if (!isStorageFault(err)) log.error({ err, app: change.app }, 'secrets of a removed app could not be removed');
      });
      log.info({ app: change.app }, 'app removed');
    }
  });

  const router = new AdminRouter();
  const authorize = createAuthorizer(admin.key, keys);
  const functionErrorsSeenBy = failureAudience(authorize, options.showFunctionErrors === true);
  addAppsApi(router, deployments, dispatcher, () => url, credentials, functionErrorsSeenBy);
  const names = new KnownNames(deployments);
  addWhoamiApi(router);
  addKeysApi(router, keys, { checkScope: (scope) => names.checkKeyScope(scope) });
  addBudgetsApi(router, {
    store: budgetStore, control: budgets,
    live: () => deployments.live(), liveInStore: () => store.apps.listLive(), serialized: (work) => deployments.serialized(work),
  });
  addSecretsApi(router, secrets, (app) => {
    // Instances got their env when they started: new ones take over, in-flight work finishes on the old.
    restartApp(app);
    publish({ app, what: 'secrets' });
  });

  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  // Blobs and timers report lags to the metrics, which are wired after them.
  let metering: MeteringWiring | null = null;
  // Leases this node held when it last stopped have no one handling them now: ready again, an attempt each.
  await step(() => store.queues.releaseLeasesOf(nodeId));
  const blobs = await step(() => wireBlobs({
    backend: opened.blobs, index: store.blobIndex, queues: store.queues, invoker: dispatcher, clock, log, deployments, drainTimeoutMs, router,
    observeEventLag: (ms) => metering?.metrics.observeBlobEventLag(ms),
  }));
  undo.push(() => blobs.close());
  hostServices = createHostServices({ queues: store.queues, blobs: blobs.backend, budgets: budgetSections });
  const queues = await step(() => wireQueues({
    queues: store.queues, asyncResults: store.asyncResults, invoker: dispatcher!, clock, log, deployments, router, drainTimeoutMs, credentials,
  }));
  const meter = await step(() => wireMetering({
    lifecycle, dispatcher: dispatcher!, router, clock, log, meteringStore: store.metering, logStore: store.logs, names,
    metricsOpen: options.metricsOpen ?? process.env['NIMBUS_METRICS_OPEN'] === '1', enabled: options.metering !== false,
    queueDepths: async () => (await store.queues.listQueues()).map((q) => ({ queue: q.name, depth: q.depth, oldestAgeMs: q.oldestAgeMs ?? 0 })),
  }));
  metering = meter;
  undo.push(() => queues.close(), () => meter.close());
  metering.metrics.setBudgetSource(() => budgetRegistry.states());
  budgetRegistry.setWaitObserver((budget, ms) => metering?.metrics.observeBudgetWait(budget, ms));
  metering.metrics.setStorageSource(() => ({ healthy: storage.status().healthy, errors: storage.errorCounts() }));
  router.add(nodeRoutes.node, async () => ({
    status: 200,
    body: {
      nodeId, dataDir: options.dataDir,
      isolation: { driver: driver.name, level: driver.isolation, report: isolationReport },
      warmPool: warmPool.stats(),
      instances: dispatcher!.instances(),
    },
  }));
  addNodesApi(router, membership);
  membership.onNodeDead(async (deadNode) => {
    await store.timers.interruptRuns(deadNode, `node ${deadNode} stopped heartbeating`);
  });
  const gateway = await step(() => new Gateway(
    {
      dispatcher: dispatcher!, routes, admin: router, authorize, credentials, extensions: { metrics: meter.extension, invokeAsync: queues.invokeAsync },
      failureAudience: functionErrorsSeenBy,
      onError: (error) => log.error({ err: error }, 'request failed'),
      health: () => nodeHealth(storage),
      ready: () => membership.readiness(),
      console: new ConsoleAssets(consoleAssetsDir()),
    },
    options.maxBodyBytes,
  ));

  dispatcher.start();
  undo.push(() => dispatcher!.close(0));
  const timers = await step(() => wireTimers({
    store: store.timers, invoker: dispatcher, nodeId, clock, log, deployments, router,
    drainTimeoutMs,
    observeLag: (ms) => metering?.metrics.observeTimerLag(ms),
  }));
  undo.push(() => timers.close());
  // Changes made on other nodes: followed from now on, and whatever changed since load() is caught up once.
  await step(() => feed.follow({
    changed: ({ app, what }) => {
      if (what === 'secrets') restartApp(app);
      else if (what === 'budget') budgetRegistry.changed(app).catch((err: unknown) => log.error({ err, budget: app }, 'could not follow a budget change made on another node'));
      else deployments.reload(app).catch((err: unknown) => log.error({ err, app }, 'could not follow a change made on another node'));
    },
    resync: () => {
      budgetRegistry.load().catch((err: unknown) => log.error({ err }, 'could not catch up with budget changes made on other nodes'));
      deployments.resync().catch((err: unknown) => log.error({ err }, 'could not catch up with changes made on other nodes'));
      secrets.changedSinceGiven().then(
        (apps) => apps.forEach(restartApp),
        (err: unknown) => log.error({ err }, 'could not catch up with secret changes made on other nodes'),
      );
    },
  }));
  await step(() => deployments.resync());
  // Timers are read and scheduled while the pool boots (in chunks, beside serving once the node listens);
  // none fires before the node listens and has joined.
  timers.prepare();
  // One ready sandbox per shape is enough to serve a cold start: the node listens then, and the rest of the pool
  // boots behind it (on a small machine, beside the node's own start-up work, it would hold the listen back).
  await step(() => pool.serving);
  // Only functions that keep instances running need a pool now; the others get theirs on their first invocation.
  for (const version of deployments.live()) {
    const kept = version.functions.filter((f) => f.settings.minInstances > 0).map((f) => f.name);
    if (kept.length > 0) void dispatcher.warm(version.app, version.version, kept);
  }
  storage.start();
  undo.push(() => storage.close());
  url = await step(() => gateway.listen(options.host, options.port));
  undo.push(() => gateway.forceClose());
  await step(() => membership.start());
  timers.arm();
  try {
    writeNodeUrlFile(options.dataDir, url);
  } catch (err) {
    // The node serves without it; only the CLI's pairing of key and URL in this folder is lost.
    log.warn({ err, dataDir: options.dataDir }, 'could not record the node URL in the data folder');
  }
  log.info({ url, address: advertised ?? url, nodeId, dataDir: options.dataDir, ...describeStorage(storageConfig, options.dataDir) }, 'nimbus node started');

  let closing: Promise<void> | null = null;
  return {
    url,
    adminKey: admin.key,
    adminKeyGenerated: admin.generated,
    budgets,
    onFunctionLog: (listener) => lifecycle.on('log', listener),
    close() {
      closing ??= (async () => {
        const drainMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
        const stopped = gateway.stopAccepting();
        // Triggers stop taking new work and let what they started finish; then the dispatcher drains.
        await Promise.all([timers.close(), queues.close(), blobs.close()]);
        await dispatcher!.close(drainMs);
        budgetRegistry.close();
        gateway.forceClose();
        await stopped;
        await warmPool.close();
        await metering.close();
        await driver.dispose();
        await opened.close();
        storage.close();
        lock.release();
        log.info('nimbus node stopped');
        log.flush();
      })();
      return closing;
    },
  };
}

/** Makes the data folder private (0700), and says so when it was not. */
function preparePrivateDataFolder(dataDir: string, log: Logger): void {
  const folder = prepareDataFolder(dataDir);
  if (folder.tightenedFrom !== null) {
    log.warn({ dataDir, was: formatMode(folder.tightenedFrom), now: formatMode(PRIVATE_DIR_MODE) }, 'the data folder was open to other users: made it private');
  }
  if (folder.chmodFailed !== null) {
    log.warn({ dataDir, error: folder.chmodFailed }, 'the data folder is open to other users and could not be made private: chmod 700 it');
  }
}

/** Key files written by hand (or node ids by older versions) may be 0644: they become the owner's alone. */
function makeFilePrivate(path: string, log: Logger): void {
  try {
    makePrivate(path);
  } catch (err) {
    log.warn({ path, err }, 'a file in the data folder is open to other users and could not be made private');
  }
}

/** `/_nimbus/health`: unhealthy once the store is lost (only a restart helps), degraded while a disk is full or read-only. */
function nodeHealth(storage: StorageHealth): NodeHealth {
  const status = storage.status();
  if (status.healthy) return { status: 'ok' };
  return {
    status: status.lost ? 'unhealthy' : 'degraded',
    reason: `storage: ${status.reason ?? 'fault'}`,
    storage: status.faults.map(({ area, kind, since }) => ({ area, kind, since: new Date(since).toISOString() })),
  };
}
