import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cgroupLimitsFor, DEFAULT_PIDS_MAX, sharesToWeight } from '../../../../src/runtime/sandbox/cgroups/limits.js';

describe('cgroup limits for a function', () => {
  it('caps memory at exactly memoryMb', () => {
    assert.equal(cgroupLimitsFor({ memoryMb: 256 }).memoryBytes, 256 * 1024 * 1024);
  });

  it('gives CPU shares proportional to memory when none are set (128 MiB = the kernel default 1024)', () => {
    assert.equal(cgroupLimitsFor({ memoryMb: 128 }).cpuShares, 1024);
    assert.equal(cgroupLimitsFor({ memoryMb: 512, cpuShares: 0 }).cpuShares, 4096);
    assert.equal(cgroupLimitsFor({ memoryMb: 128, cpuShares: 300 }).cpuShares, 300);
  });

  it('keeps shares inside what the kernel accepts', () => {
    assert.equal(cgroupLimitsFor({ memoryMb: 128, cpuShares: 1 }).cpuShares, 2);
    assert.equal(cgroupLimitsFor({ memoryMb: 1_000_000 }).cpuShares, 262_144);
  });

  it('defaults pids.max with room for Node’s own threads', () => {
    assert.ok(DEFAULT_PIDS_MAX > 7);
    assert.equal(cgroupLimitsFor({ memoryMb: 128 }).pidsMax, DEFAULT_PIDS_MAX);
  });

  it('maps v1 shares to v2 weights the way runc and systemd do', () => {
    assert.equal(sharesToWeight(2), 1);
    assert.equal(sharesToWeight(262_144), 10_000);
    assert.equal(sharesToWeight(1024), 40);
    assert.ok(sharesToWeight(2048) > sharesToWeight(1024));
  });
});
