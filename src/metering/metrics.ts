import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InvocationLifecycle } from '../runtime/lifecycle.js';
import { HotCounter, HotHistogram } from './hot-series.js';
import type { BudgetState } from '../budgets/budget.js';

/** Seconds; from a few ms (warm, trivial) to the 30 s default timeout and beyond. */
export const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds; a cold start is loading a bundle into a warm process (ms) or booting one (100s of ms). */
export const COLD_START_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Seconds a timer fired late or a blob event waited for its handler. */
export const LAG_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface InstanceCount {
  app: string;
  functionName: string;
  /** e.g. starting, idle, busy, stopping: whatever states the pools have. */
  state: string;
  count: number;
}

export interface QueueDepth {
  queue: string;
  depth: number;
  /** Age of the oldest waiting message (ms); 0 when empty. */
  oldestAgeMs: number;
}

/** The node's storage, as its StorageHealth reports it. */
export interface StorageReport {
  /** No storage fault in force. */
  healthy: boolean;
  /** Storage errors answered since start, by area (state, blobs, bundles) and kind (full, read_only, denied, io, lost). */
  errors: readonly { area: string; kind: string; count: number }[];
}

export interface NodeMetricsOptions {
  /** Node.js process metrics (CPU, memory, event-loop lag) as well; on by default. */
  processMetrics?: boolean;
  /** Labels on every series, e.g. `{ node: 'node-1' }` in a cluster. */
  defaultLabels?: Record<string, string>;
}

/**
 * Prometheus metrics for one node, in a registry of its own (never
 * prom-client's global one) so two nodes in one process, as in tests, do not
 * mix. Invocation counters come from the lifecycle; gauges that describe
 * current state are read from callbacks at scrape time.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  #instanceSource: () => readonly InstanceCount[] = () => [];
  #queueSource: () => readonly QueueDepth[] = () => [];
  #storageSource: () => StorageReport = () => ({ healthy: true, errors: [] });
  #budgetSource: () => readonly BudgetState[] = () => [];
  readonly #budgetWait: Histogram;
  // Updated on every invocation, hence the cheaper hot-series kind.
  readonly #invocations: HotCounter<'app' | 'function' | 'outcome' | 'trigger'>;
  readonly #duration: HotHistogram<'app' | 'function'>;
  readonly #coldStarts: HotCounter<'app' | 'function'>;
  readonly #coldStartDuration: HotHistogram<'app' | 'function'>;
  readonly #throttled: HotCounter<'app' | 'function'>;
  readonly #timerLag: Histogram;
  readonly #blobEventLag: Histogram;

  constructor(options: NodeMetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.#invocations = new HotCounter(
      {
        name: 'nimbus_invocations_total',
        help: 'Finished invocations by app, function, outcome and trigger.',
        labelNames: ['app', 'function', 'outcome', 'trigger'],
      },
      this.registry,
    );
    this.#duration = new HotHistogram(
      {
        name: 'nimbus_invocation_duration_seconds',
        help: 'Handler time of finished invocations, excluding waiting and cold start.',
        labelNames: ['app', 'function'],
        buckets: DURATION_BUCKETS,
      },
      this.registry,
    );
    this.#coldStarts = new HotCounter(
      {
        name: 'nimbus_cold_starts_total',
        help: 'Invocations that had to wait for an instance to start.',
        labelNames: ['app', 'function'],
      },
      this.registry,
    );
    this.#coldStartDuration = new HotHistogram(
      {
        name: 'nimbus_cold_start_duration_seconds',
        help: 'Time spent starting an instance for an invocation.',
        labelNames: ['app', 'function'],
        buckets: COLD_START_BUCKETS,
      },
      this.registry,
    );
    this.#throttled = new HotCounter(
      {
        name: 'nimbus_throttled_total',
        help: 'Invocations refused because the function was at its instance cap with a full wait queue.',
        labelNames: ['app', 'function'],
      },
      this.registry,
    );
    const metrics = this;
    new Gauge({
      name: 'nimbus_instances',
      help: 'Function instances on this node by state.',
      labelNames: ['app', 'function', 'state'],
      registers,
      collect() {
        this.reset();
        for (const row of readSource(() => metrics.#instanceSource())) {
          this.set({ app: row.app, function: row.functionName, state: row.state }, row.count);
        }
      },
    });
    new Gauge({
      name: 'nimbus_queue_depth',
      help: 'Messages waiting in each queue.',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const row of readSource(() => metrics.#queueSource())) this.set({ queue: row.queue }, row.depth);
      },
    });
    new Gauge({
      name: 'nimbus_queue_oldest_message_age_seconds',
      help: 'Age of the oldest message waiting in each queue.',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const row of readSource(() => metrics.#queueSource())) this.set({ queue: row.queue }, row.oldestAgeMs / 1000);
      },
    });
    new Gauge({
      name: 'nimbus_store_healthy',
      help: '1 while every storage area takes writes; 0 while one is full, read-only, failing or lost.',
      registers,
      collect() {
        this.set(metrics.#readStorage().healthy ? 1 : 0);
      },
    });
    new Counter({
      name: 'nimbus_storage_errors_total',
      help: 'Writes (and reads) refused or failed by a storage fault, by area (state, blobs, bundles) and kind (full, read_only, denied, io, lost).',
      labelNames: ['area', 'kind'],
      registers,
      collect() {
        // The counts live in the node's StorageHealth; copied at each scrape.
        this.reset();
        for (const row of metrics.#readStorage().errors) this.inc({ area: row.area, kind: row.kind }, row.count);
      },
    });
    const budgetGauge = (name: string, help: string, value: (b: BudgetState) => number): void => {
      new Gauge({
        name, help, labelNames: ['budget'], registers,
        collect() {
          this.reset();
          for (const b of readSource(() => metrics.#budgetSource())) this.set({ budget: b.name }, value(b));
        },
      });
    };
    budgetGauge('nimbus_budget_in_use', 'Permits of each downstream budget held on this node now.', (b) => b.inUse);
    budgetGauge('nimbus_budget_waiting', 'Invocations and sections waiting for a permit of each budget on this node.', (b) => b.waiting);
    budgetGauge('nimbus_budget_limit', 'The limit of each budget in force: its concurrency, or its adaptive limit now.', (b) => b.limit);
    new Counter({
      name: 'nimbus_budget_throttled_total',
      help: 'Waiters refused (HTTP 429) or events held back because of each budget, since the node started.',
      labelNames: ['budget'],
      registers,
      collect() {
        this.reset();
        for (const b of readSource(() => metrics.#budgetSource())) this.inc({ budget: b.name }, b.throttled);
      },
    });
    this.#budgetWait = new Histogram({
      name: 'nimbus_budget_wait_seconds',
      help: 'How long work that had to wait for a permit of each budget waited (work that found one free is not counted).',
      labelNames: ['budget'],
      buckets: LAG_BUCKETS,
      registers,
    });
    this.#timerLag = new Histogram({
      name: 'nimbus_timer_lag_seconds',
      help: 'How late timer triggers fired after their scheduled time.',
      buckets: LAG_BUCKETS,
      registers,
    });
    this.#blobEventLag = new Histogram({
      name: 'nimbus_blob_event_lag_seconds',
      help: 'Time from a blob change to the start of its handler.',
      buckets: LAG_BUCKETS,
      registers,
    });
  }

  /** Counts finished invocations. Returns a detach function. */
  attach(lifecycle: InvocationLifecycle): () => void {
    return lifecycle.on('finished', (end) => {
      const fn = { app: end.app, function: end.functionName };
      this.#invocations.inc({ app: end.app, function: end.functionName, outcome: end.outcome, trigger: end.trigger });
      if (end.outcome === 'throttled') {
        this.#throttled.inc(fn);
        return;
      }
      this.#duration.observe(fn, end.durationMs / 1000);
      if (end.coldStartMs !== null) {
        this.#coldStarts.inc(fn);
        this.#coldStartDuration.observe(fn, end.coldStartMs / 1000);
      }
    });
  }

  /** The pools report their instances here; read at each scrape. */
  setInstanceSource(source: () => readonly InstanceCount[]): void {
    this.#instanceSource = source;
  }

  /** The queue consumer reports depth and oldest age here; read at each scrape. */
  setQueueSource(source: () => readonly QueueDepth[]): void {
    this.#queueSource = source;
  }

  /** The node's StorageHealth reports here; read at each scrape. */
  setStorageSource(source: () => StorageReport): void {
    this.#storageSource = source;
  }

  /** The budget registry reports here; read at each scrape. */
  setBudgetSource(source: () => readonly BudgetState[]): void {
    this.#budgetSource = source;
  }

  observeBudgetWait(budget: string, ms: number): void {
    this.#budgetWait.observe({ budget }, Math.max(0, ms) / 1000);
  }

  #readStorage(): StorageReport {
    try {
      return this.#storageSource();
    } catch {
      return { healthy: false, errors: [] };
    }
  }

  observeTimerLag(ms: number): void {
    this.#timerLag.observe(Math.max(0, ms) / 1000);
  }

  observeBlobEventLag(ms: number): void {
    this.#blobEventLag.observe(Math.max(0, ms) / 1000);
  }
}

/** `GET /metrics`: the Prometheus text format. */
export async function handleMetricsRequest(res: ServerResponse, metrics: NodeMetrics): Promise<void> {
  const body = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** A failing source leaves its gauge empty for this scrape instead of failing the whole scrape. */
function readSource<T>(source: () => readonly T[]): readonly T[] {
  try {
    return source();
  } catch {
    return [];
  }
}
