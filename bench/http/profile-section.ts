/**
 * Where the CPU goes under the warm-throughput load, in both processes a
 * request crosses: the node runs in a child process under `node --cpu-prof`,
 * and so does the instance serving the function (basic isolation, where the
 * sandbox driver can start it with the profiler); the load comes from the
 * load client, and each profile is summarised per function.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadClient } from '../load/load-client.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { benchConfig, type BenchConfig } from '../support/bench-config.js';
import { summarizeCpuProfile, type FrameTime, type ProfileSummary } from '../support/cpu-profile.js';
import { round } from '../support/stats.js';
import { helloPath } from './hello-app.js';

const TARGET_SCRIPT = fileURLToPath(new URL('./profile-target-process.js', import.meta.url));
const TOP_SELF = 12;
const TOP_NIMBUS = 12;
/** Compiled Nimbus sources live under dist/src/; that prefix is what marks a frame as ours. */
const NIMBUS_CODE = /\/dist\/(src\/.*)$/;
/** The instance runtime is one bundle (dist/instance.mjs): its frames are ours too. */
const INSTANCE_BUNDLE = /\/dist\/instance\.mjs$/;

export const httpProfileSection: BenchSection = {
  name: 'http-profile',
  title: 'CPU profile of the Nimbus node process and of its instance under warm-throughput load',
  run: () => benchHttpProfile(benchConfig()),
};

export async function benchHttpProfile(config: BenchConfig): Promise<SectionResult> {
  const profileDir = mkdtempSync(join(tmpdir(), 'nimbus-bench-prof-'));
  const instanceDir = join(profileDir, 'instances');
  mkdirSync(instanceDir);
  const client = await LoadClient.start();
  const target = fork(TARGET_SCRIPT, [instanceDir], { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=200'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { url } = await new Promise<{ url: string }>((resolve, reject) => {
      target.once('message', (m) => resolve(m as { url: string }));
      target.once('exit', (code) => reject(new Error(`the profiled node exited (code ${code}) before it was ready`)));
    });
    const load = await client.load(url + helloPath('hello'), config.connections, config.warmupSec + config.measureSec);
    const exited = new Promise((resolve) => target.once('exit', resolve));
    target.send('stop');
    await exited;
    const nodeFile = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!nodeFile) throw new Error('the profiled node wrote no .cpuprofile');
    const node = summarizeCpuProfile(readFileSync(join(profileDir, nodeFile), 'utf8'), shortenFile);
    // Warm-pool sandboxes write profiles too; the one that served the load is the one that was busy.
    const instances = readdirSync(instanceDir).filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => summarizeCpuProfile(readFileSync(join(instanceDir, f), 'utf8'), shortenFile));
    const instance = instances.sort((a, b) => busyMs(b) - busyMs(a))[0];
    const perRequestUs = (s: ProfileSummary): number => round((busyMs(s) * 1000) / Math.max(1, load.completed), 1);
    return {
      rows: [...profileRows('node', node), ...(instance ? profileRows('instance', instance) : [])],
      notes: [
        `Profiled for the whole run (start-up, ${config.warmupSec} s warm-up, ${config.measureSec} s load, shut-down): the load served ${load.completed} requests (${Math.round(load.requestsPerSec)} req/s under the profiler).`,
        `node: ${Math.round(node.durationMs)} ms profiled, busy (not idle) ${Math.round(busyMs(node))} ms = ${perRequestUs(node)} µs per request; self time in Nimbus's own code ${share(node, nimbusSelfMs(node))}.`,
        instance
          ? `instance: ${Math.round(instance.durationMs)} ms profiled, busy ${Math.round(busyMs(instance))} ms = ${perRequestUs(instance)} µs per request; self time in the instance runtime (dist/instance.mjs) ${share(instance, nimbusSelfMs(instance))}.`
          : 'instance: no profile was written.',
        'Under the sampling profiler both processes run slower than in the http section; read shares, not absolute times.',
        'self = time in the function itself; total = time with it anywhere on the stack; share = of the busy (non-idle) time. "(garbage collector)" is GC; "(program)" is V8/native work outside JavaScript (for example socket writes).',
      ],
    };
  } finally {
    if (target.exitCode === null) target.kill('SIGKILL');
    await client.close();
    // BENCH_KEEP_PROFILES=1 leaves the .cpuprofile files for a closer look (Chrome DevTools, speedscope).
    if (process.env['BENCH_KEEP_PROFILES'] === '1') console.error(`profiles kept in ${profileDir}`);
    else rmSync(profileDir, { recursive: true, force: true });
  }
}

function idleMs(s: ProfileSummary): number {
  return s.frames.find((f) => f.frame.startsWith('(idle)'))?.selfMs ?? 0;
}

function busyMs(s: ProfileSummary): number {
  return s.durationMs - idleMs(s);
}

function share(s: ProfileSummary, ms: number): string {
  return `${round((ms / Math.max(1, busyMs(s))) * 100, 1)} %`;
}

function nimbusSelfMs(s: ProfileSummary): number {
  return s.frames.filter((f) => f.file.startsWith('src/') || f.file === 'instance.mjs').reduce((sum, f) => sum + f.selfMs, 0);
}

function profileRows(processName: string, summary: ProfileSummary): BenchRow[] {
  const asRow = (kind: string) => (f: FrameTime): BenchRow => ({
    process: processName, kind, frame: f.frame,
    'self ms': Math.round(f.selfMs), self: share(summary, f.selfMs), 'total ms': Math.round(f.totalMs), total: share(summary, f.totalMs),
  });
  const busy = summary.frames.filter((f) => !f.frame.startsWith('(idle)') && !f.frame.startsWith('(root)'));
  const ours = busy.filter((f) => f.file.startsWith('src/') || f.file === 'instance.mjs');
  return [
    ...[...busy].sort((a, b) => b.selfMs - a.selfMs).slice(0, TOP_SELF).map(asRow('top self')),
    ...[...ours].sort((a, b) => b.totalMs - a.totalMs).slice(0, TOP_NIMBUS).map(asRow('Nimbus, by total')),
  ];
}

function shortenFile(url: string): string {
  if (url === '') return '';
  const nimbus = NIMBUS_CODE.exec(url);
  if (nimbus) return nimbus[1]!.replace(/\.js$/, '.ts');
  if (INSTANCE_BUNDLE.test(url)) return 'instance.mjs';
  if (url.startsWith('node:')) return url;
  const nodeModules = url.lastIndexOf('node_modules/');
  return nodeModules >= 0 ? url.slice(nodeModules) : url.replace(/^file:\/\//, '');
}
