import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAppFormat, readAppFormat } from '../../../src/cli/bundle/formats/app-format.js';
import { formatReading } from '../../../src/cli/deploy-app.js';
import { CliError } from '../../../src/cli/cli-error.js';
import { makeTempDir } from '../support/temp-app.js';

test('--format takes the four format names and refuses anything else in one line naming them', () => {
  for (const name of ['nimbus', 'lambda', 'workers', 'azure']) assert.equal(parseAppFormat(name), name);
  assert.throws(() => parseAppFormat('serverless'), (err: unknown) => err instanceof CliError && /unknown --format "serverless": use one of nimbus, lambda, workers, azure/.test(err.message));
});

test('a native app folder is read as native: no adapter, no generated entry', async (t) => {
  const dir = await makeTempDir();
  t.after(() => dir.remove());
  await writeFile(join(dir.path, 'index.ts'), "export const x = 1;\n");
  assert.equal(await readAppFormat(dir.path), undefined);
  assert.equal(await readAppFormat(dir.path, 'nimbus'), undefined);
});

test('the deploy output names the file and format, maps each function and lists what was left out with the reason', () => {
  assert.deepEqual(formatReading({
    format: 'lambda', source: 'serverless.yml', entrySource: '',
    mapped: [{ name: 'hello', from: 'hello: httpApi GET /hi', to: 'http GET /hi' }],
    unsupported: [{ what: 'functions.hello.events[1] (websocket)', reason: 'Nimbus has no WebSocket trigger' }],
  }), [
    'Read serverless.yml (lambda): 1 function',
    '  FROM                    FUNCTION  AS',
    '  hello: httpApi GET /hi  hello     http GET /hi',
    'Left out (no Nimbus equivalent):',
    '  functions.hello.events[1] (websocket): Nimbus has no WebSocket trigger',
  ]);
});
