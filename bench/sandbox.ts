/**
 * Sandbox drivers side by side, same run: how long a warm sandbox takes to
 * be ready (spawn → READY), and how long a cold start costs once it is
 * (assign + import the bundle + first answer). Target: strict within 2× of
 * the plain process driver on the request path.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BubblewrapDriver } from '../src/runtime/sandbox/bubblewrap/bubblewrap-driver.js';
import { detectIsolation } from '../src/runtime/sandbox/detect-isolation.js';
import type { SandboxDriver } from '../src/runtime/sandbox/driver.js';
import { ProcessSandboxDriver } from '../src/runtime/sandbox/process/process-driver.js';
import { ProbeClient, writeProbeInstance } from '../test/runtime/sandbox/probe-instance.js';

const SANDBOXES = 12;
const MEMORY_MB = 128;
const HELLO_BUNDLE = 'export default () => "hello";\n';

interface DriverTimes {
  spawnMs: number[];
  firstAnswerMs: number[];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

async function measure(driver: SandboxDriver, bundlesDir: string): Promise<DriverTimes> {
  const times: DriverTimes = { spawnMs: [], firstAnswerMs: [] };
  for (let i = 0; i < SANDBOXES; i++) {
    const bundlePath = join(bundlesDir, `hello-${driver.name}-${i}.mjs`);
    await writeFile(bundlePath, HELLO_BUNDLE);
    await chmod(bundlePath, 0o644);

    const spawnStart = performance.now();
    const sandbox = await driver.spawn({ memoryMb: MEMORY_MB });
    const client = new ProbeClient(sandbox.channel);
    await Promise.race([
      client.ready,
      sandbox.exited.then((exit) => Promise.reject(new Error(`${driver.name} sandbox died before READY: ${JSON.stringify(exit)}`))),
    ]);
    times.spawnMs.push(performance.now() - spawnStart);

    const assignStart = performance.now();
    const placed = await sandbox.assign({
      app: 'bench', version: 1, functionName: 'hello', bundlePath,
      memoryMb: MEMORY_MB, cpuShares: 0, network: 'outbound', env: {},
    });
    const answer = await client.call(placed.bundlePath);
    times.firstAnswerMs.push(performance.now() - assignStart);
    if (!answer.ok) throw new Error(`bench bundle failed in ${driver.name}: ${answer.error}`);
    sandbox.kill('bench over');
    await sandbox.exited;
  }
  return times;
}

export async function benchSandbox(): Promise<{ rows: Record<string, string | number>[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-bench-sandbox-'));
  try {
    const instanceScript = await writeProbeInstance(dir);
    // Kept apart from the runtime's folder: the process driver allows reads of both.
    const bundlesDir = join(dir, 'bundles');
    await mkdir(bundlesDir);
    const results: Record<string, DriverTimes> = {};
    const processDriver = new ProcessSandboxDriver({ instanceScript, bundlesDir });
    results.process = await measure(processDriver, bundlesDir);
    await processDriver.dispose();

    const isolation = await detectIsolation();
    if (isolation.bubblewrap && isolation.userNamespaces) {
      const strict = await BubblewrapDriver.create({ instanceScript });
      try {
        results[`bubblewrap (${strict.isolation})`] = await measure(strict, bundlesDir);
      } finally {
        await strict.dispose();
      }
    }

    const rows: Record<string, string | number>[] = [];
    for (const [driver, times] of Object.entries(results)) {
      rows.push({
        driver,
        'spawn→READY p50 ms': round(percentile(times.spawnMs, 50)),
        'spawn→READY p99 ms': round(percentile(times.spawnMs, 99)),
        'assign+first answer p50 ms': round(percentile(times.firstAnswerMs, 50)),
        'assign+first answer p99 ms': round(percentile(times.firstAnswerMs, 99)),
        n: times.spawnMs.length,
      });
    }
    const base = results.process!;
    for (const [driver, times] of Object.entries(results)) {
      if (driver === 'process') continue;
      rows.push({
        driver: `${driver} ÷ process`,
        'spawn→READY p50 ms': round(percentile(times.spawnMs, 50) / percentile(base.spawnMs, 50)),
        'spawn→READY p99 ms': round(percentile(times.spawnMs, 99) / percentile(base.spawnMs, 99)),
        'assign+first answer p50 ms': round(percentile(times.firstAnswerMs, 50) / percentile(base.firstAnswerMs, 50)),
        'assign+first answer p99 ms': round(percentile(times.firstAnswerMs, 99) / percentile(base.firstAnswerMs, 99)),
        n: 'ratio',
      });
    }
    return { rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

