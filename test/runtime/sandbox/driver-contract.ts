import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SandboxDriver } from '../../../src/runtime/sandbox/driver.js';
import { SandboxFixture } from './sandbox-fixture.js';

export interface DriverContractOptions {
  name: string;
  /** Builds the driver under test around the fixture's instance runtime and bundle folder. */
  makeDriver: (paths: { instanceScript: string; bundlesDir: string }) => Promise<SandboxDriver>;
  /** A reason to skip the whole suite (e.g. bubblewrap missing), stated in the test output. */
  skip?: string | false;
}

/** What every sandbox driver promises the warm pool and function pools, run against each implementation. */
export function runDriverContract({ name, makeDriver, skip }: DriverContractOptions): void {
  describe(`sandbox driver contract: ${name}`, { skip: skip || false }, () => {
    let fixture: SandboxFixture;
    let driver: SandboxDriver;
    const hostMarker = `host-secret-${process.pid}`;

    before(async () => {
      process.env.NIMBUS_TEST_HOST_MARKER = hostMarker;
      fixture = await SandboxFixture.create();
      driver = await makeDriver({ instanceScript: fixture.instanceScript, bundlesDir: fixture.bundlesDir });
    });
    after(async () => {
      delete process.env.NIMBUS_TEST_HOST_MARKER;
      await driver?.dispose();
      await fixture?.close();
    });

    it('boots a generic sandbox whose instance says READY on the fd 3 channel', async () => {
      const { sandbox, client } = await fixture.start(driver);
      const ready = await client.ready;
      assert.equal(ready.ready, true);
      assert.ok(sandbox.pid > 0);
      assert.deepEqual(sandbox.shape, { memoryMb: 128 });
      sandbox.kill('test over');
      await sandbox.exited;
    });

    it('makes the assigned bundle importable at the path assign() returns', async (t) => {
      const { sandbox, probe, bundlePath } = await fixture.start(driver);
      t.after(() => sandbox.kill('test over'));
      assert.match(bundlePath, /\.mjs$/);
      assert.deepEqual(await probe('echo', { value: { answer: 42 } }), { ok: true, value: { answer: 42 } });
    });

    it('returns the source map path when one is stored', async (t) => {
      const sandbox = await driver.spawn({ memoryMb: 128 });
      t.after(() => sandbox.kill('test over'));
      const bundle = await fixture.writeBundle('mapped.mjs', 'export default () => 1;\n//# sourceMappingURL=mapped.mjs.map\n');
      const map = await fixture.writeBundle('mapped.mjs.map', '{"version":3,"sources":[],"mappings":""}');
      const placed = await sandbox.assign({
        app: 'a', version: 1, functionName: 'f', bundlePath: bundle, sourceMapPath: map,
        memoryMb: 128, cpuShares: 0, network: 'outbound', env: {},
      });
      assert.ok(placed.sourceMapPath?.endsWith('mapped.mjs.map'));
    });

    it('passes nothing of the host environment to the instance', async (t) => {
      const { sandbox, probe } = await fixture.start(driver);
      t.after(() => sandbox.kill('test over'));
      const answer = await probe('env');
      assert.equal(answer.ok, true);
      const env = (answer as { value: Record<string, string> }).value;
      assert.equal(env.NIMBUS_TEST_HOST_MARKER, undefined);
      assert.ok(!Object.values(env).includes(hostMarker));
    });

    it('reports CPU time that grows with work', async (t) => {
      const { sandbox, probe } = await fixture.start(driver);
      t.after(() => sandbox.kill('test over'));
      const before = await sandbox.usage();
      await probe('spin', { ms: 200, threads: 1 });
      const afterWork = await sandbox.usage();
      assert.ok(afterWork.cpuMicros > before.cpuMicros, `${afterWork.cpuMicros} > ${before.cpuMicros}`);
      assert.ok(afterWork.rssBytes > 0);
    });

    it('kill() ends the sandbox with SIGKILL and the reason given', async () => {
      const { sandbox } = await fixture.start(driver);
      sandbox.kill('idle too long');
      const exit = await sandbox.exited;
      assert.equal(exit.signal, 'SIGKILL');
      assert.equal(exit.reason, 'idle too long');
      assert.equal(exit.outOfMemory, false);
    });

    it('kill(reason, true) is reported as out of memory', async () => {
      const { sandbox } = await fixture.start(driver);
      sandbox.kill('watchdog: memory', true);
      const exit = await sandbox.exited;
      assert.equal(exit.outOfMemory, true);
      assert.equal(exit.reason, 'watchdog: memory');
    });

    it('reports the exit code of an instance that exits on its own', async () => {
      const { sandbox, probe } = await fixture.start(driver);
      await probe('exit', { code: 3 });
      const exit = await sandbox.exited;
      assert.equal(exit.code, 3);
      assert.equal(exit.signal, null);
    });

    it('recognises a JavaScript heap exhaustion as out of memory', async () => {
      const { sandbox, probe } = await fixture.start(driver, {}, 64);
      void probe('heap');
      const exit = await sandbox.exited;
      assert.equal(exit.outOfMemory, true);
    });
  });
}
