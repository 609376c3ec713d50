/**
 * What running another platform's code costs: the same hello function,
 * native, as a Lambda handler and as a Workers module, on one node. Each
 * adapter is measured against native in short interleaved pairs. Issue #17's
 * target: each adapter within 10 % of native.
 */
import { LoadClient } from '../load/load-client.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig, type BenchConfig } from '../support/bench-config.js';
import { startBenchNode } from '../support/bench-node.js';
import { interleavedPairs, pairRunConfig, ratioList, summarizePairs } from '../support/interleaved-pairs.js';
import { round } from '../support/stats.js';
import { ADAPTED_HELLOS, NATIVE_HELLO, type HelloApp } from './hello-apps.js';

const TARGET_VS_NATIVE = 0.9;
const PAIRS = 6;
/**
 * As many connections as an HTTP function's default concurrency: every function
 * stays on the one instance the platform gives it, so the rows differ only in
 * the adapter's code. With more, each app scales out on its own and the instance
 * counts (which change the CPU per request) end up deciding the ratio.
 */
const CONNECTIONS = 8;
const WARM_UP_SEC = 3;

export const adaptersSection: BenchSection = {
  name: 'adapters',
  title: 'Other platforms\' code run unchanged: the same hello as a native function, a Lambda (HTTP API 2.0) and a Workers module, same node, interleaved pairs',
  run: () => benchAdapters(benchConfig()),
};

export async function benchAdapters(config: BenchConfig): Promise<SectionResult> {
  const client = await LoadClient.start();
  const node = await startBenchNode();
  const notes: string[] = [];
  try {
    await node.deployFolder(NATIVE_HELLO.app, NATIVE_HELLO.files);
    const adapted: HelloApp[] = [];
    for (const hello of ADAPTED_HELLOS) {
      try {
        await node.deployFolder(hello.app, hello.files);
        adapted.push(hello);
      } catch (err) {
        notes.push(`${hello.label}: not measured (${(err as Error).message.split('\n')[0]})`);
      }
    }
    const others = new Set([client.pid]);
    for (const hello of [NATIVE_HELLO, ...adapted]) await client.load(node.url + hello.path, CONNECTIONS, WARM_UP_SEC);
    const short = { ...pairRunConfig(config), connections: CONNECTIONS };
    const rows: BenchRow[] = [];
    for (const hello of adapted) {
      const runs = await interleavedPairs(client, { baseline: node.url + NATIVE_HELLO.path, variant: node.url + hello.path }, PAIRS, short, others);
      const summary = summarizePairs(runs);
      notes.push(`${hello.label} ÷ native, pair by pair: ${ratioList(runs)}.`);
      const counts = await Promise.all([NATIVE_HELLO, hello].map((h) => node.instances(h.app, h.functionName)));
      if (counts.some((n) => n !== 1)) notes.push(`${hello.label}: instances at the end: native ${counts[0]}, adapted ${counts[1]} (expected 1 each).`);
      rows.push({
        target: hello.label,
        'req/s native': Math.round(summary.baselineRps),
        'req/s adapted': Math.round(summary.variantRps),
        'ratio, median': round(summary.medianRatio, 3),
        [`ratio, geometric mean (≥ ${TARGET_VS_NATIVE})`]: round(summary.geometricMeanRatio, 3),
        'cpu µs/req native': Math.round(summary.baselineCpuUs),
        'cpu µs/req adapted': Math.round(summary.variantCpuUs),
        'non-2xx + errors': summary.bad,
      });
    }
    return {
      rows,
      notes: [
        `${CONNECTIONS} connections (an HTTP function's default concurrency, so each function runs on one instance) from a separate load-client process. Each app is first loaded ${WARM_UP_SEC} s; then each adapter runs ${PAIRS} pairs against native (${short.warmupSec} s warm-up + ${short.measureSec} s measured per side, the order alternating). req/s and cpu are medians of the pairs; the geometric mean of the pair ratios decides the target.`,
        'One node (default isolation and settings: metering, logs, limits all on), apps deployed through the CLI\'s own bundler: the Lambda and Workers apps are folders with serverless.yml / wrangler.toml, read by the adapters unchanged.',
        'cpu µs/req: CPU per completed request of the node (gateway + dispatcher, in the bench process) plus all instance processes; the load client is not counted.',
        ...notes,
      ],
    };
  } finally {
    await node.dispose();
    await client.close();
  }
}
