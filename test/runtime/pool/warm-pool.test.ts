import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REFILL_DELAY_MS, WarmPool } from '../../../src/runtime/pool/warm-pool.js';
import { FRAME, encodeJsonFrame } from '../../../src/runtime/instance/protocol.js';
import type { SandboxDriver, SandboxShape } from '../../../src/runtime/sandbox/driver.js';
import { FakeSandbox } from './fake-sandbox.js';
import { FakeClock, settle } from '../../helpers/fake-clock.js';

/** A driver whose sandboxes boot when the test says: each spawn is recorded, READY is sent by `boot`. */
function fakeDriver(): { driver: SandboxDriver; spawned: { shape: SandboxShape; sandbox: FakeSandbox }[]; boot: (i: number) => void } {
  const spawned: { shape: SandboxShape; sandbox: FakeSandbox }[] = [];
  const driver: SandboxDriver = {
    name: 'fake', isolation: 'basic', acceptsNetworkNone: false,
    async spawn(shape) {
      const sandbox = new FakeSandbox();
      spawned.push({ shape, sandbox });
      return sandbox;
    },
    async dispose() {},
  };
  return { driver, spawned, boot: (i) => spawned[i]!.sandbox.fromInstance(encodeJsonFrame(FRAME.READY, 0, { pid: i + 1 })) };
}

test('a starting pool boots one sandbox per shape first, serves once those are ready, then fills the rest', async () => {
  const { driver, spawned, boot } = fakeDriver();
  const clock = new FakeClock();
  const pool = new WarmPool(driver, { sizePerShape: 3, initialShapes: [128, 256] }, () => {}, () => {}, undefined, clock);
  const started = pool.start();
  const seen = { launched: false, serving: false, filled: false };
  for (const key of ['launched', 'serving', 'filled'] as const) void started[key].then(() => (seen[key] = true));

  await started.launched;
  assert.deepEqual(spawned.map((s) => s.shape.memoryMb), [128, 256], 'one of each shape first');
  boot(0);
  await settle();
  assert.equal(seen.serving, false, 'serving waits for every shape');
  boot(1);
  await started.serving;
  assert.deepEqual(pool.stats(), [{ memoryMb: 128, ready: 1 }, { memoryMb: 256, ready: 1 }]);
  await clock.advance(REFILL_DELAY_MS - 1);
  assert.equal(spawned.length, 2, 'the rest waits a moment after serving');

  await clock.advance(1);
  await settle();
  assert.equal(spawned.length, 6, 'the rest spawned');
  assert.equal(seen.filled, false);
  for (let i = 2; i < 6; i++) boot(i);
  await started.filled;
  assert.deepEqual(pool.stats(), [{ memoryMb: 128, ready: 3 }, { memoryMb: 256, ready: 3 }]);
  await pool.close();
  assert.ok(spawned.every((s) => s.sandbox.killedFor !== null), 'close stops every pooled sandbox');
});

test('a pool closed while its sandboxes boot stops them at once, waits for them to exit, and fills nothing more', async () => {
  const { driver, spawned } = fakeDriver();
  const failures: Error[] = [];
  const pool = new WarmPool(driver, { sizePerShape: 2, initialShapes: [128] }, () => {}, (err) => failures.push(err));
  const started = pool.start();
  await started.launched;
  await pool.close();
  assert.equal(spawned[0]!.sandbox.killedFor, 'the node is shutting down', 'stopped without waiting for READY');
  await started.filled;
  assert.equal(spawned.length, 1, 'nothing spawned after close');
  assert.deepEqual(failures, [], 'a sandbox stopped by close is no spawn failure');

  const second = fakeDriver();
  const full = new WarmPool(second.driver, { sizePerShape: 2, initialShapes: [128] }, () => {});
  const filling = full.start();
  second.boot(0);
  await filling.serving;
  await full.close();
  await filling.filled;
  assert.equal(second.spawned.length, 1, 'the rest is never started');
  assert.equal(second.spawned[0]!.sandbox.killedFor, 'the node is shutting down');
});

test('with the pool off, start serves at once and spawns nothing', async () => {
  const { driver, spawned } = fakeDriver();
  const pool = new WarmPool(driver, { sizePerShape: 0, initialShapes: [128] }, () => {});
  const started = pool.start();
  await Promise.all([started.launched, started.serving, started.filled]);
  assert.equal(spawned.length, 0);
});
