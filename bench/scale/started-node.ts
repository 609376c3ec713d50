/**
 * A `nimbus start` child on a prepared data folder, timed from the fork to
 * the first answer of the probe route (ready and serving what was deployed).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { processCpuMs } from '../support/process-cpu.js';
import type { MemoryReply } from './start-messages.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./nimbus-start-process.js', import.meta.url));
const START_LIMIT_MS = 120_000;
const POLL_MS = 2;

export interface StartedNode {
  url: string;
  pid: number;
  /** Fork → the probe route answered 200 (ms). */
  startMs: number;
  /** Fork → the timer API answered, which it does once every timer is armed (ms). */
  timersArmedMs: number;
  /** CPU the node process used from its start to the first answer (ms): steadier than wall time on a busy machine. */
  startCpuMs: number;
  memory(): Promise<MemoryReply>;
  stop(): Promise<void>;
}

export async function startNimbusProcess(dataDir: string, adminKey: string, probePath: string): Promise<StartedNode> {
  const started = performance.now();
  const child: ChildProcess = fork(CHILD_SCRIPT, ['start', '--host', '127.0.0.1', '--port', '0', '--data', dataDir], {
    // BENCH_SCALE_CPU_PROF=<dir>: each node writes a CPU profile there when it stops (to find where start-up or a request goes).
    execArgv: ['--expose-gc', ...(process.env['BENCH_SCALE_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_SCALE_CPU_PROF']}`] : [])],
    env: { ...process.env, NIMBUS_ADMIN_KEY: adminKey, NIMBUS_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };
  try {
    const deadline = Date.now() + START_LIMIT_MS;
    let url = '';
    for (;;) {
      if (child.exitCode !== null) throw new Error(`nimbus start exited (${child.exitCode}):\n${output}`);
      if (Date.now() > deadline) throw new Error(`nimbus start did not serve ${probePath} within ${START_LIMIT_MS} ms:\n${output}`);
      url ||= /Nimbus is running at (http:\/\/\S+)/.exec(output)?.[1] ?? '';
      if (url) {
        const answer = await fetch(`${url}${probePath}`).catch(() => null);
        if (answer?.status === 200) {
          await answer.arrayBuffer();
          break;
        }
        await answer?.arrayBuffer();
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const startMs = performance.now() - started;
    const startCpuMs = processCpuMs(child.pid!);
    // Any timer's history will do (this one does not exist): the timer API answers only once every timer is armed.
    const armed = await fetch(`${url}/_nimbus/api/v1/timers/${encodeURIComponent('probe')}/none/runs`, { headers: { authorization: `Bearer ${adminKey}` } });
    await armed.arrayBuffer();
    const timersArmedMs = performance.now() - started;
    return {
      url, pid: child.pid!, startMs, timersArmedMs, startCpuMs, stop,
      memory: () => new Promise<MemoryReply>((resolve, reject) => {
        child.once('message', (reply: MemoryReply) => resolve(reply));
        child.once('exit', () => reject(new Error('nimbus start exited')));
        child.send('memory');
      }),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
