import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INSTANCE_SAMPLE_INTERVAL_MS, INSTANCE_SAMPLES_KEPT, InstanceSampler } from '../../src/metering/instance-sampler.js';
import { FakeClock } from '../helpers/fake-clock.js';

test('the sampler counts running instances every 10 s on its clock and keeps the last hour', async () => {
  const clock = new FakeClock('2026-03-01T10:00:00Z');
  const start = clock.now();
  let running = 0;
  const sampler = new InstanceSampler(clock, () => running);
  sampler.start();
  assert.deepEqual(sampler.samples(), [{ t: start, running: 0 }], 'a sample at start');
  running = 3;
  await clock.advance(INSTANCE_SAMPLE_INTERVAL_MS);
  running = 1;
  await clock.advance(INSTANCE_SAMPLE_INTERVAL_MS);
  assert.deepEqual(sampler.samples(), [{ t: start, running: 0 }, { t: start + 10_000, running: 3 }, { t: start + 20_000, running: 1 }]);
  assert.deepEqual(sampler.samples(start + 10_000).map((s) => s.running), [3, 1], 'from a time on');
  assert.deepEqual(sampler.current(), { t: start + 20_000, running: 1 });

  // Two hours on, only the last hour's 360 samples are kept, oldest first.
  await clock.advance(2 * 3_600_000);
  const kept = sampler.samples();
  assert.equal(kept.length, INSTANCE_SAMPLES_KEPT);
  assert.ok(kept.every((s, i) => i === 0 || s.t - kept[i - 1]!.t === INSTANCE_SAMPLE_INTERVAL_MS), 'oldest first, 10 s apart');
  assert.equal(kept.at(-1)!.t, clock.now() - (clock.now() - start) % INSTANCE_SAMPLE_INTERVAL_MS);
  assert.ok(kept[0]!.t > clock.now() - 3_600_000);

  sampler.stop();
  assert.equal(clock.pendingTimers, 0, 'stopping leaves no timer');
  await clock.advance(60_000);
  assert.equal(sampler.samples().length, INSTANCE_SAMPLES_KEPT, 'and takes no more samples');
});
