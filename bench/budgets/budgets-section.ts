/**
 * Downstream budgets: what `uses` costs on the warm path (the same hello
 * function with and without a generous budget, interleaved in one run), and
 * how an adaptive limit protects a downstream that degrades and recovers,
 * against a fixed limit, counted by the downstream itself.
 */
import { LoadClient } from '../load/load-client.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig, type BenchConfig } from '../support/bench-config.js';
import { startBenchNode, type BenchNode } from '../support/bench-node.js';
import { interleavedPairs, pairRunConfig, ratioList, summarizePairs } from '../support/interleaved-pairs.js';
import { round } from '../support/stats.js';
import { helloAppSource, helloPath, type HelloFunction } from '../http/hello-app.js';
import { budget, MemoryBudgetStore } from '../../test/budgets/memory-budget-store.js';
import { SlowDownstream } from '../../test/budgets/slow-downstream.js';

/** Issue #16's target: a function with a budget serves at least this share of the same function without. */
const TARGET_RATIO = 0.97;
const PAIRS = 8;

const FUNCTIONS: readonly HelloFunction[] = [
  { name: 'plain', settings: { maxInstances: 1, minInstances: 1, concurrency: 64 } },
  { name: 'budgeted', settings: { maxInstances: 1, minInstances: 1, concurrency: 64, uses: ['b'] } },
];

export const budgetsSection: BenchSection = {
  name: 'budgets',
  title: 'Downstream budgets: warm req/s with and without `uses` (same run), and adaptive vs fixed limits on a downstream that degrades and recovers',
  run: () => benchBudgets(benchConfig()),
};

export async function benchBudgets(config: BenchConfig): Promise<SectionResult> {
  const store = new MemoryBudgetStore();
  // Generous: never the bottleneck, so the difference is the cost of taking and releasing permits.
  await store.put(budget('b', 100_000, { rate: { perSecond: 1_000_000, burst: 1_000_000 } }));
  await store.put(budget('fixed', 24));
  await store.put(budget('adaptive', 24, { adaptive: { min: 1, max: 24 } }));
  const node = await startBenchNode({ isolation: 'basic', budgetStore: store });
  const client = await LoadClient.start();
  const downstream = new SlowDownstream({ latencyMs: 20, overloadLatencyMs: 200 });
  try {
    await node.deploy('bench', helloAppSource(FUNCTIONS));
    const rows: BenchRow[] = [];
    const notes: string[] = [];
    const short = pairRunConfig(config);
    for (const fn of FUNCTIONS) await client.load(node.url + helloPath(fn.name), config.connections, config.warmupSec);
    const runs = await interleavedPairs(client, { baseline: node.url + helloPath('plain'), variant: node.url + helloPath('budgeted') }, PAIRS, short, new Set([client.pid]));
    const summary = summarizePairs(runs);
    if (summary.bad > 0) notes.push(`warm hello: ${summary.bad} non-2xx or errors`);
    notes.push(`with ÷ without uses, pair by pair: ${ratioList(runs)}; CPU per request (node + instance, medians) ${round(summary.baselineCpuUs, 1)} µs without, ${round(summary.variantCpuUs, 1)} µs with.`);
    rows.push({
      scenario: `warm hello, ${PAIRS} interleaved pairs`, 'req/s without uses': Math.round(summary.baselineRps), 'req/s with uses: [b]': Math.round(summary.variantRps),
      'ratio, median': round(summary.medianRatio, 3), [`ratio, geometric mean (≥ ${TARGET_RATIO})`]: round(summary.geometricMeanRatio, 3),
      'above breaking point': '–', 'ok / failed': '–', 'limit at end of each phase': '–',
    });

    const url = await downstream.start();
    await node.deploy('bench', `${helloAppSource(FUNCTIONS)}
import { http as http2 } from 'nimbus-functions';
const call = async () => {
  const res = await fetch('${url}/');
  if (res.status !== 200) throw new Error('downstream answered ' + res.status);
  return res.json();
};
export const withFixed = http2({ route: 'POST /fixed', uses: ['fixed'], concurrency: 64, queueTimeoutMs: 60000 }, call);
export const withAdaptive = http2({ route: 'POST /adaptive', uses: ['adaptive'], concurrency: 64, queueTimeoutMs: 60000 }, call);
`);
    for (const kind of ['fixed', 'adaptive'] as const) rows.push(await degradeAndRecover(node, downstream, kind));
    return {
      rows,
      notes: [
        `Cost of a budget: ${PAIRS} interleaved pairs (${short.warmupSec} s warm-up + ${short.measureSec} s measured per side) at ${short.connections} connections (autocannon in its own process), the order alternating; req/s are medians of the pairs and the geometric mean of the pair ratios decides the target; `
          + 'budget `b` is generous (concurrency 100,000, rate 1,000,000/s), so every take is the warm path: a few compares in memory, no store read.',
        'Degrade and recover: 32 client loops POST to a function whose every invocation calls a real HTTP downstream (20 ms; above its breaking point it answers 503 after 200 ms). '
          + 'Phases: healthy (breaking point 16, 4 s), degraded (breaking point 4, 6 s), recovered (breaking point 16, 6 s). '
          + '"above breaking point" counts requests that reached the downstream while it was already at its breaking point (the overshoot); the fixed budget is 24, the adaptive one 1–24.',
        ...notes,
      ],
    };
  } finally {
    await client.close();
    await node.dispose();
    await downstream.close();
  }
}

async function degradeAndRecover(node: BenchNode, downstream: SlowDownstream, kind: 'fixed' | 'adaptive'): Promise<BenchRow> {
  const phases = [{ breakingPoint: 16, ms: 4_000 }, { breakingPoint: 4, ms: 6_000 }, { breakingPoint: 16, ms: 6_000 }];
  downstream.breakingPoint = phases[0]!.breakingPoint;
  downstream.reset();
  let ok = 0;
  let failed = 0;
  let stop = false;
  const loop = async (): Promise<void> => {
    while (!stop) {
      const res = await fetch(`${node.url}/${kind}`, { method: 'POST' });
      await res.arrayBuffer();
      if (res.status === 200) ok++;
      else failed++;
    }
  };
  const clients = Array.from({ length: 32 }, loop);
  const limits: string[] = [];
  const overshoot: number[] = [];
  for (const phase of phases) {
    downstream.breakingPoint = phase.breakingPoint;
    const before = downstream.overloaded;
    await new Promise((resolve) => setTimeout(resolve, phase.ms));
    overshoot.push(downstream.overloaded - before);
    limits.push(String(node.budgetStates().find((b) => b.name === kind)?.limit ?? '?'));
  }
  stop = true;
  await Promise.all(clients);
  return {
    scenario: `degrade then recover, ${kind} limit`, 'req/s without uses': '–', 'req/s with uses: [b]': '–', 'ratio, median': '–', [`ratio, geometric mean (≥ ${TARGET_RATIO})`]: '–',
    'above breaking point': `${downstream.overloaded} (${overshoot.join(' / ')})`, 'ok / failed': `${ok} / ${failed}`,
    'limit at end of each phase': limits.join(' / '),
  };
}
