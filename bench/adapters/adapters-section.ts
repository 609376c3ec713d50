/**
 * What running another platform's code costs: the same hello function,
 * native, as a Lambda handler and as a Workers module, on one node. Each
 * adapter is loaded side by side with native (same moment, same machine),
 * and an identical copy of native shows the method's own noise. Issue #17's
 * target: each adapter within 10 % of native.
 */
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig, type BenchConfig } from '../support/bench-config.js';
import { startBenchNode } from '../support/bench-node.js';
import { sideBySide, startSideBySideClients, summarizeSideBySide, windowRatios, type SideBySideOptions } from '../support/side-by-side.js';
import { round } from '../support/stats.js';
import { ADAPTED_HELLOS, NATIVE_HELLO, NATIVE_HELLO_COPY, type HelloApp } from './hello-apps.js';

const TARGET_VS_NATIVE = 0.9;
const WINDOWS = 8;
/**
 * Per side, an HTTP function's default concurrency: every function keeps the
 * one instance the platform gives it, so the sides differ only in the
 * adapter's code. With more, each app scales out on its own and the instance
 * counts (which change the CPU per request) end up deciding the ratio.
 */
const CONNECTIONS = 8;

export const adaptersSection: BenchSection = {
  name: 'adapters',
  title: 'Other platforms\' code run unchanged: the same hello as a native function, a Lambda (HTTP API 2.0) and a Workers module, loaded side by side',
  run: () => benchAdapters(benchConfig()),
};

export async function benchAdapters(config: BenchConfig): Promise<SectionResult> {
  const clients = await startSideBySideClients();
  const node = await startBenchNode();
  const notes: string[] = [];
  const sides: SideBySideOptions = { windows: WINDOWS, windowSec: Math.max(2, Math.round(config.measureSec / 2)), connections: CONNECTIONS, warmupSec: config.warmupSec };
  try {
    const measured: HelloApp[] = [];
    for (const hello of [NATIVE_HELLO, NATIVE_HELLO_COPY, ...ADAPTED_HELLOS]) {
      try {
        await node.deployFolder(hello.app, hello.files);
        if (hello !== NATIVE_HELLO) measured.push(hello);
      } catch (err) {
        if (hello === NATIVE_HELLO) throw err;
        notes.push(`${hello.label}: not measured (${(err as Error).message.split('\n')[0]})`);
      }
    }
    const rows: BenchRow[] = [];
    for (const hello of measured) {
      const runs = await sideBySide(clients, { baseline: node.url + NATIVE_HELLO.path, variant: node.url + hello.path }, sides);
      const summary = summarizeSideBySide(runs);
      notes.push(`${hello.label} ÷ native, window by window: ${windowRatios(runs)}.`);
      const counts = await Promise.all([NATIVE_HELLO, hello].map((h) => node.instances(h.app, h.functionName)));
      rows.push({
        target: hello.label,
        'req/s native': Math.round(summary.baselineRps),
        'req/s this': Math.round(summary.variantRps),
        'ratio, median': round(summary.medianRatio, 3),
        [`ratio, geometric mean (adapters ≥ ${TARGET_VS_NATIVE})`]: round(summary.geometricMeanRatio, 3),
        'instances (native / this)': counts.join(' / '),
        'non-2xx + errors': summary.bad,
      });
    }
    return {
      rows,
      notes: [
        `Each row: native and the other function loaded at the same time, ${CONNECTIONS} connections each (an HTTP function's default concurrency, so each function runs on one instance) from two load-client processes, ${sides.warmupSec} s warm-up then ${sides.windows} windows of ${sides.windowSec} s, the clients swapping sides each window. req/s are medians of the windows; the geometric mean of the window ratios decides the target. The first row (an identical copy of native) shows the method's own noise.`,
        'One node (default isolation and settings: metering, logs, limits all on), apps deployed through the CLI\'s own bundler: the Lambda and Workers apps are folders with serverless.yml / wrangler.toml, read by the adapters unchanged.',
        ...notes,
      ],
    };
  } finally {
    await node.dispose();
    await Promise.all(clients.map((c) => c.close()));
  }
}
