import assert from 'node:assert/strict';
import { readFile, readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { BubblewrapDriver } from '../../../../src/runtime/sandbox/bubblewrap/bubblewrap-driver.js';
import { detectCgroupHierarchy } from '../../../../src/runtime/sandbox/cgroups/hierarchy.js';
import { DEFAULT_PIDS_MAX } from '../../../../src/runtime/sandbox/cgroups/limits.js';
import { SandboxFixture } from '../sandbox-fixture.js';
import { strictSkipReason } from '../strict-requirements.js';

const MB = 1024 * 1024;
const SPIN_MS = 1500;

/** A file of the cgroup a host pid sits in, for the v1 `controller` or the v2 group. */
async function cgroupFile(pid: number, controller: string, file: string): Promise<string> {
  const hierarchy = detectCgroupHierarchy();
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n');
  if (hierarchy.version === 'v2') {
    const path = lines.find((line) => line.startsWith('0::'))!.slice(3);
    return `${hierarchy.mount}${path}/${file}`;
  }
  if (hierarchy.version !== 'v1') throw new Error('no cgroups');
  const line = lines.find((entry) => entry.split(':')[1]!.split(',').includes(controller))!;
  return `${hierarchy.controllers[controller as 'memory']!.mount}${line.split(':')[2]}/${file}`;
}

/**
 * Resolves once the spawned launcher shell has exec'd onward (nsenter, setpriv
 * or bwrap): its prologue joins the cgroups before that exec, so from then on
 * the pid must be in the sandbox's group. `spawn` resolves as the shell starts.
 */
async function launcherExeced(pid: number): Promise<void> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const exe = await readlink(`/proc/${pid}/exe`);
    if (!/\/(ba|da)?sh$/.test(exe)) return;
    await sleep(10);
  }
  throw new Error(`pid ${pid} is still the launcher shell after 10 s`);
}

/**
 * What the kernel enforces on a strict sandbox: its processes are in their
 * own cgroup from the start, and memory, pids and CPU are limited there.
 */
describe('bubblewrap sandbox: cgroup limits', { skip: await strictSkipReason() }, () => {
  let fixture: SandboxFixture;
  let driver: BubblewrapDriver;
  const nodeId = `limits${process.pid}`;

  before(async () => {
    fixture = await SandboxFixture.create();
    driver = await BubblewrapDriver.create({ instanceScript: fixture.instanceScript, permissionModel: false, nodeId });
  });
  after(async () => {
    await driver?.dispose();
    await fixture?.close();
  });

  it('puts the sandbox in its own group when spawned, and writes the function limits at assign', async (t) => {
    const sandbox = await driver.spawn({ memoryMb: 128 });
    t.after(() => sandbox.kill('test over'));
    await launcherExeced(sandbox.pid);
    const procCgroup = await readFile(`/proc/${sandbox.pid}/cgroup`, 'utf8');
    assert.match(procCgroup, new RegExp(`/nimbus/${nodeId}/${sandbox.id}$`, 'm'));

    await sandbox.assign({
      app: 'a', version: 1, functionName: 'f', bundlePath: await fixture.writeBundle('limits.mjs'),
      memoryMb: 96, cpuShares: 300, network: 'none', env: {},
    });
    const v2 = detectCgroupHierarchy().version === 'v2';
    const memory = await readFile(await cgroupFile(sandbox.pid, 'memory', v2 ? 'memory.max' : 'memory.limit_in_bytes'), 'utf8');
    assert.equal(Number(memory), 96 * MB);
    const pids = await readFile(await cgroupFile(sandbox.pid, 'pids', 'pids.max'), 'utf8');
    assert.equal(Number(pids), DEFAULT_PIDS_MAX);
    if (!v2) assert.equal(Number(await readFile(await cgroupFile(sandbox.pid, 'cpu', 'cpu.shares'), 'utf8')), 300);
  });

  it('kills a sandbox that allocates 1 GB and reports it as out of memory', async () => {
    const { sandbox, probe } = await fixture.start(driver, { memoryMb: 128, network: 'none' });
    void probe('allocate', { mb: 1024 });
    const exit = await sandbox.exited;
    assert.equal(exit.outOfMemory, true);
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(exit.reason, 'killed by the kernel: out of memory');
  });

  it('stops a fork bomb at pids.max', async () => {
    const { sandbox, probe } = await fixture.start(driver, { network: 'none' });
    const answer = (await probe('fork', { count: 100 })) as { ok: true; value: { started: number; failed: number; errors: string[] } };
    assert.equal(answer.ok, true);
    assert.ok(answer.value.failed > 0, `all ${answer.value.started} processes started`);
    assert.deepEqual(answer.value.errors, ['EAGAIN']);
    const current = Number(await readFile(await cgroupFile(sandbox.pid, 'pids', 'pids.current'), 'utf8'));
    assert.ok(current <= DEFAULT_PIDS_MAX, `${current} tasks`);
    sandbox.kill('test over');
    await sandbox.exited;
  });

  it('throttles a CPU spin to its share when sandboxes compete', async (t) => {
    const heavy = await fixture.start(driver, { cpuShares: 2048, network: 'none' });
    const light = await fixture.start(driver, { cpuShares: 256, network: 'none' });
    t.after(() => {
      heavy.sandbox.kill('test over');
      light.sandbox.kill('test over');
    });
    // Two spinning threads each: four runnable threads on a two-core machine, so the shares decide. CPU is read only
    // inside a window when both spin: one starting or ending later (a busy machine delays a probe) would otherwise
    // have the cores to itself for a while, whatever its share.
    const spins = Promise.all([heavy.probe('spin', { ms: SPIN_MS, threads: 2 }), light.probe('spin', { ms: SPIN_MS, threads: 2 })]);
    await sleep(SPIN_MS * 0.2);
    const [heavyBefore, lightBefore] = await Promise.all([heavy.sandbox.usage(), light.sandbox.usage()]);
    await sleep(SPIN_MS * 0.6);
    const [heavyAfter, lightAfter] = await Promise.all([heavy.sandbox.usage(), light.sandbox.usage()]);
    await spins;
    const heavyCpu = heavyAfter.cpuMicros - heavyBefore.cpuMicros;
    const lightCpu = lightAfter.cpuMicros - lightBefore.cpuMicros;
    // 8:1 shares; asserting only 2:1 leaves room for a noisy machine.
    assert.ok(heavyCpu > 2 * lightCpu, `heavy ${heavyCpu} µs vs light ${lightCpu} µs`);
  });

  it('removes the group when the sandbox exits', async () => {
    const { sandbox } = await fixture.start(driver, { network: 'none' });
    const procs = await cgroupFile(sandbox.pid, 'pids', 'cgroup.procs');
    sandbox.kill('test over');
    await sandbox.exited;
    await driver.settled();
    await assert.rejects(readFile(procs), { code: 'ENOENT' });
  });
});
