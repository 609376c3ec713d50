import type { Metric, Registry } from 'prom-client';

/**
 * Counters and histograms cheap enough to update on every invocation.
 * prom-client's own Counter and Histogram validate and hash their labels on
 * each call (about 0.5–1 µs apiece on these machines); these keep a plain Map
 * keyed by the joined label values and do the formatting work at scrape time.
 * They join a prom-client Registry through the registry's metric contract
 * (name, help, type, aggregator, get, reset), so the text format, default
 * labels and content negotiation stay prom-client's.
 */
interface FamilyOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

type Labels<L extends string> = Readonly<Record<L, string>>;

interface ExposedValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

interface Entry<L extends string, S> {
  labels: Labels<L>;
  state: S;
}

abstract class HotFamily<L extends string, S> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum' as const;
  abstract readonly type: 'counter' | 'histogram';
  protected readonly entries: Entry<L, S>[] = [];
  readonly #labelNames: readonly L[];
  // One Map level per label: label values are usually the very strings the
  // dispatcher already holds, so each lookup reuses their cached hash, where a
  // joined key would be a new string to hash on every call.
  #root = new Map<string, unknown>();

  constructor(options: FamilyOptions<L>, registry: Registry) {
    if (options.labelNames.length === 0) throw new RangeError(`${options.name}: hot series need at least one label`);
    this.name = options.name;
    this.help = options.help;
    this.#labelNames = options.labelNames;
    // The registry only calls the contract above; prom-client types name its own classes.
    registry.registerMetric(this as unknown as Metric);
  }

  protected abstract newState(): S;

  protected stateFor(labels: Labels<L>): S {
    const names = this.#labelNames;
    const last = names.length - 1;
    let node = this.#root;
    for (let i = 0; i < last; i++) {
      const value = labels[names[i]!];
      let next = node.get(value) as Map<string, unknown> | undefined;
      if (!next) {
        next = new Map();
        node.set(value, next);
      }
      node = next;
    }
    const leaf = labels[names[last]!];
    let entry = node.get(leaf) as Entry<L, S> | undefined;
    if (!entry) {
      const copy = {} as Record<L, string>;
      for (const name of names) copy[name] = labels[name];
      entry = { labels: copy, state: this.newState() };
      node.set(leaf, entry);
      this.entries.push(entry);
    }
    return entry.state;
  }

  reset(): void {
    this.#root = new Map();
    this.entries.length = 0;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: ExposedValue[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values() };
  }

  protected abstract values(): ExposedValue[];
}

export class HotCounter<L extends string> extends HotFamily<L, { value: number }> {
  readonly type = 'counter' as const;

  inc(labels: Labels<L>, by = 1): void {
    this.stateFor(labels).value += by;
  }

  protected newState(): { value: number } {
    return { value: 0 };
  }

  protected values(): ExposedValue[] {
    return this.entries.map(({ labels, state }) => ({ labels: { ...labels }, value: state.value }));
  }
}

interface HistogramState {
  /** Observations per bucket, not cumulative; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class HotHistogram<L extends string> extends HotFamily<L, HistogramState> {
  readonly type = 'histogram' as const;
  readonly #buckets: readonly number[];

  constructor(options: FamilyOptions<L> & { buckets: readonly number[] }, registry: Registry) {
    super(options, registry);
    const sorted = [...options.buckets].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((b, i) => !Number.isFinite(b) || (i > 0 && b === sorted[i - 1]))) {
      throw new RangeError(`${options.name}: buckets must be distinct finite numbers`);
    }
    this.#buckets = sorted;
  }

  observe(labels: Labels<L>, value: number): void {
    const state = this.stateFor(labels);
    let slot = 0;
    while (slot < this.#buckets.length && value > this.#buckets[slot]!) slot++;
    state.counts[slot]! += 1;
    state.sum += value;
    state.count += 1;
  }

  protected newState(): HistogramState {
    return { counts: new Array<number>(this.#buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  protected values(): ExposedValue[] {
    const out: ExposedValue[] = [];
    for (const { labels, state } of this.entries) {
      let cumulative = 0;
      this.#buckets.forEach((bound, i) => {
        cumulative += state.counts[i]!;
        out.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
      });
      out.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: state.count });
      out.push({ metricName: `${this.name}_sum`, labels: { ...labels }, value: state.sum });
      out.push({ metricName: `${this.name}_count`, labels: { ...labels }, value: state.count });
    }
    return out;
  }
}
