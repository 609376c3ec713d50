/**
 * Entry of the child process the profile section runs under `--cpu-prof`:
 * a Nimbus node serving the hello function, and nothing else, so the
 * profile shows only the host's cost per request. Its instances run under
 * `--cpu-prof` too (basic isolation: the runtime's code is the same under
 * strict). It tells the parent its URL over IPC; when told to stop, it makes
 * its instances exit (writing their profiles), then stops itself.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { startBenchNode } from '../support/bench-node.js';
import { sleep } from '../support/stats.js';
import { helloAppSource, type HelloFunction } from './hello-app.js';

const PROFILED_FUNCTION: HelloFunction = { name: 'hello', settings: { maxInstances: 1, minInstances: 1, concurrency: 64 } };
const PROFILES_WRITTEN_TIMEOUT_MS = 10_000;

const instanceProfileDir = process.argv[2];
if (!instanceProfileDir) throw new Error('usage: profile-target-process <instance profile folder>');
const node = await startBenchNode({ isolation: 'basic', instanceCpuProfileDir: instanceProfileDir });
await node.deploy('bench', helloAppSource([PROFILED_FUNCTION]));
process.send?.({ url: node.url });
process.once('message', () => {
  void stopInstances().then(() => node.dispose()).then(() => process.exit(0));
});

/** SIGUSR2 makes a profiled instance exit cleanly, which is when --cpu-prof writes. */
async function stopInstances(): Promise<void> {
  const children = childPids();
  for (const pid of children) process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + PROFILES_WRITTEN_TIMEOUT_MS;
  while (children.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < deadline) await sleep(20);
  if (readdirSync(instanceProfileDir!).length === 0) throw new Error('no instance wrote a profile');
}

function childPids(): number[] {
  const pids: number[] = [];
  for (const task of readdirSync('/proc/self/task')) {
    for (const pid of readFileSync(`/proc/self/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) pids.push(Number(pid));
  }
  return pids;
}
