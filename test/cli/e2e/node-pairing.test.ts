import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NimbusProcess } from '../support/nimbus-process.js';
import { lines, runNimbus } from '../support/run-cli.js';
import { makeTempDir, type TempDir } from '../support/temp-app.js';

// Two real nodes on two ports, each started in its own folder: the CLI run in a folder talks to that folder's node.

const appSource = (text: string) => `import { http } from 'nimbus-functions';\nexport const hi = http({}, () => ${JSON.stringify(text)});\n`;

async function nodeIn(t: { after(fn: () => Promise<unknown>): void }, name: string): Promise<{ dir: TempDir; node: NimbusProcess; url: string }> {
  const dir = await makeTempDir({ [`${name}/index.js`]: appSource(name) });
  t.after(() => dir.remove());
  const node = new NimbusProcess(['start', '--port', '0'], { cwd: dir.path });
  t.after(() => node.kill());
  const url = await node.url();
  await node.waitForStdout(/Press Ctrl\+C to stop\./);
  return { dir, node, url };
}

test('the CLI run in a data folder\'s folder talks to that folder\'s node, with its key, without --url', async (t) => {
  const alpha = await nodeIn(t, 'alpha');
  const beta = await nodeIn(t, 'beta');
  assert.notEqual(alpha.url, beta.url);

  for (const { dir, node, url } of [alpha, beta]) {
    assert.equal(readFileSync(join(dir.path, '.nimbus', 'url'), 'utf8').trim(), url, 'the node records its URL beside its key');
    assert.match(node.stdout, new RegExp(`^The CLI run in ${dir.path} talks to this node \\(its URL is in ${join(dir.path, '.nimbus', 'url')}\\)\\.$`, 'm'));
  }

  // No NIMBUS_URL, no --url, no key: only the folder says which node.
  for (const [{ dir }, app] of [[alpha, 'alpha'], [beta, 'beta']] as const) {
    const deploy = await runNimbus(['deploy', app, '--no-typecheck'], { cwd: dir.path });
    assert.equal(deploy.code, 0, deploy.stderr);
  }
  for (const [{ dir, url }, app] of [[alpha, 'alpha'], [beta, 'beta']] as const) {
    const ls = await runNimbus(['ls', '--json'], { cwd: dir.path });
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual((JSON.parse(ls.stdout) as { apps: { name: string }[] }).apps.map((a) => a.name), [app]);
    assert.equal(await (await fetch(`${url}/fn/${app}/hi`)).text(), app);
  }

  // --url beats the folder's url file; NIMBUS_URL too.
  const flagged = await runNimbus(['ls', '--json', '--url', beta.url, '--key', readFileSync(join(beta.dir.path, '.nimbus', 'admin-key'), 'utf8').trim()], { cwd: alpha.dir.path });
  assert.deepEqual((JSON.parse(flagged.stdout) as { apps: { name: string }[] }).apps.map((a) => a.name), ['beta']);

  // The folder's key is never sent to another node.
  const elsewhere = await runNimbus(['ls'], { cwd: alpha.dir.path, env: { NIMBUS_URL: beta.url } });
  assert.equal(elsewhere.code, 1);
  assert.deepEqual(lines(elsewhere.stderr), [
    `nimbus: no admin key for ${beta.url} (from NIMBUS_URL): ${join(alpha.dir.path, '.nimbus', 'admin-key')} belongs to ${alpha.url} (see ${join(alpha.dir.path, '.nimbus', 'url')}); pass --key or set NIMBUS_ADMIN_KEY`,
  ]);
});

test('a rejected key names the node, why that node, and where the key came from', async (t) => {
  const { dir, node, url } = await nodeIn(t, 'gamma');
  const urlFile = join(dir.path, '.nimbus', 'url');

  const fromEnv = await runNimbus(['ls'], { cwd: dir.path, env: { NIMBUS_ADMIN_KEY: 'nbk_admin_wrong' } });
  assert.equal(fromEnv.code, 1);
  assert.deepEqual(lines(fromEnv.stderr), [`nimbus: the node at ${url} (URL from ${urlFile}) rejected the key from NIMBUS_ADMIN_KEY: the key is not valid`]);

  const fromFlag = await runNimbus(['ls', '--url', url, '--key', 'nope'], { cwd: dir.path });
  assert.deepEqual(lines(fromFlag.stderr), [`nimbus: the node at ${url} (URL from --url) rejected the key from --key: the key is not valid`]);

  // A key file that no longer matches its node (replaced by hand, say): the file is named.
  const keyFile = join(dir.path, '.nimbus', 'admin-key');
  writeFileSync(keyFile, 'nbk_admin_stale\n');
  const fromFile = await runNimbus(['ls'], { cwd: dir.path });
  assert.deepEqual(lines(fromFile.stderr), [`nimbus: the node at ${url} (URL from ${urlFile}) rejected the key from ${keyFile}: the key is not valid`]);

  // Once the node is gone, the URL it left behind is named as the one tried.
  assert.deepEqual(await node.stop(), { code: 0, signal: null });
  const gone = await runNimbus(['ls', '--key', 'k'], { cwd: dir.path });
  assert.deepEqual(lines(gone.stderr), [`nimbus: cannot reach Nimbus at ${url}: is it running? (ECONNREFUSED; URL from ${urlFile})`]);
});
