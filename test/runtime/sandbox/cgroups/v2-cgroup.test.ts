import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cgroupLimitsFor } from '../../../../src/runtime/sandbox/cgroups/limits.js';
import { V2SandboxCgroup } from '../../../../src/runtime/sandbox/cgroups/v2-cgroup.js';

/**
 * Which v2 files a sandbox group writes and reads. These machines have no
 * v2 controllers, so the group lives in a plain folder laid out like a v2
 * group (the kernel fills these files on a real host); the v1 group and the
 * whole driver are exercised for real in cgroup-tree.test.ts and the escape suite.
 */
describe('cgroup v2 sandbox group (file layout)', () => {
  let parent: string;
  let group: V2SandboxCgroup;

  before(async () => {
    parent = await mkdtemp(join(tmpdir(), 'nimbus-v2-layout-'));
    group = await V2SandboxCgroup.create(parent, 'sb1');
    for (const [file, text] of Object.entries({
      'memory.swap.max': 'max\n',
      'memory.current': '4096\n',
      'cpu.stat': 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n',
      'memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
      'cgroup.procs': '',
    })) {
      await writeFile(join(group.dir, file), text);
    }
  });
  after(() => rm(parent, { recursive: true, force: true }));

  it('joins through the one cgroup.procs of its folder', () => {
    assert.deepEqual(group.procsFiles, [join(parent, 'sb1', 'cgroup.procs')]);
  });

  it('writes memory.max, swap off, cpu.weight, cpu.max and pids.max', async () => {
    await group.setLimits(cgroupLimitsFor({ memoryMb: 64, cpuShares: 1024, cpuQuota: 0.5 }));
    const read = (file: string) => readFile(join(group.dir, file), 'utf8');
    assert.equal(await read('memory.max'), String(64 * 1024 * 1024));
    assert.equal(await read('memory.swap.max'), '0');
    assert.equal(await read('cpu.weight'), '40');
    assert.equal(await read('cpu.max'), '50000 100000');
    assert.equal(await read('pids.max'), '64');
  });

  it('reads usage from memory.current and cpu.stat, OOM kills from memory.events', async () => {
    assert.deepEqual(await group.usage(), { memoryBytes: 4096, cpuMicros: 1500 });
    assert.equal(await group.oomKills(), 1);
  });
});
