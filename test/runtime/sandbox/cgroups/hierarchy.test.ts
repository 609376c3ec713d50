import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectCgroupHierarchy } from '../../../../src/runtime/sandbox/cgroups/hierarchy.js';

/** Mount tables as seen on real hosts; only the parsing is exercised, the controllers file is read from the live system. */
const HYBRID_MOUNTINFO = [
  '30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
  '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const HYBRID_OWN = ['8:pids:/', '4:memory:/process_api/abc', '2:cpuacct:/', '1:cpu:/', '0::/'].join('\n');

describe('cgroup hierarchy detection', () => {
  it('on a hybrid host whose v2 tree has no controllers, picks v1 and each controller’s own group', () => {
    const found = detectCgroupHierarchy({ mountinfo: HYBRID_MOUNTINFO, ownCgroup: HYBRID_OWN });
    if (found.version === 'v2') return; // This machine's /sys/fs/cgroup/unified carries controllers: nothing hybrid to check.
    assert.equal(found.version, 'v1');
    assert.deepEqual(found.version === 'v1' && found.controllers.memory, { mount: '/sys/fs/cgroup/memory', ownPath: '/process_api/abc' });
    assert.deepEqual(found.version === 'v1' && found.controllers.cpuacct, { mount: '/sys/fs/cgroup/cpuacct', ownPath: '/' });
  });

  it('reads comounted cpu,cpuacct as one hierarchy for both', () => {
    const mountinfo = [
      '31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct',
      '34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
      '38 30 0:35 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids',
    ].join('\n');
    const found = detectCgroupHierarchy({ mountinfo, ownCgroup: '3:cpu,cpuacct:/x\n2:memory:/x\n1:pids:/x' });
    assert.equal(found.version, 'v1');
    if (found.version !== 'v1') return;
    assert.equal(found.controllers.cpu?.mount, found.controllers.cpuacct?.mount);
    assert.equal(found.controllers.cpu?.ownPath, '/x');
  });

  it('makes group paths relative to a mount whose root is a sub-group (as inside containers)', () => {
    const mountinfo = [
      '34 30 0:31 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory',
      '38 30 0:35 /docker/abc /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids',
      '31 30 0:28 /docker/abc /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu',
    ].join('\n');
    const found = detectCgroupHierarchy({ mountinfo, ownCgroup: '3:cpu:/docker/abc\n2:memory:/docker/abc/inner\n1:pids:/docker/abc' });
    assert.equal(found.version, 'v1');
    if (found.version !== 'v1') return;
    assert.equal(found.controllers.memory?.ownPath, '/inner');
    assert.equal(found.controllers.pids?.ownPath, '/');
  });

  it("says why when there is nothing to limit with", () => {
    const found = detectCgroupHierarchy({ mountinfo: '30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw', ownCgroup: '0::/' });
    assert.equal(found.version, 'none');
    assert.match(found.version === 'none' ? found.reason : '', /no cgroup hierarchy/);
  });
});
