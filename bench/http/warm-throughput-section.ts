/**
 * Warm throughput: the hello function through a Nimbus node (gateway →
 * dispatcher → framed channel → instance process) against a bare node:http
 * server answering the same JSON, in the same run, loaded from a separate
 * process over loopback.
 */
import { LoadClient } from '../load/load-client.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig, type BenchConfig } from '../support/bench-config.js';
import { startBenchNode, type BenchNode } from '../support/bench-node.js';
import type { NodeOptions } from '../../src/server/node.js';
import { sideBySide, summarizeSideBySide, windowRatios } from '../support/side-by-side.js';
import { measureLoad, type MeasuredLoad as Measured } from '../support/measure-load.js';
import { median, round } from '../support/stats.js';
import { startBareServers } from './bare-servers.js';
import { helloAppSource, helloPath, type HelloFunction } from './hello-app.js';
import { findWorkerd, startWorkerd, type WorkerdServer } from './workerd-server.js';

/** Issue #14's targets, each against its baseline measured in the same round. */
const TARGET_VS_HAND_WRITTEN = 0.7;
const TARGET_VS_WORKERD = 1.5;
const TARGET_CPU_VS_HAND_WRITTEN = 2;

/** One instance, then two: on 2 cores a second instance only helps if the gateway has CPU to spare. */
export const THROUGHPUT_FUNCTIONS: readonly HelloFunction[] = [
  { name: 'one', settings: { maxInstances: 1, minInstances: 1, concurrency: 64 } },
  { name: 'two', settings: { maxInstances: 2, minInstances: 2, concurrency: 32 } },
];
/** The first function, logging a few lines per request: what log capture costs a function that logs. */
const LOGGING_FUNCTION: HelloFunction = { ...THROUGHPUT_FUNCTIONS[0]!, name: 'logs', logLines: 5 };

export const warmThroughputSection: BenchSection = {
  name: 'http',
  title: 'Warm throughput: hello function through Nimbus vs bare node:http and workerd, same run',
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
  let workerd: WorkerdServer | null = null;
  try {
    const workerdPackage = findWorkerd();
    if (typeof workerdPackage === 'string') notes.push(`workerd row skipped: ${workerdPackage}`);
    else {
      try {
        workerd = await startWorkerd(workerdPackage);
        notes.push(`workerd ${workerd.version} (npm package \`workerd\`) serving the same handler as a Worker module, one process, its own CPU counted as host.`);
      } catch (err) {
        notes.push(`workerd row skipped: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    for (const variant of VARIANTS) {
      try {
        const node = await startBenchNode(variant.options);
        // The logging handler is measured on the first variant only: elsewhere its warm instance would only take memory and CPU.
        await node.deploy('bench', helloAppSource(variant === VARIANTS[0] ? [...THROUGHPUT_FUNCTIONS, LOGGING_FUNCTION] : THROUGHPUT_FUNCTIONS));
        nodes.push({ label: variant.label, node });
      } catch (err) {
        notes.push(`${variant.label}: not measured (${(err as Error).message.split('\n')[0]})`);
      }
    }
    const others = new Set([client.pid, bare.pid, ...(workerd ? [workerd.pid] : [])]);
    const measure = (url: string): Promise<Measured> => measureLoad(client, url, config, others);
    const measureBare = (url: string): Promise<Measured> => measureLoad(client, url, config, others, bare.pid);

    const rows: BenchRow[] = [];
    for (let r = 1; r <= config.rounds; r++) {
      const handWritten = await measureBare(bare.handWrittenUrl + helloPath('bare'));
      const baseline = await measureBare(bare.sameHandlerUrl + helloPath('bare'));
      const workerdRun = workerd ? await measureLoad(client, workerd.url + helloPath('bare'), config, others, workerd.pid) : null;
      const base: Baselines = { sameHandler: baseline, handWritten, workerd: workerdRun };
      rows.push(row(r, 'bare node:http, same handler (Request in, Response out)', baseline, base));
      rows.push(row(r, 'bare node:http, hand-written JSON (no Request/Response)', handWritten, base));
      if (workerdRun) rows.push(row(r, 'workerd, the same handler as a Worker', workerdRun, base));
      // Metering on and off run back to back (single-instance rows first), so the pair sees the same machine.
      const functions = [...THROUGHPUT_FUNCTIONS, LOGGING_FUNCTION];
      const runs = nodes.flatMap(({ label, node }) => functions
        // Two instances, and the logging handler, only on the first variant: each row costs a run.
        .filter((fn) => fn === THROUGHPUT_FUNCTIONS[0] || label === VARIANTS[0]!.label)
        .map((fn) => ({ label, node, fn })))
        .sort((a, b) => functions.indexOf(a.fn) - functions.indexOf(b.fn));
      for (const { label, node, fn } of runs) {
        const nimbus = await measure(node.url + helloPath(fn.name));
        const logs = fn.logLines ? `, the handler logging ${fn.logLines} lines per request` : '';
        rows.push(row(r, `Nimbus, ${label}${logs}, maxInstances ${fn.settings.maxInstances}, concurrency ${fn.settings.concurrency}`, nimbus, base));
      }
    }
    const meteringGap = await measureMeteringGap(client, nodes, config);
    return {
      rows,
      notes: [
        `${config.connections} connections from a separate load-client process (autocannon), ${config.warmupSec} s warm-up then ${config.measureSec} s measured, ${config.rounds} rounds interleaved so both sides see the same machine.`,
        'ratio = req/s ÷ req/s of the bare server running the same handler in the same round (target ≥ 0.5).',
        `÷ hand-written = req/s ÷ the bare server that skips Request/Response and writes the JSON itself (target ≥ ${TARGET_VS_HAND_WRITTEN}); ÷ workerd = req/s ÷ workerd's in the same round (target ≥ ${TARGET_VS_WORKERD}).`,
        'cpu µs/req: CPU used per completed request by the serving process (the bare servers run in a process of their own; a Nimbus node runs in the bench process: gateway + dispatcher; workerd is its own process) and by instance processes (every process below the bench process but the load client, bare servers and workerd: under strict isolation that is bwrap and the Node inside it); the load client is not counted.',
        `cpu ÷ hand-written = (host + instances) CPU per request ÷ the hand-written bare server's (target ≤ ${TARGET_CPU_VS_HAND_WRITTEN}).`,
        `Metering + log capture on vs off (target at most 5 % apart): ${meteringGap}.`,
        `Instances are kept running (minInstances = maxInstances) so no cold start lands inside the window.`,
        ...notes,
      ],
    };
  } finally {
    await workerd?.close();
    await bare.close();
    for (const { node } of nodes) await node.dispose();
    await client.close();
  }
}

/** Windows of metering on and off loaded side by side: a 5 % difference is smaller than this machine's drift between two runs. */
const METERING_WINDOWS = 8;

/**
 * The metering gap: the same function on the metering-on and -off nodes, loaded
 * at the same moment from two load clients (half the connections each), so the
 * machine's drift falls on both alike; the geometric mean of the window ratios.
 */
async function measureMeteringGap(client: LoadClient, nodes: { label: string; node: BenchNode }[], config: BenchConfig): Promise<string> {
  const on = nodes.find((n) => n.label === VARIANTS[0]!.label)?.node;
  const off = nodes.find((n) => n.label === VARIANTS[1]!.label)?.node;
  if (!on || !off) return 'not measured';
  const second = await LoadClient.start();
  try {
    const path = helloPath(THROUGHPUT_FUNCTIONS[0]!.name);
    const options = { windows: METERING_WINDOWS, windowSec: Math.max(2, Math.round(config.measureSec / 2)), connections: Math.max(1, Math.round(config.connections / 2)), warmupSec: config.warmupSec };
    const runs = await sideBySide([client, second], { baseline: off.url + path, variant: on.url + path }, options);
    const { geometricMeanRatio } = summarizeSideBySide(runs);
    return `both nodes loaded side by side (${options.connections} connections each from two load clients, ${options.windows} windows of ${options.windowSec} s, the clients swapping sides), on ÷ off req/s ${windowRatios(runs)}; ` +
      `geometric mean ${round(geometricMeanRatio, 3)}, so on is ${round(Math.max(0, 1 - geometricMeanRatio) * 100, 1)} % slower`;
  } finally {
    await second.close();
  }
}

interface Baselines {
  sameHandler: Measured;
  handWritten: Measured;
  workerd: Measured | null;
}

function row(roundNo: number, target: string, measured: Measured, base: Baselines): BenchRow {
  const { load } = measured;
  const cpu = measured.serverCpuUsPerReq + measured.instanceCpuUsPerReq;
  const handWrittenCpu = base.handWritten.serverCpuUsPerReq + base.handWritten.instanceCpuUsPerReq;
  return {
    round: roundNo,
    target,
    'req/s': Math.round(load.requestsPerSec),
    'p50 ms': round(load.latencyP50Ms, 1),
    'p99 ms': round(load.latencyP99Ms, 1),
    ratio: round(load.requestsPerSec / base.sameHandler.load.requestsPerSec),
    [`÷ hand-written (≥ ${TARGET_VS_HAND_WRITTEN})`]: round(load.requestsPerSec / base.handWritten.load.requestsPerSec),
    [`÷ workerd (≥ ${TARGET_VS_WORKERD})`]: base.workerd ? round(load.requestsPerSec / base.workerd.load.requestsPerSec) : '–',
    'cpu µs/req (host)': Math.round(measured.serverCpuUsPerReq),
    'cpu µs/req (instances)': Math.round(measured.instanceCpuUsPerReq),
    [`cpu ÷ hand-written (≤ ${TARGET_CPU_VS_HAND_WRITTEN})`]: round(cpu / handWrittenCpu),
    // Anything but 200 means the numbers above measured refusals, not the function.
    'non-2xx + errors': load.non2xx + load.errors,
  };
}
