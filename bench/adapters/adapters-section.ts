/**
 * What running another platform's code costs: the same hello function,
 * native, as a Lambda handler and as a Workers module, on one node, loaded
 * in interleaved rounds. Issue #17's target: each adapter within 10 % of native.
 */
import { LoadClient } from '../load/load-client.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig, type BenchConfig } from '../support/bench-config.js';
import { startBenchNode } from '../support/bench-node.js';
import { median, round } from '../support/stats.js';
import { HELLO_APPS, NATIVE_HELLO, type HelloApp } from './hello-apps.js';

const TARGET_VS_NATIVE = 0.9;

export const adaptersSection: BenchSection = {
  name: 'adapters',
  title: 'Other platforms\' code run unchanged: the same hello as a native function, a Lambda (HTTP API 2.0) and a Workers module, same node, same run',
  run: () => benchAdapters(benchConfig()),
};

export async function benchAdapters(config: BenchConfig): Promise<SectionResult> {
  const client = await LoadClient.start();
  const node = await startBenchNode();
  const notes: string[] = [];
  try {
    const deployed: HelloApp[] = [];
    for (const hello of HELLO_APPS) {
      try {
        await node.deployFolder(hello.app, hello.files);
        deployed.push(hello);
      } catch (err) {
        notes.push(`${hello.label}: not measured (${(err as Error).message.split('\n')[0]})`);
      }
    }
    const rows: BenchRow[] = [];
    const ratios = new Map<string, number[]>();
    for (let r = 1; r <= config.rounds; r++) {
      // A different order each round, so no side always runs on the warmest (or most loaded) machine.
      const order = r % 2 === 1 ? deployed : [...deployed].reverse();
      const measured = new Map<string, { rps: number; p50: number; p99: number; bad: number }>();
      for (const hello of order) {
        await client.load(node.url + hello.path, config.connections, config.warmupSec);
        const load = await client.load(node.url + hello.path, config.connections, config.measureSec);
        measured.set(hello.app, { rps: load.requestsPerSec, p50: load.latencyP50Ms, p99: load.latencyP99Ms, bad: load.non2xx + load.errors });
      }
      const native = measured.get(NATIVE_HELLO.app);
      for (const hello of deployed) {
        const m = measured.get(hello.app)!;
        const ratio = native ? m.rps / native.rps : NaN;
        if (hello !== NATIVE_HELLO) ratios.set(hello.label, [...(ratios.get(hello.label) ?? []), ratio]);
        rows.push({
          round: r, target: hello.label, 'req/s': Math.round(m.rps), 'p50 ms': round(m.p50, 1), 'p99 ms': round(m.p99, 1),
          [`÷ native (≥ ${TARGET_VS_NATIVE})`]: Number.isNaN(ratio) ? '–' : round(ratio), 'non-2xx + errors': m.bad,
        });
      }
    }
    return {
      rows,
      notes: [
        `${config.connections} connections from a separate load-client process, ${config.warmupSec} s warm-up then ${config.measureSec} s measured per row, ${config.rounds} rounds, order alternating.`,
        'One node (default isolation and settings: metering, logs, limits all on), three apps deployed through the CLI\'s own bundler: the Lambda and Workers apps are folders with serverless.yml / wrangler.toml, read by the adapters unchanged.',
        ...[...ratios].map(([label, values]) => `${label} ÷ native, median of rounds: ${round(median(values), 3)} (target ≥ ${TARGET_VS_NATIVE}).`),
        ...notes,
      ],
    };
  } finally {
    await node.dispose();
    await client.close();
  }
}
