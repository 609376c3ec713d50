import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SandboxFixture } from '../sandbox-fixture.js';
import { bubblewrapSkipReason } from '../strict-requirements.js';

const NOBODY = '65534';

/** Runs as "nobody": creates a driver, boots a sandbox, probes it, prints what it saw as JSON. */
function scriptFor(fixture: SandboxFixture, bundlePath: string): string {
  const dist = (path: string) => new URL(path, import.meta.url).pathname;
  return `
import { BubblewrapDriver } from '${dist('../../../../src/runtime/sandbox/bubblewrap/bubblewrap-driver.js')}';
import { ProbeClient } from '${dist('../probe-instance.js')}';
const driver = await BubblewrapDriver.create({ instanceScript: '${fixture.instanceScript}' });
try {
  const sandbox = await driver.spawn({ memoryMb: 128 });
  const client = new ProbeClient(sandbox.channel);
  await client.ready;
  const assign = (network) => sandbox.assign({ app: 'a', version: 1, functionName: 'f', bundlePath: '${bundlePath}', memoryMb: 128, cpuShares: 0, network, env: {} });
  const refusedNone = await assign('none').then(() => false, () => true);
  const { bundlePath } = await assign('outbound');
  const identity = await client.call(bundlePath, { op: 'identity' });
  const shadow = await client.call(bundlePath, { op: 'read', path: '/etc/shadow' });
  await client.call(bundlePath, { op: 'spin', ms: 100, threads: 1 });
  const usage = await sandbox.usage();
  sandbox.kill('done');
  const exit = await sandbox.exited;
  console.log(JSON.stringify({ isolation: driver.isolation, network: driver.networkMode, refusedNone, identity, shadow, usage, exit }));
} finally {
  await driver.dispose();
}
`;
}

/**
 * The same driver started by an ordinary user: user namespaces instead of
 * root, no cgroups and no nftables, so it reports itself as 'basic' and
 * says no to a policy it cannot enforce.
 */
describe('bubblewrap driver as an ordinary user', { skip: process.getuid?.() !== 0 ? 'needs root to become an ordinary user' : await bubblewrapSkipReason() }, () => {
  let fixture: SandboxFixture;
  before(async () => {
    fixture = await SandboxFixture.create();
    await chmod(fixture.dir, 0o755);
    await chmod(fixture.instanceScript, 0o644);
    await chmod(fixture.bundlesDir, 0o755);
  });
  after(() => fixture?.close());

  it('boots a sandbox as nobody, falls back to basic isolation, and still reports usage', async () => {
    const bundlePath = await fixture.writeBundle('user.mjs');
    const script = join(fixture.dir, 'as-user.mjs');
    await writeFile(script, scriptFor(fixture, bundlePath), { mode: 0o644 });
    const output = await new Promise<string>((resolve, reject) => {
      execFile('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, script], { env: { PATH: '/usr/bin:/bin', HOME: '/tmp' }, cwd: '/tmp' }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    const seen = JSON.parse(output) as {
      isolation: string; network: string; refusedNone: boolean;
      identity: { value: { uid: number } }; shadow: { ok: boolean };
      usage: { cpuMicros: number; rssBytes: number }; exit: { signal: string };
    };
    assert.equal(seen.isolation, 'basic');
    assert.equal(seen.network, 'host');
    assert.equal(seen.refusedNone, true);
    assert.equal(seen.identity.value.uid, 65534);
    assert.equal(seen.shadow.ok, false);
    assert.ok(seen.usage.cpuMicros > 0 && seen.usage.rssBytes > 0, JSON.stringify(seen.usage));
    assert.equal(seen.exit.signal, 'SIGKILL');
  });
});
