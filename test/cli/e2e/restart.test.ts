import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, nimbusAt, NimbusProcess } from '../support/nimbus-process.js';
import { runNimbus } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-app.js';

// A node that dies without any chance to clean up comes back from its data folder alone.

const app = (v: number): string => `import { http } from 'nimbus-functions';
export const version = http('GET /which', () => new Response('v${v}'));
export const pid = http('GET /pid', () => new Response(String(process.pid)));
`;

test('after SIGKILL, nimbus start on the same data folder serves the app again with the same versions and admin key', async (t) => {
  const data = await makeTempDir();
  const folder = await makeTempDir({ 'index.ts': app(1) }, 'nimbus-e2e-app-');
  t.after(() => Promise.all([data.remove(), folder.remove()]));

  const first = new NimbusProcess(['start', '--port', '0', '--data', data.path], { cwd: data.path });
  t.after(() => first.kill());
  const firstUrl = await first.url();
  const key = await first.adminKey();
  const before = nimbusAt(firstUrl, key, folder.path);
  assert.equal((await before(['deploy', folder.path, '--app', 'kept'])).code, 0);
  await folder.write('index.ts', app(2));
  assert.equal((await before(['deploy', folder.path, '--app', 'kept'])).code, 0);
  const rollback = await before(['rollback', 'kept']);
  assert.equal(rollback.code, 0, rollback.stderr);
  assert.equal(await (await fetch(`${firstUrl}/which`)).text(), 'v1');
  const versionsBefore = await before(['versions', 'kept', '--json']);
  assert.equal(versionsBefore.code, 0, versionsBefore.stderr);

  const instancePid = Number(await (await fetch(`${firstUrl}/pid`)).text());

  assert.deepEqual(await first.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
  await eventually('the killed node\'s instance to exit too', () => !isAlive(instancePid));

  const second = new NimbusProcess(['start', '--port', '0', '--data', data.path], { cwd: data.path });
  t.after(() => second.kill());
  const secondUrl = await second.url();
  await second.waitForStdout(/Press Ctrl\+C to stop\./);
  assert.doesNotMatch(second.stdout, /^Admin key \(/m, 'the existing key is kept, not regenerated');

  assert.equal(await (await fetch(`${secondUrl}/which`)).text(), 'v1', 'the live version is the one live at the kill');
  const after = nimbusAt(secondUrl, key, folder.path);
  const versionsAfter = await after(['versions', 'kept', '--json']);
  assert.equal(versionsAfter.code, 0, versionsAfter.stderr);
  assert.deepEqual(JSON.parse(versionsAfter.stdout), JSON.parse(versionsBefore.stdout));

  // The key file the first start wrote still opens the admin API without --key.
  const byKeyFile = await runNimbus(['rollback', 'kept', '--to', '2'], { cwd: folder.path, env: { NIMBUS_URL: secondUrl, NIMBUS_DATA: data.path } });
  assert.equal(byKeyFile.code, 0, byKeyFile.stderr);
  assert.equal(await (await fetch(`${secondUrl}/which`)).text(), 'v2');
  assert.equal((await runNimbus(['ls'], { cwd: folder.path, env: { NIMBUS_URL: secondUrl, NIMBUS_ADMIN_KEY: 'wrong' } })).code, 1, 'a wrong key is refused');

  assert.deepEqual(await second.stop(), { code: 0, signal: null });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
