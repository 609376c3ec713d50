import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { installLazySourceMaps } from '../../../src/runtime/instance/lazy-source-maps.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const SOURCE = `export class Thing {
  constructor(readonly fail: boolean) {
    if (fail) throw new Error('in the constructor');
  }
  run(): string {
    return new Error('in a method').stack!;
  }
}

export async function later(): Promise<string> {
  await Promise.resolve();
  return new Error('after an await').stack!;
}
`;

/** Builds SOURCE into an ES module with its map beside it (or inline), the way app bundles are. */
async function compiled(dir: string, sourcemap: 'linked' | 'inline'): Promise<{ Thing: new (fail: boolean) => { run(): string }; later(): Promise<string> }> {
  const entry = join(dir, 'thing.ts');
  writeFileSync(entry, SOURCE);
  const outfile = join(dir, `thing-${sourcemap}.mjs`);
  await build({ entryPoints: [entry], outfile, format: 'esm', platform: 'node', sourcemap, bundle: true, logLevel: 'silent' });
  return (await import(pathToFileURL(outfile).href)) as { Thing: new (fail: boolean) => { run(): string }; later(): Promise<string> };
}

test('frames in files with a map (beside them or inline) show source positions, named as V8 names them; others keep V8 text', async () => {
  const temp = makeTempDir('nimbus-lazy-maps-');
  try {
    installLazySourceMaps();
    for (const kind of ['linked', 'inline'] as const) {
      const { Thing, later } = await compiled(temp.dir, kind);
      const method = new Thing(false).run().split('\n');
      assert.equal(method[0], 'Error: in a method');
      assert.match(method[1]!, /^ {4}at Thing\.run \(\S*thing\.ts:6:12\)$/, kind);
      // This test's own compiled file has a map too (tsc writes one).
      assert.match(method[2]!, /^ {4}at TestContext\.<anonymous> \(\S*lazy-source-maps\.test\.ts:\d+:\d+\)$/);
      // Code without a file keeps V8's own text.
      const evaluated = (new Function("return new Error('evaluated').stack") as () => string)().split('\n');
      assert.match(evaluated[1]!, /^ {4}at eval \(eval at /);

      const thrown = (() => {
        try {
          new Thing(true);
          return '';
        } catch (error) {
          return (error as Error).stack!;
        }
      })();
      assert.match(thrown.split('\n')[1]!, /^ {4}at new Thing \(\S*thing\.ts:3:21\)$/, kind);

      const awaited = (await later()).split('\n');
      assert.match(awaited[1]!, /^ {4}at later \(\S*thing\.ts:12:10\)$/, kind);
    }
  } finally {
    temp.remove();
  }
});

test('an error with no frames is its header alone, and odd errors still format', () => {
  installLazySourceMaps();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    assert.equal(new TypeError('no frames').stack, 'TypeError: no frames');
  } finally {
    Error.stackTraceLimit = limit;
  }
  const nameless = new Error('x');
  Object.defineProperty(nameless, 'name', { value: undefined });
  assert.match(String(nameless.stack), /^Error: x\n/);
});
