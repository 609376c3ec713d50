/**
 * Where a Nimbus node's CPU goes under the warm-throughput load: the node
 * runs in a child process under `node --cpu-prof`, the load comes from the
 * load client, and the profile is summarised per function. Instance
 * processes are not profiled (the sandbox driver starts them with a clean
 * command line); their CPU share is in the `http` section.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadClient } from '../load/load-client.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig, type BenchConfig } from '../support/bench-config.js';
import { summarizeCpuProfile, type FrameTime } from '../support/cpu-profile.js';
import { round } from '../support/stats.js';
import { helloPath } from './hello-app.js';

const TARGET_SCRIPT = fileURLToPath(new URL('./profile-target-process.js', import.meta.url));
const TOP_SELF = 15;
const TOP_NIMBUS = 15;
/** Compiled Nimbus sources live under dist/src/; that prefix is what marks a frame as ours. */
const NIMBUS_CODE = /\/dist\/(src\/.*)$/;

export const httpProfileSection: BenchSection = {
  name: 'http-profile',
  title: 'CPU profile of the Nimbus node process under warm-throughput load',
  run: () => benchHttpProfile(benchConfig()),
};

export async function benchHttpProfile(config: BenchConfig): Promise<SectionResult> {
  const profileDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-prof-'));
  const client = await LoadClient.start();
  const target = fork(TARGET_SCRIPT, [], { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=200'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { url } = await new Promise<{ url: string }>((resolve, reject) => {
      target.once('message', (m) => resolve(m as { url: string }));
      target.once('exit', (code) => reject(new Error(`the profiled node exited (code ${code}) before it was ready`)));
    });
    const load = await client.load(url + helloPath('hello'), config.connections, config.warmupSec + config.measureSec);
    const exited = new Promise((resolve) => target.once('exit', resolve));
    target.send('stop');
    await exited;
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the profiled node wrote no .cpuprofile');
    const summary = summarizeCpuProfile(readFileSync(join(profileDir, file), 'utf8'), shortenFile);
    const share = (ms: number): string => `${round((ms / summary.durationMs) * 100, 1)} %`;
    const asRow = (kind: string) => (f: FrameTime): BenchRow => ({ kind, frame: f.frame, 'self ms': Math.round(f.selfMs), self: share(f.selfMs), 'total ms': Math.round(f.totalMs), total: share(f.totalMs) });
    const selfTop = [...summary.frames].sort((a, b) => b.selfMs - a.selfMs).slice(0, TOP_SELF);
    const nimbusTop = summary.frames.filter((f) => f.file.startsWith('src/')).sort((a, b) => b.totalMs - a.totalMs).slice(0, TOP_NIMBUS);
    const nimbusSelf = summary.frames.filter((f) => f.file.startsWith('src/')).reduce((s, f) => s + f.selfMs, 0);
    return {
      rows: [...selfTop.map(asRow('top self')), ...nimbusTop.map(asRow('Nimbus, by total'))],
      notes: [
        `Profiled for the whole run (start-up, ${config.warmupSec} s warm-up, ${config.measureSec} s load, shut-down): ${Math.round(summary.durationMs)} ms of which the load served ${load.completed} requests (${Math.round(load.requestsPerSec)} req/s under the profiler).`,
        `Self time in Nimbus's own code: ${share(nimbusSelf)} of the profile; the rest is Node (http, streams, timers, crypto), GC and idle.`,
        'self = time in the function itself; total = time with it anywhere on the stack. "(idle)" is the event loop waiting: the host is not the bottleneck when it is large.',
      ],
    };
  } finally {
    if (target.exitCode === null) target.kill('SIGKILL');
    await client.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

function shortenFile(url: string): string {
  if (url === '') return '';
  const nimbus = NIMBUS_CODE.exec(url);
  if (nimbus) return nimbus[1]!.replace(/\.js$/, '.ts');
  if (url.startsWith('node:')) return url;
  const nodeModules = url.lastIndexOf('node_modules/');
  return nodeModules >= 0 ? url.slice(nodeModules) : url.replace(/^file:\/\//, '');
}
