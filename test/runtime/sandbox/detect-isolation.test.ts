import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectIsolation } from '../../../src/runtime/sandbox/detect-isolation.js';

describe('isolation detection', () => {
  it('says strict only when every part is usable, and otherwise lists what to do', async () => {
    const report = await detectIsolation();
    const everything = report.bubblewrap && report.userNamespaces && report.cgroups !== 'none' && report.network === 'nftables';
    assert.equal(report.level, everything ? 'strict' : 'basic');
    assert.equal(report.missing.length === 0, everything);
    for (const line of report.missing) assert.match(line, /^[a-z]/);
  });

  it('is strict on CI machines and here (root, Debian, bubblewrap + nftables + iproute2)', { skip: process.getuid?.() === 0 ? false : 'needs root' }, async () => {
    const report = await detectIsolation();
    assert.deepEqual(report.missing, []);
    assert.equal(report.level, 'strict');
  });
});
