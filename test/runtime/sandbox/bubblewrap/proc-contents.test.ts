import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BubblewrapDriver } from '../../../../src/runtime/sandbox/bubblewrap/bubblewrap-driver.js';
import { BWRAP_ARGS_FD } from '../../../../src/runtime/sandbox/bubblewrap/launcher.js';
import { SandboxFixture } from '../sandbox-fixture.js';
import { strictSkipReason } from '../strict-requirements.js';

/** dist/test/runtime/sandbox/bubblewrap → the repository (or worktree) the tests run from. */
const REPOSITORY = fileURLToPath(new URL('../../../../../', import.meta.url)).replace(/\/$/, '');
const HOST_MARKER = 'host-only-proc-marker-5f1c';

/** Reads what it can of every process visible in /proc, itself and its threads included. */
const PROC_BUNDLE = `
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
const read = (path) => { try { return readFileSync(path, 'latin1'); } catch { return null; } };
const link = (path) => { try { return readlinkSync(path); } catch { return null; } };
export default () => {
  const pids = readdirSync('/proc').filter((name) => /^\\d+$/.test(name));
  const threads = pids.flatMap((pid) => { try { return readdirSync('/proc/' + pid + '/task').map((tid) => pid + '/task/' + tid); } catch { return []; } });
  const files = {};
  for (const entry of [...pids, ...threads, 'self', 'thread-self']) {
    for (const name of ['cmdline', 'environ', 'mountinfo', 'mounts', 'maps', 'status', 'stat', 'comm', 'cgroup']) files[entry + '/' + name] = read('/proc/' + entry + '/' + name);
    for (const name of ['cwd', 'root', 'exe']) files[entry + '/' + name] = link('/proc/' + entry + '/' + name);
  }
  return { pids, files };
};
`;

/**
 * What a function reads in /proc of a strict sandbox: PID 1 there is bwrap's
 * init, which shows bwrap's command line and the environment it started with.
 * The permission model is off, as in escape-files.test.ts: this is the
 * operating system's answer, not Node's.
 */
describe('bubblewrap sandbox: /proc shows no host path and no host environment', { skip: await strictSkipReason() }, () => {
  let fixture: SandboxFixture;
  let driver: BubblewrapDriver;
  let seen: { pids: string[]; files: Record<string, string | null> };

  before(async () => {
    process.env['NIMBUS_PROC_MARKER'] = HOST_MARKER;
    fixture = await SandboxFixture.create();
    driver = await BubblewrapDriver.create({ instanceScript: fixture.instanceScript, permissionModel: false });
    const { probe } = await fixture.start(driver, { network: 'none', bundlePath: await fixture.writeBundle('proc-probe.mjs', PROC_BUNDLE) });
    const answer = await probe('unused');
    assert.equal(answer.ok, true, JSON.stringify(answer));
    seen = (answer as { value: typeof seen }).value;
  });
  after(async () => {
    delete process.env['NIMBUS_PROC_MARKER'];
    await driver?.dispose();
    await fixture?.close();
  });

  it("PID 1 (bwrap's init) is readable, with an empty environment and its options kept off its command line", () => {
    assert.ok(seen.pids.includes('1'), `pids: ${seen.pids.join(' ')}`);
    assert.equal(seen.files['1/environ'], '');
    const cmdline = seen.files['1/cmdline']!.split('\0').filter(Boolean);
    assert.match(cmdline[0]!, /bwrap$/);
    assert.deepEqual(cmdline.slice(1, 3), ['--args', String(BWRAP_ARGS_FD)]);
    assert.ok(!cmdline.some((arg) => arg.startsWith('--ro-bind') || arg.startsWith('--setenv')), cmdline.join(' '));
  });

  it('no process shows the data folder, the bundles folder or the repository', () => {
    const forbidden = [fixture.dir, fixture.bundlesDir, REPOSITORY];
    let read = 0;
    for (const [entry, text] of Object.entries(seen.files)) {
      if (text === null) continue;
      read++;
      for (const path of forbidden) assert.ok(!text.includes(path), `/proc/${entry} shows ${path}:\n${text}`);
    }
    assert.ok(read > 20, `read only ${read} /proc entries`);
  });

  it("no process's environment holds anything of the host's", () => {
    const instanceEnv = new Set(['HOME', 'TMPDIR', 'PATH', 'LANG', 'PWD']);
    for (const [entry, text] of Object.entries(seen.files)) {
      if (text === null) continue;
      assert.ok(!text.includes(HOST_MARKER), `/proc/${entry} shows a host environment variable`);
      if (!entry.endsWith('/environ')) continue;
      for (const variable of text.split('\0').filter(Boolean)) {
        assert.ok(instanceEnv.has(variable.slice(0, variable.indexOf('='))), `/proc/${entry} has ${variable}`);
      }
    }
  });
});
