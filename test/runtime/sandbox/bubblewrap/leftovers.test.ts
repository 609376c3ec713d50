import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { detectCgroupHierarchy } from '../../../../src/runtime/sandbox/cgroups/hierarchy.js';
import { v1ParentDir } from '../../../../src/runtime/sandbox/cgroups/v1-cgroup.js';
import { OWNERS_DIR } from '../../../../src/runtime/sandbox/owners.js';
import { admin } from '../../../helpers/admin-client.js';
import { bundleFiles } from '../../../helpers/bundle.js';
import { startNodeProcess, type NodeProcess } from '../../../helpers/node-process.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';
import { strictSkipReason } from '../strict-requirements.js';

const APP = `
import { http } from 'nimbus-functions';
export const hello = http({ route: 'GET /hello' }, () => 'hi');
`;

function nftTables(): string[] {
  return execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** The node's cgroup directories (one per v1 controller, or the v2 group). */
function cgroupTrees(tag: string): string[] {
  const hierarchy = detectCgroupHierarchy();
  const dirs = hierarchy.version === 'v1'
    ? Object.values(hierarchy.controllers).map((place) => v1ParentDir(place, `nimbus/${tag}`))
    : hierarchy.version === 'v2' ? [join(hierarchy.mount, hierarchy.ownPath, 'nimbus', tag), join(hierarchy.mount, 'nimbus', tag)] : [];
  return [...new Set(dirs)].filter((dir) => existsSync(dir));
}

/** Sandbox groups inside the node's cgroup directories. */
function sandboxGroups(tag: string): string[] {
  return cgroupTrees(tag).flatMap((dir) => readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name)));
}

function stateDirs(tag: string): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(`nimbus-sandboxes-${tag}-`));
}

function leftovers(tag: string): { table: boolean; stateDirs: number; cgroups: number; owner: boolean } {
  return {
    table: nftTables().some((line) => line.endsWith(` nimbus_${tag}`)),
    stateDirs: stateDirs(tag).length,
    cgroups: cgroupTrees(tag).length,
    owner: existsSync(`${OWNERS_DIR}/${tag}`),
  };
}

describe('a node killed with SIGKILL under strict isolation', { skip: await strictSkipReason() }, () => {
  const data = makeTempDir('nimbus-leftovers-');
  const apps = makeTempDir('nimbus-leftovers-app-');
  let node: NodeProcess | undefined;
  after(async () => {
    if (node && node.child.exitCode === null && node.child.signalCode === null) await node.stop();
    data.remove();
    apps.remove();
  });

  it('leaves its table, cgroups and sandbox folder, and the next start on the host removes them and dead owners\' records', async () => {
    node = await startNodeProcess(data.dir, { NIMBUS_ISOLATION: 'strict' });
    const { bundle, sourceMap } = await bundleFiles(`${apps.dir}/hello`, { 'index.ts': APP });
    const deployed = await admin({ url: node.url, adminKey: node.adminKey }, 'POST', '/apps/hello/versions', { bundle, sourceMap });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    assert.equal(await (await fetch(`${node.url}/hello`)).text(), 'hi');
    // The same tag selectDriver derives from the data folder's node id.
    const tag = readFileSync(`${data.dir}/node-id`, 'utf8').trim().replace(/[^A-Za-z0-9_]/g, '_').slice(0, 24);
    const running = leftovers(tag);
    assert.deepEqual({ ...running, cgroups: running.cgroups > 0 }, { table: true, stateDirs: 1, cgroups: true, owner: true });

    const oldStateDirs = stateDirs(tag);
    const oldGroups = sandboxGroups(tag);
    assert.ok(oldGroups.length > 0, 'the instance and the warm pool have sandbox groups');
    await node.kill9();
    // Nothing ran its cleanup: everything is still there.
    assert.equal(leftovers(tag).table, true);
    assert.deepEqual(stateDirs(tag), oldStateDirs);

    // A record whose process is gone (this pid, but not its start time) and that owns nothing any more.
    const deadOwner = `gone_${process.pid}`;
    writeFileSync(`${OWNERS_DIR}/${deadOwner}`, `${process.pid} 1\n`);

    // The node comes back on the same data folder: it reaps its own earlier run's leftovers before making new ones.
    node = await startNodeProcess(data.dir, { NIMBUS_ISOLATION: 'strict' });
    assert.equal(await (await fetch(`${node.url}/hello`)).text(), 'hi');
    assert.equal(stateDirs(tag).length, 1, 'only the new run\'s sandbox folder');
    assert.ok(!stateDirs(tag).includes(oldStateDirs[0]!), 'the killed run\'s sandbox folder is gone');
    for (const group of oldGroups) assert.equal(existsSync(group), false, `${group} is gone`);
    assert.equal(existsSync(`${OWNERS_DIR}/${deadOwner}`), false, 'the dead owner\'s record is gone');

    assert.equal(await node.stop(), 0);
    assert.deepEqual(leftovers(tag), { table: false, stateDirs: 0, cgroups: 0, owner: false });
  });
});
