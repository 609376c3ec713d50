/**
 * Downstream budgets: what `uses` costs on the warm path (the same hello
 * function with and without a generous budget, interleaved in one run), and
 * how an adaptive limit protects a downstream that degrades and recovers,
 * against a fixed limit, counted by the downstream itself.
 */
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig, type BenchConfig } from '../support/bench-config.js';
import { startBenchNode, type BenchNode } from '../support/bench-node.js';
import { descendantsCpuMs, ownCpuMs } from '../support/process-cpu.js';
import { sideBySide, startSideBySideClients, summarizeSideBySide, windowRatios, type SideBySideOptions } from '../support/side-by-side.js';
import { round } from '../support/stats.js';
import { helloAppSource, helloPath, type HelloFunction } from '../http/hello-app.js';
import { budget, MemoryBudgetStore } from '../../test/budgets/memory-budget-store.js';
import { SlowDownstream } from '../../test/budgets/slow-downstream.js';
import { budgetTakeCostUs } from './take-cost.js';

/** Issue #16's target: a function with a budget serves at least this share of the same function without. */
const TARGET_RATIO = 0.97;
const WINDOWS = 8;

const FUNCTIONS: readonly HelloFunction[] = [
  { name: 'plain', settings: { maxInstances: 1, minInstances: 1, concurrency: 64 } },
  { name: 'budgeted', settings: { maxInstances: 1, minInstances: 1, concurrency: 64, uses: ['b'] } },
  // The same as plain: plain against it shows how far apart two identical functions measure.
  { name: 'control', settings: { maxInstances: 1, minInstances: 1, concurrency: 64 } },
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
  const clients = await startSideBySideClients();
  const sides: SideBySideOptions = {
    windows: WINDOWS, windowSec: Math.max(2, Math.round(config.measureSec / 2)), connections: Math.max(1, Math.round(config.connections / 2)), warmupSec: config.warmupSec,
  };
  const downstream = new SlowDownstream({ latencyMs: 20, overloadLatencyMs: 200 });
  try {
    await node.deploy('bench', helloAppSource(FUNCTIONS));
    const rows: BenchRow[] = [];
    const notes: string[] = [];
    const at = (name: string): string => node.url + helloPath(name);
    const cpuBefore = ownCpuMs() + descendantsCpuMs(process.pid, new Set(clients.map((c) => c.pid)));
    const runs = await sideBySide(clients, { baseline: at('plain'), variant: at('budgeted') }, sides);
    const control = await sideBySide(clients, { baseline: at('plain'), variant: at('control') }, sides);
    const cpuMs = ownCpuMs() + descendantsCpuMs(process.pid, new Set(clients.map((c) => c.pid))) - cpuBefore;
    const completed = [runs, control].flatMap((r) => [...r.baseline, ...r.variant]).reduce((sum, l) => sum + l.completed, 0);
    const cpuUsPerRequest = (cpuMs * 1000) / Math.max(1, completed);
    const takeUs = await budgetTakeCostUs();
    for (const [scenario, measured, variantLabel] of [
      ['warm hello, with vs without uses, side by side', runs, 'with'], ['A/A control: without vs an identical copy, side by side', control, 'copy'],
    ] as const) {
      const summary = summarizeSideBySide(measured);
      if (summary.bad > 0) notes.push(`${scenario}: ${summary.bad} non-2xx or errors`);
      notes.push(`${scenario}, ${variantLabel} ÷ without, window by window: ${windowRatios(measured)}.`);
      rows.push({
        scenario, 'req/s without uses': Math.round(summary.baselineRps), 'req/s with uses: [b] (control: the copy)': Math.round(summary.variantRps),
        'ratio, median': round(summary.medianRatio, 3), [`ratio, geometric mean (≥ ${TARGET_RATIO})`]: round(summary.geometricMeanRatio, 3),
        'above breaking point': '–', 'ok / failed': '–', 'limit at end of each phase': '–',
      });
    }
    // The share of a request's CPU that the budget adds, and the req/s ratio it implies on a CPU-bound node.
    const implied = cpuUsPerRequest / (cpuUsPerRequest + takeUs);
    rows.push({
      scenario: 'budget take + release in process (dispatcher warm path)', 'req/s without uses': '–', 'req/s with uses: [b] (control: the copy)': '–',
      'ratio, median': '–', [`ratio, geometric mean (≥ ${TARGET_RATIO})`]: `${round(implied, 4)} (implied)`,
      'above breaking point': '–', 'ok / failed': '–', 'limit at end of each phase': '–',
    });
    notes.push(`Budget take + release in process: ${Math.round(takeUs * 1000)} ns per invocation (1,000,000 calls, median of 5), ${round((takeUs / cpuUsPerRequest) * 100, 2)} % of the ${round(cpuUsPerRequest, 1)} µs of CPU (node + instances) a request cost in the side-by-side runs: on a CPU-bound node, a req/s ratio of ${round(implied, 4)}.`);

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
        `Cost of a budget: the function with \`uses\` and the same function without are loaded at the same time, ${sides.connections} connections each from two load-client processes (autocannon), in ${sides.windows} windows of ${sides.windowSec} s after ${sides.warmupSec} s of warm-up, the clients swapping sides each window; req/s are medians of the windows and the geometric mean of the window ratios decides the target. Each function has one instance (basic isolation). `
          + 'budget `b` is generous (concurrency 100,000, rate 1,000,000/s), so every take is the warm path: a few compares in memory, no store read.',
        'Degrade and recover: 32 client loops POST to a function whose every invocation calls a real HTTP downstream (20 ms; above its breaking point it answers 503 after 200 ms). '
          + 'Phases: healthy (breaking point 16, 4 s), degraded (breaking point 4, 6 s), recovered (breaking point 16, 6 s). '
          + '"above breaking point" counts requests that reached the downstream while it was already at its breaking point (the overshoot); the fixed budget is 24, the adaptive one 1–24.',
        ...notes,
      ],
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
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
    scenario: `degrade then recover, ${kind} limit`, 'req/s without uses': '–', 'req/s with uses: [b] (control: the copy)': '–', 'ratio, median': '–', [`ratio, geometric mean (≥ ${TARGET_RATIO})`]: '–',
    'above breaking point': `${downstream.overloaded} (${overshoot.join(' / ')})`, 'ok / failed': `${ok} / ${failed}`,
    'limit at end of each phase': limits.join(' / '),
  };
}
