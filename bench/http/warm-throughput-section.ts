/**
 * Warm throughput: the hello function through a Nimbus node (gateway →
 * dispatcher → framed channel → instance process) against a bare node:http
 * server answering the same JSON, in the same run, loaded from a separate
 * process over loopback.
 */
import { LoadClient } from '../load/load-client.js';
import type { LoadResult } from '../load/messages.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig, type BenchConfig } from '../support/bench-config.js';
import { startBenchNode, type BenchNode } from '../support/bench-node.js';
import type { NodeOptions } from '../../src/server/node.js';
import { childrenCpuMs, ownCpuMs, processCpuMs } from '../support/process-cpu.js';
import { median, round } from '../support/stats.js';
import { startBareServers } from './bare-servers.js';
import { helloAppSource, helloPath, type HelloFunction } from './hello-app.js';

/** One instance, then two: on 2 cores a second instance only helps if the gateway has CPU to spare. */
export const THROUGHPUT_FUNCTIONS: readonly HelloFunction[] = [
  { name: 'one', settings: { maxInstances: 1, minInstances: 1, concurrency: 64 } },
  { name: 'two', settings: { maxInstances: 2, minInstances: 2, concurrency: 32 } },
];

interface Measured {
  load: LoadResult;
  /** CPU used by the serving side per completed request (µs): this process, and its instance processes. */
  serverCpuUsPerReq: number;
  instanceCpuUsPerReq: number;
}

export const warmThroughputSection: BenchSection = {
  name: 'http',
  title: 'Warm throughput: hello function through Nimbus vs bare node:http, same run',
  run: () => benchWarmThroughput(benchConfig()),
};

/** The same function on nodes that differ in one setting each: isolation level, metering. */
const VARIANTS: readonly { label: string; options: Partial<NodeOptions> }[] = [
  { label: 'basic isolation', options: { isolation: 'basic' } },
  { label: 'basic isolation, metering + log capture off', options: { isolation: 'basic', metering: false } },
  { label: 'strict isolation (bubblewrap, cgroups, netns)', options: { isolation: 'strict' } },
];

export async function benchWarmThroughput(config: BenchConfig): Promise<SectionResult> {
  const client = await LoadClient.start();
  const bare = await startBareServers();
  const nodes: { label: string; node: BenchNode }[] = [];
  const notes: string[] = [];
  try {
    for (const variant of VARIANTS) {
      try {
        const node = await startBenchNode(variant.options);
        await node.deploy('bench', helloAppSource(THROUGHPUT_FUNCTIONS));
        nodes.push({ label: variant.label, node });
      } catch (err) {
        notes.push(`${variant.label}: not measured (${(err as Error).message.split('\n')[0]})`);
      }
    }
    const others = new Set([client.pid, bare.pid]);
    const measure = (url: string): Promise<Measured> => measureLoad(client, url, config, others);
    const measureBare = (url: string): Promise<Measured> => measureLoad(client, url, config, others, bare.pid);

    const rows: BenchRow[] = [];
    for (let r = 1; r <= config.rounds; r++) {
      const handWritten = await measureBare(bare.handWrittenUrl + helloPath('bare'));
      const baseline = await measureBare(bare.sameHandlerUrl + helloPath('bare'));
      rows.push(row(r, 'bare node:http, same handler (Request in, Response out)', baseline, baseline, handWritten));
      rows.push(row(r, 'bare node:http, hand-written JSON (no Request/Response)', handWritten, baseline, handWritten));
      // Metering on and off run back to back (single-instance rows first), so the pair sees the same machine.
      const runs = nodes.flatMap(({ label, node }) => THROUGHPUT_FUNCTIONS
        // Two instances only on the first variant: on 2 cores they rarely help, and each row costs a run.
        .filter((fn) => fn === THROUGHPUT_FUNCTIONS[0] || label === VARIANTS[0]!.label)
        .map((fn) => ({ label, node, fn })))
        .sort((a, b) => THROUGHPUT_FUNCTIONS.indexOf(a.fn) - THROUGHPUT_FUNCTIONS.indexOf(b.fn));
      for (const { label, node, fn } of runs) {
        const nimbus = await measure(node.url + helloPath(fn.name));
        rows.push(row(r, `Nimbus, ${label}, maxInstances ${fn.settings.maxInstances}, concurrency ${fn.settings.concurrency}`, nimbus, baseline, handWritten));
      }
    }
    const meteringGap = await measureMeteringGap(client, nodes, config, others);
    return {
      rows,
      notes: [
        `${config.connections} connections from a separate load-client process (autocannon), ${config.warmupSec} s warm-up then ${config.measureSec} s measured, ${config.rounds} rounds interleaved so both sides see the same machine.`,
        'ratio = req/s ÷ req/s of the bare server running the same handler in the same round (target ≥ 0.5); ratio vs hand-written = the same against a bare server that skips Request/Response and writes the JSON itself, a stricter ceiling. Metering on vs off: target at most 5 % apart.',
        'cpu µs/req: CPU used per completed request by the serving process (the bare servers run in a process of their own; a Nimbus node runs in the bench process: gateway + dispatcher) and by instance processes; the load client is not counted.',
        `Metering + log capture on vs off (target at most 5 % apart): ${meteringGap}.`,
        `Instances are kept running (minInstances = maxInstances) so no cold start lands inside the window.`,
        ...notes,
      ],
    };
  } finally {
    await bare.close();
    for (const { node } of nodes) await node.dispose();
    await client.close();
  }
}

/** On/off pairs, each side first in turn: a 5 % difference is smaller than this machine's drift between two runs. */
const METERING_PAIRS = 6;

/** The metering gap from interleaved short runs of the same function on the metering-on and -off nodes, as a median. */
async function measureMeteringGap(
  client: LoadClient, nodes: { label: string; node: BenchNode }[], config: BenchConfig, others: ReadonlySet<number>,
): Promise<string> {
  const on = nodes.find((n) => n.label === VARIANTS[0]!.label)?.node;
  const off = nodes.find((n) => n.label === VARIANTS[1]!.label)?.node;
  if (!on || !off) return 'not measured';
  const short: BenchConfig = { ...config, warmupSec: 1, measureSec: Math.max(2, Math.round(config.measureSec / 2)) };
  const path = helloPath(THROUGHPUT_FUNCTIONS[0]!.name);
  const ratios: number[] = [];
  const hostCpu = { on: [] as number[], off: [] as number[] };
  for (let pair = 0; pair < METERING_PAIRS; pair++) {
    const order = pair % 2 === 0 ? [on, off] : [off, on];
    const first = await measureLoad(client, order[0]!.url + path, short, others);
    const second = await measureLoad(client, order[1]!.url + path, short, others);
    const [withMetering, without] = pair % 2 === 0 ? [first, second] : [second, first];
    ratios.push(withMetering.load.requestsPerSec / without.load.requestsPerSec);
    hostCpu.on.push(withMetering.serverCpuUsPerReq);
    hostCpu.off.push(without.serverCpuUsPerReq);
  }
  const middle = median(ratios);
  return `${METERING_PAIRS} interleaved pairs of ${short.measureSec} s, on ÷ off req/s ${ratios.map((r) => round(r, 2)).join(', ')}; ` +
    `median ${round(middle, 3)}, so on is ${round(Math.max(0, 1 - middle) * 100, 1)} % slower; ` +
    `node CPU per request (median) ${round(median(hostCpu.on), 1)} µs on vs ${round(median(hostCpu.off), 1)} µs off`;
}


/** Load against `url`; the serving side's CPU is `serverPid`'s (a bare server) or this process's (a Nimbus node) plus its instances. */
async function measureLoad(client: LoadClient, url: string, config: BenchConfig, others: ReadonlySet<number>, serverPid?: number): Promise<Measured> {
  await client.load(url, config.connections, config.warmupSec);
  const serverCpu = (): number => (serverPid === undefined ? ownCpuMs() : processCpuMs(serverPid));
  const serverBefore = serverCpu();
  const instancesBefore = serverPid === undefined ? childrenCpuMs(process.pid, others) : 0;
  const load = await client.load(url, config.connections, config.measureSec);
  const serverMs = serverCpu() - serverBefore;
  const instancesMs = serverPid === undefined ? childrenCpuMs(process.pid, others) - instancesBefore : 0;
  const perReq = (ms: number): number => (ms * 1000) / Math.max(1, load.completed);
  return { load, serverCpuUsPerReq: perReq(serverMs), instanceCpuUsPerReq: perReq(instancesMs) };
}

function row(roundNo: number, target: string, measured: Measured, baseline: Measured, handWritten: Measured): BenchRow {
  const { load } = measured;
  return {
    round: roundNo,
    target,
    'req/s': Math.round(load.requestsPerSec),
    'p50 ms': round(load.latencyP50Ms, 1),
    'p99 ms': round(load.latencyP99Ms, 1),
    ratio: round(load.requestsPerSec / baseline.load.requestsPerSec),
    'ratio vs hand-written': round(load.requestsPerSec / handWritten.load.requestsPerSec),
    'cpu µs/req (host)': Math.round(measured.serverCpuUsPerReq),
    'cpu µs/req (instances)': Math.round(measured.instanceCpuUsPerReq),
    // Anything but 200 means the numbers above measured refusals, not the function.
    'non-2xx + errors': load.non2xx + load.errors,
  };
}
