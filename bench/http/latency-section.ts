/**
 * Latency at low load: one request at a time to a warm function, against the
 * hand-written bare node:http server, interleaved sample by sample so both
 * see the same machine. What a user meets on a quiet node, where throughput
 * numbers say nothing.
 */
import { LoadClient } from '../load/load-client.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig, type BenchConfig } from '../support/bench-config.js';
import { startBenchNode, type BenchNode } from '../support/bench-node.js';
import type { NodeOptions } from '../../src/server/node.js';
import { quantile, round, sleep } from '../support/stats.js';
import { startBareServers } from './bare-servers.js';
import { helloAppSource, helloPath, type HelloFunction } from './hello-app.js';

/** Issue #14 target 2: added latency over the bare server. */
const TARGET_P50_ABOVE_BARE_MS = 0.3;
const TARGET_P99_ABOVE_BARE_MS = 2;
/** A pause between requests, so each one finds the processes idle, as on a quiet node. */
const GAP_MS = 2;
const WARM: HelloFunction = { name: 'warm', settings: { minInstances: 1, maxInstances: 1 } };
/** The floor of any design that runs the function in a process of its own: one more process crossing each way, nothing else. */
const RELAY_LABEL = 'naive relay: node:http → a child process over a pipe → answer (no isolation, limits, metering or logs)';

const VARIANTS: readonly { label: string; options: Partial<NodeOptions> }[] = [
  { label: 'basic isolation', options: { isolation: 'basic' } },
  { label: 'strict isolation (bubblewrap, cgroups, netns)', options: { isolation: 'strict' } },
];

export const httpLatencySection: BenchSection = {
  name: 'http-latency',
  title: 'Latency at low load: single sequential requests to a warm function vs bare node:http',
  run: () => benchHttpLatency(benchConfig()),
};

export async function benchHttpLatency(config: BenchConfig): Promise<SectionResult> {
  const samples = latencySamples();
  const client = await LoadClient.start();
  const bare = await startBareServers();
  const notes: string[] = [];
  const rows: BenchRow[] = [];
  try {
    for (const variant of VARIANTS) {
      let node: BenchNode;
      try {
        node = await startBenchNode(variant.options);
      } catch (err) {
        notes.push(`${variant.label}: not measured (${(err as Error).message.split('\n')[0]})`);
        continue;
      }
      try {
        await node.deploy('bench', helloAppSource([WARM]));
        for (let r = 1; r <= config.rounds; r++) {
          const [bareMs = [], relayMs = [], nimbusMs = []] = await interleaved(
            client, [bare.handWrittenUrl + helloPath('bare'), bare.relayUrl + helloPath('relay'), node.url + helloPath(WARM.name)], samples,
          );
          rows.push(row(r, 'bare node:http, hand-written JSON', bareMs, bareMs));
          rows.push(row(r, RELAY_LABEL, relayMs, bareMs));
          rows.push(row(r, `Nimbus, ${variant.label}, warm instance`, nimbusMs, bareMs));
        }
      } finally {
        await node.dispose();
      }
    }
  } finally {
    await bare.close();
    await client.close();
  }
  return {
    rows,
    notes: [
      `${samples} sequential requests per row (BENCH_LATENCY_SAMPLES), each over one kept-alive loopback connection from the load-client process, timed there from sending to the last byte; bare, relay and Nimbus take turns request by request, ${GAP_MS} ms apart.`,
      'The naive relay is what two more process wake-ups cost on this machine: the part of the gap to bare that any design with the function outside the server process pays; the rest of Nimbus\'s gap is its own work (routing, dispatch, the instance\'s Request and Response, metering, log capture).',
      `Target: p50 at most ${TARGET_P50_ABOVE_BARE_MS} ms and p99 at most ${TARGET_P99_ABOVE_BARE_MS} ms above the bare server's in the same round.`,
      ...notes,
    ],
  };
}

function latencySamples(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env['BENCH_LATENCY_SAMPLES']);
  return Number.isInteger(n) && n > 0 ? n : 500;
}

/** Samples of each URL, taken in turn, request by request, so every one meets the same machine. */
async function interleaved(client: LoadClient, urls: readonly string[], count: number): Promise<number[][]> {
  // Not counted: open the connections and warm every path.
  for (let i = 0; i < 20; i++) for (const url of urls) await timedOk(client, url);
  const samples = urls.map((): number[] => []);
  for (let i = 0; i < count; i++) {
    for (const [k, url] of urls.entries()) {
      samples[k]!.push(await timedOk(client, url));
      await sleep(GAP_MS);
    }
  }
  return samples;
}

async function timedOk(client: LoadClient, url: string): Promise<number> {
  const { status, ms } = await client.probe(url);
  if (status !== 200) throw new Error(`${url} answered ${status}`);
  return ms;
}

function row(roundNo: number, what: string, samples: readonly number[], bare: readonly number[]): BenchRow {
  const p50 = quantile(samples, 0.5);
  const p99 = quantile(samples, 0.99);
  return {
    round: roundNo,
    request: what,
    'p50 ms': round(p50, 3),
    'p99 ms': round(p99, 3),
    [`p50 above bare (≤ ${TARGET_P50_ABOVE_BARE_MS} ms)`]: round(p50 - quantile(bare, 0.5), 3),
    [`p99 above bare (≤ ${TARGET_P99_ABOVE_BARE_MS} ms)`]: round(p99 - quantile(bare, 0.99), 3),
    'max ms': round(Math.max(...samples), 2),
  };
}
