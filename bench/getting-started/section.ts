/**
 * The way in, as a new user meets it (issue #12): `npm start` in a fresh
 * copy of the repository (first: nothing compiled; second: nothing changed)
 * to the example's first answer; `nimbus dev` save-to-live with and without
 * the type check; `nimbus deploy` of the hello example as a command; what a
 * command's start costs over a bare Node process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { median, quantile, round } from '../support/stats.js';
import { CliProcess, NIMBUS_BIN, REPO_ROOT, untilAnswer } from './cli-process.js';
import { measureSaveToLive } from './dev-loop.js';

const SAVES = Number(process.env['BENCH_DEV_SAVES'] ?? 20);
const DEPLOYS = Number(process.env['BENCH_DEPLOYS'] ?? 5);
const COMMAND_RUNS = Number(process.env['BENCH_COMMAND_RUNS'] ?? 15);

export const gettingStartedSection: BenchSection = {
  name: 'getting-started',
  title: 'The way in: npm start to the first answer, nimbus dev save-to-live, nimbus deploy of the hello app',
  run: benchGettingStarted,
};

async function benchGettingStarted(): Promise<SectionResult> {
  const rows: BenchRow[] = [];
  rows.push(...(await benchNpmStart()));
  for (const typecheck of [true, false]) {
    const { samples, firstDeployMs } = await measureSaveToLive(SAVES, typecheck);
    rows.push({
      measure: `nimbus dev save-to-live, type check ${typecheck ? 'on' : 'off'} (${samples.length} saves)`,
      'p50 ms': round(median(samples), 0), 'p90 ms': round(quantile(samples, 0.9), 0), 'max ms': round(Math.max(...samples), 0),
      notes: `first deploy ${round(firstDeployMs, 0)} ms from the command to the first answer`,
    });
  }
  rows.push(...(await benchDeploy()));
  return {
    rows,
    notes: [
      'npm start runs in a fresh `git clone` of this commit with node_modules linked from this checkout (install time is not counted): first = nothing compiled yet, second = the same folder again (nothing changed, the same bundle: no new version).',
      'Save-to-live: from writing index.ts to the first request answered by the new code, a real `nimbus dev` process; with the type check on, it runs in the background and does not hold the deploy.',
      'nimbus deploy: the whole command as a process, against a node started beforehand; "unchanged" deploys the code already live (no type check, no upload).',
    ],
  };
}

async function benchNpmStart(): Promise<BenchRow[]> {
  const clone = mkdtempSync(join(tmpdir(), 'nimbus-bench-clone-'));
  try {
    execFileSync('git', ['clone', '--quiet', REPO_ROOT, clone]);
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(clone, 'node_modules'));
    const rows: BenchRow[] = [];
    for (const run of ['first', 'second']) {
      const started = performance.now();
      const start = new CliProcess('npm', ['start', '--', '--port', '0'], { cwd: clone });
      try {
        const url = (await start.waitFor(/is running at (http:\/\/\S+)/))[1]!;
        const ms = await untilAnswer(`${url}/hello/world`, '"hello":"world"', started);
        await start.waitFor(/Press Ctrl\+C to stop/);
        const readyMs = performance.now() - started;
        const deployed = /Deployed hello v\d+|unchanged, version \d+/.exec(start.output)?.[0] ?? '?';
        rows.push({ measure: `npm start, ${run} run: to the first answer`, 'p50 ms': round(ms, 0), 'p90 ms': '', 'max ms': '', notes: `${deployed}; the example checked and live after ${round(readyMs, 0)} ms` });
      } finally {
        await start.stop();
      }
    }
    return rows;
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
}

async function benchDeploy(): Promise<BenchRow[]> {
  const data = mkdtempSync(join(tmpdir(), 'nimbus-bench-deploy-'));
  const app = mkdtempSync(join(tmpdir(), 'nimbus-bench-hello-'));
  const node = new CliProcess(process.execPath, [NIMBUS_BIN, 'start', '--port', '0', '--data', data], { cwd: data, env: { NIMBUS_LOG_LEVEL: 'warn' } });
  try {
    const url = (await node.waitFor(/is running at (http:\/\/\S+)/))[1]!;
    const key = (await node.waitFor(/^Admin key \(.*\): (\S+)$/m))[1]!;
    const hello = (marker: string): string =>
      `import { http } from 'nimbus-functions';\n\nexport const hello = http('GET /hello/:name', (req, ctx) => Response.json({ hello: ctx.params.name, marker: '${marker}' }));\n`;
    const deploy = (): number => {
      const started = performance.now();
      execFileSync(process.execPath, [NIMBUS_BIN, 'deploy', app, '--app', 'hello'], { env: { ...process.env, NIMBUS_URL: url, NIMBUS_ADMIN_KEY: key }, stdio: 'ignore' });
      return performance.now() - started;
    };
    const changed: number[] = [];
    const unchanged: number[] = [];
    for (let i = 0; i < DEPLOYS; i++) {
      writeFileSync(join(app, 'index.ts'), hello(`m${i}`));
      changed.push(deploy());
      unchanged.push(deploy());
    }
    const row = (measure: string, samples: number[]): BenchRow => ({
      measure, 'p50 ms': round(median(samples), 0), 'p90 ms': round(quantile(samples, 0.9), 0), 'max ms': round(Math.max(...samples), 0), notes: `${samples.length} runs`,
    });
    const rows = [row('nimbus deploy hello (changed code: bundle, type check, upload, live)', changed), row('nimbus deploy hello (unchanged: no new version)', unchanged)];
    return [...rows, ...commandStartRows({ NIMBUS_URL: url, NIMBUS_ADMIN_KEY: key }, row)];
  } finally {
    await node.stop();
    rmSync(data, { recursive: true, force: true });
    rmSync(app, { recursive: true, force: true });
  }
}

/**
 * What every command pays before its own work: a process that only starts Node and exits is
 * the baseline; `nimbus --version` adds loading the CLI; `nimbus ls` adds one admin call.
 */
function commandStartRows(env: Record<string, string>, row: (measure: string, samples: number[]) => BenchRow): BenchRow[] {
  const time = (args: readonly string[]): number => {
    const started = performance.now();
    execFileSync(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
    return performance.now() - started;
  };
  const runs = { node: [] as number[], version: [] as number[], ls: [] as number[] };
  // Interleaved, so a busy moment of the shared machine falls on all three alike.
  for (let i = 0; i < COMMAND_RUNS; i++) {
    runs.node.push(time(['-e', '']));
    runs.version.push(time([NIMBUS_BIN, '--version']));
    runs.ls.push(time([NIMBUS_BIN, 'ls']));
  }
  const base = median(runs.node);
  const vs = (samples: number[]): string => `; ${round(median(samples) / base, 2)}× the bare start, +${round(median(samples) - base, 0)} ms`;
  const withRatio = (measure: string, samples: number[]): BenchRow => {
    const r = row(measure, samples);
    return { ...r, notes: `${r.notes}${vs(samples)}` };
  };
  return [row('a command\'s start, baseline: node -e "" (nothing loaded)', runs.node), withRatio('nimbus --version (the CLI loaded)', runs.version), withRatio('nimbus ls (the CLI loaded, one admin call)', runs.ls)];
}
