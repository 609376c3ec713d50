import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BubblewrapDriver } from '../../../../src/runtime/sandbox/bubblewrap/bubblewrap-driver.js';
import type { ProbeAnswer } from '../probe-instance.js';
import { SandboxFixture, type StartedSandbox } from '../sandbox-fixture.js';
import { strictSkipReason } from '../strict-requirements.js';

const TMP_CAP_MB = 8;

/** The answer was a refusal with one of `codes`. */
function assertRefused(answer: ProbeAnswer, codes: string[]): void {
  assert.equal(answer.ok, false, `expected a refusal, got ${JSON.stringify(answer)}`);
  assert.ok(codes.includes((answer as { code: string }).code), `expected ${codes.join('|')}, got ${JSON.stringify(answer)}`);
}

/**
 * What code inside a strict sandbox cannot reach on the host's file system
 * and process table. The permission model is off here on purpose: these
 * are the operating system's refusals, not Node's.
 */
describe('bubblewrap sandbox: files, processes and environment', { skip: await strictSkipReason() }, () => {
  let fixture: SandboxFixture;
  let driver: BubblewrapDriver;
  let sandbox: StartedSandbox;
  let neighbour: StartedSandbox;
  let dataFile: string;

  before(async () => {
    process.env.NIMBUS_ESCAPE_MARKER = 'host-only';
    fixture = await SandboxFixture.create();
    dataFile = join(fixture.dir, 'data-folder-secret.txt');
    await writeFile(dataFile, 'host data', { mode: 0o644 });
    driver = await BubblewrapDriver.create({ instanceScript: fixture.instanceScript, permissionModel: false, tmpMb: TMP_CAP_MB });
    sandbox = await fixture.start(driver, { network: 'none' });
    neighbour = await fixture.start(driver, { network: 'none', bundlePath: await fixture.writeBundle('neighbour-app.mjs') });
  });
  after(async () => {
    delete process.env.NIMBUS_ESCAPE_MARKER;
    await driver?.dispose();
    await fixture?.close();
  });

  it('runs as uid/gid 65534 with no capabilities', async () => {
    const identity = await sandbox.probe('identity');
    assert.deepEqual({ ...(identity as { value: object }).value, pid: 0 }, { uid: 65534, gid: 65534, pid: 0 });
    const status = (await sandbox.probe('status')) as { value: string };
    assert.match(status.value, /^CapEff:\s+0+$/m);
    assert.match(status.value, /^CapBnd:\s+0+$/m);
    assert.match(status.value, /^NoNewPrivs:\s+1$/m);
  });

  it('cannot read /etc/shadow or any other host file outside what it was given', async () => {
    for (const path of ['/etc/shadow', '/etc/passwd-', '/root', '/home', '/work', '/var/lib', '/run/netns']) {
      assertRefused(await sandbox.probe('read', { path }), ['ENOENT', 'EISDIR', 'EACCES']);
    }
    // /etc is Nimbus's own, generated: no host users in it.
    const passwd = (await sandbox.probe('read', { path: '/etc/passwd' })) as { value: string };
    assert.equal(passwd.value.trim().split('\n').length, 1);
  });

  it('cannot read a file of the data folder, by its host path or any other', async () => {
    assertRefused(await sandbox.probe('read', { path: dataFile }), ['ENOENT']);
    assertRefused(await sandbox.probe('list', { path: fixture.dir }), ['ENOENT']);
  });

  it("cannot read another sandbox's bundle", async () => {
    const mine = (await sandbox.probe('list', { path: '/app' })) as { value: string[] };
    assert.equal(mine.value.length, 1);
    assert.ok(!mine.value.includes('neighbour-app.mjs'));
    assertRefused(await sandbox.probe('read', { path: '/app/neighbour-app.mjs' }), ['ENOENT']);
    assertRefused(await sandbox.probe('read', { path: join(fixture.bundlesDir, 'neighbour-app.mjs') }), ['ENOENT']);
  });

  it('cannot write outside /tmp', async () => {
    for (const path of ['/app/injected.mjs', '/nimbus/injected', '/etc/hosts', '/injected', '/usr/bin/node']) {
      assertRefused(await sandbox.probe('write', { path, bytes: 1 }), ['EROFS', 'EACCES', 'EPERM', 'ENOENT']);
    }
    assert.deepEqual(await sandbox.probe('write', { path: '/tmp/scratch', bytes: 1024 }), { ok: true, value: 1024 });
  });

  it('gets ENOSPC when /tmp is filled past its cap', async () => {
    assertRefused(await sandbox.probe('write', { path: '/tmp/fill', bytes: (TMP_CAP_MB + 1) * 1024 * 1024 }), ['ENOSPC']);
  });

  it('sees only its own processes in /proc', async () => {
    const pids = (await sandbox.probe('pids')) as { value: number[] };
    assert.ok(!pids.value.includes(process.pid) || process.pid <= 3, 'the host test process is visible');
    assert.ok(pids.value.length <= 3, `sandbox sees ${pids.value.length} processes`);
    assert.ok(pids.value.every((pid) => pid <= 3));
  });

  it("cannot read the host's environment variables", async () => {
    const env = (await sandbox.probe('env')) as { value: Record<string, string> };
    assert.equal(env.value.NIMBUS_ESCAPE_MARKER, undefined);
    assert.deepEqual(Object.keys(env.value).sort(), ['HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR']);
    assertRefused(await sandbox.probe('read', { path: `/proc/${process.pid}/environ` }), ['ENOENT', 'EACCES']);
  });

  it('has core dumps disabled, hard limit included', async () => {
    const limits = (await sandbox.probe('limits')) as { value: string };
    assert.match(limits.value, /^Max core file size\s+0\s+0\s/m);
  });
});

describe('bubblewrap sandbox: the permission model stays compatible with bundles', { skip: await strictSkipReason() }, () => {
  let fixture: SandboxFixture;
  let driver: BubblewrapDriver;
  before(async () => {
    fixture = await SandboxFixture.create();
    driver = await BubblewrapDriver.create({ instanceScript: fixture.instanceScript, permissionModel: true });
  });
  after(async () => {
    await driver?.dispose();
    await fixture?.close();
  });

  it('imports the bundle and writes /tmp, and refuses reads elsewhere inside the sandbox', async () => {
    const { probe } = await fixture.start(driver, { network: 'none' });
    assert.deepEqual(await probe('write', { path: '/tmp/ok', bytes: 10 }), { ok: true, value: 10 });
    assertRefused(await probe('read', { path: '/etc/hosts' }), ['ERR_ACCESS_DENIED']);
    assertRefused(await probe('fork', { count: 1 }), ['ERR_ACCESS_DENIED']);
  });
});
