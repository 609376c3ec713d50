import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { typecheckApp } from '../../src/cli/bundle/typecheck-app.js';
import type { CliRun } from '../cli/support/run-cli.js';
import { nimbusAt, NimbusProcess } from '../cli/support/nimbus-process.js';
import { makeTempDir, type TempDir } from '../cli/support/temp-app.js';
import { codeBlocks, type CodeBlock } from './support/doc-blocks.js';

// The ```ts blocks of the README and docs/ that are whole apps (they import the SDK and export a
// definition) type-check against the SDK and deploy to a real node as they are printed. Blocks that
// show part of a program (a client call, one handler without its import) are left out by that rule.

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const IMPORTS_SDK = /^import \{[^}]*\} from 'nimbus-functions';$/m;
const EXPORTS_DEFINITION = /^export const \w+ = (http|queue|blob|timer)\b/m;
/** A first line `// examples/hello/index.ts` says the block is that file. */
const FROM_FILE = /^\/\/ (\S+\.ts)\n/;

const files = ['README.md', ...(await readdir(join(REPO, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const apps: CodeBlock[] = [];
for (const file of files) {
  const blocks = codeBlocks(file, await readFile(join(REPO, file), 'utf8'));
  apps.push(...blocks.filter((b) => b.lang === 'ts' && IMPORTS_SDK.test(b.text) && EXPORTS_DEFINITION.test(b.text)));
}

let data: TempDir;
let node: NimbusProcess;
let nimbus: (args: readonly string[]) => Promise<CliRun>;

before(async () => {
  data = await makeTempDir();
  node = new NimbusProcess(['start', '--port', '0', '--data', data.path], { cwd: data.path });
  nimbus = nimbusAt(await node.url(), await node.adminKey(), data.path);
});
after(async () => {
  await node?.kill();
  await data?.remove();
});

test('the docs show whole apps: the README examples, queues and timers', () => {
  assert.deepEqual([...new Set(apps.map((a) => a.file))].sort(), ['README.md', 'docs/queues.md', 'docs/timers.md']);
});

for (const [i, block] of apps.entries()) {
  test(`${block.file}:${block.line} type-checks and deploys`, async (t) => {
    const copyOf = FROM_FILE.exec(block.text)?.[1];
    if (copyOf) assert.equal(`${block.text.replace(FROM_FILE, '')}\n`, await readFile(join(REPO, copyOf), 'utf8'), `the block is ${copyOf} as it is`);
    const app = await makeTempDir({ 'index.ts': `${block.text}\n` }, 'nimbus-doc-app-');
    t.after(() => app.remove());

    assert.deepEqual(await typecheckApp(app.path, join(app.path, 'index.ts')), []);
    const name = `doc-app-${i}`;
    const deploy = await nimbus(['deploy', app.path, '--app', name, '--no-typecheck']);
    assert.equal(deploy.code, 0, deploy.stderr);
    // Gone again, so the next block may use the same routes and names.
    assert.equal((await nimbus(['rm', name])).code, 0);
  });
}
