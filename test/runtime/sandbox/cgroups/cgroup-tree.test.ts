import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CgroupTree } from '../../../../src/runtime/sandbox/cgroups/cgroup-tree.js';
import { detectCgroupHierarchy } from '../../../../src/runtime/sandbox/cgroups/hierarchy.js';
import { cgroupLimitsFor } from '../../../../src/runtime/sandbox/cgroups/limits.js';
import { ownedWhileTesting } from '../owned-while-testing.js';
import { ownerRecords } from '../../../../src/runtime/sandbox/owners.js';

const hierarchy = detectCgroupHierarchy();
const skip = hierarchy.version === 'none' ? `no usable cgroups here: ${hierarchy.reason}` : false;

/** The node's cgroup tree on the live kernel: real groups, real processes. */
describe(`cgroup tree (${hierarchy.version})`, { skip }, () => {
  let tree: CgroupTree;
  const nodeId = `tree${process.pid}`;

  let disown: (() => Promise<void>) | undefined;

  before(async () => {
    // A driver starting in a test file beside this one reaps trees whose owner is not alive.
    disown = await ownedWhileTesting(nodeId, `${nodeId}-dispose`);
    tree = await CgroupTree.create(hierarchy, nodeId);
  });
  after(async () => {
    await tree?.dispose();
    await disown?.();
  });

  it('counts a process that joined through procsFiles, limits it, and removes the group after killing it', async () => {
    if (process.getuid?.() === 0) assert.ok(await ownerRecords().isAlive(nodeId), 'the tree has a live owner while the tests run');
    const group = await tree.createSandboxGroup('sb-join');
    await group.setLimits(cgroupLimitsFor({ memoryMb: 64 }));
    const child = spawn('/bin/sh', ['-c', `${group.procsFiles.map((f) => `echo $$ > ${f}`).join(' && ')} && exec sleep 60`], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // The shell has joined once sleep runs in its place.
    for (let i = 0; i < 200 && !(await readFile(`/proc/${child.pid}/cmdline`, 'utf8').catch(() => '')).startsWith('sleep'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const file of group.procsFiles) assert.match(await readFile(file, 'utf8'), new RegExp(`^${child.pid}$`, 'm'));
    assert.ok((await group.usage()).memoryBytes > 0);
    assert.equal(await group.oomKills(), 0);

    await tree.removeSandboxGroup(group);
    await exited;
    for (const file of group.procsFiles) await assert.rejects(access(dirname(file)), { code: 'ENOENT' });
  });

  it('removes its parent groups on dispose', async () => {
    const other = await CgroupTree.create(hierarchy, `${nodeId}-dispose`);
    const group = await other.createSandboxGroup('sb');
    const parents = group.procsFiles.map((file) => dirname(dirname(file)));
    await other.dispose();
    for (const parent of parents) await assert.rejects(access(parent), { code: 'ENOENT' });
  });

  it('refuses a limit the kernel rejects instead of running unlimited', async () => {
    const group = await tree.createSandboxGroup('sb-bad');
    await assert.rejects(group.setLimits({ memoryBytes: -5, cpuShares: 1024, pidsMax: 64 }));
    await tree.removeSandboxGroup(group);
  });
});

