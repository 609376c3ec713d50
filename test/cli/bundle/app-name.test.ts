import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveAppName, sanitiseAppName } from '../../../src/cli/bundle/app-name.js';
import { makeTempDir } from '../support/temp-app.js';

test('the app name is --app, else package.json name without its scope, else the folder name', async (t) => {
  const root = await makeTempDir();
  t.after(() => root.remove());
  const dir = join(root.path, 'Photo_Resizer');
  await mkdir(dir);

  assert.equal(await resolveAppName(dir), 'photo-resizer', 'folder name, made valid');
  await root.write('Photo_Resizer/package.json', JSON.stringify({ name: '@acme/thumbnails' }));
  assert.equal(await resolveAppName(dir), 'thumbnails', 'package.json name beats the folder');
  assert.equal(await resolveAppName(dir, 'explicit'), 'explicit', '--app beats both');
});

test('an explicit --app name is validated as typed, with a clear error', async (t) => {
  const root = await makeTempDir();
  t.after(() => root.remove());
  await assert.rejects(resolveAppName(root.path, 'My App'), /invalid app name "My App" \(from --app\): use 1-63 lower-case letters/);
  await assert.rejects(resolveAppName(root.path, '9lives'), /invalid app name/);
  await assert.rejects(resolveAppName(root.path, `a${'b'.repeat(63)}`), /invalid app name/);
  assert.equal(await resolveAppName(root.path, `a${'b'.repeat(62)}`), `a${'b'.repeat(62)}`);
});

test('derived names are sanitised: lower case, dashes for other characters, a letter first', () => {
  assert.equal(sanitiseAppName('@scope/My.Cool_App'), 'my-cool-app');
  assert.equal(sanitiseAppName('2fast--2furious'), 'fast-2furious');
  assert.equal(sanitiseAppName('x'.repeat(80)), 'x'.repeat(63));
  assert.equal(sanitiseAppName('123'), '', 'nothing valid is left: the caller reports it');
});

test('a derived name that cannot be made valid asks for --app', async (t) => {
  const root = await makeTempDir({ 'package.json': JSON.stringify({ name: '1234' }) });
  t.after(() => root.remove());
  await assert.rejects(resolveAppName(root.path), /from package\.json name "1234".*choose one with --app/);
});
