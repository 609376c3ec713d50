import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { userEnvironment } from '../helpers/user-commands.js';
import { makeTempDir } from '../cli/support/temp-app.js';
import { codeBlocks, shellCommands } from './support/doc-blocks.js';
import { DocShell } from './support/doc-shell.js';
import { runDocCommands } from './support/doc-runner.js';
import { freePort } from '../helpers/free-port.js';

// Every ```sh block of the README, docs/ and the examples' READMEs, run as written (see
// support/doc-runner.ts for the few differences) in a scratch copy of this checkout.

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** What a scratch checkout links to rather than copies; examples/ is copied, since the docs write into it. */
const LINKED = ['bin', 'dist', 'node_modules', 'package.json', 'templates'];

async function docFiles(): Promise<string[]> {
  const docs = (await readdir(join(REPO, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  const examples = (await readdir(join(REPO, 'examples'))).map((e) => `examples/${e}/README.md`);
  const present = await Promise.all(examples.map(async (f) => ((await readFile(join(REPO, f)).then(() => true, () => false)) ? f : undefined)));
  return ['README.md', ...docs.sort(), ...present.filter((f): f is string => f !== undefined)];
}

const missing = ['bash', 'curl'].filter((tool) => spawnSync(tool, ['--version']).status !== 0);
const files = await docFiles();
const version = (JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

for (const file of files) {
  const commands = codeBlocks(file, await readFile(join(REPO, file), 'utf8'))
    .filter((b) => b.lang === 'sh')
    .flatMap(shellCommands);
  if (commands.length === 0) continue;

  // Dozens of real commands (each npx starts npm, each deploy type-checks): bounded, but more loosely than one test usually is.
  test(`${file}: every shell command runs as documented`, { timeout: 600_000, skip: missing.length > 0 ? `${missing.join(' and ')} not installed: the docs' commands use them` : false }, async (t) => {
    const scratch = await makeTempDir({ '.curlrc': 'fail-with-body\nshow-error\nmax-time = 30\n' }, 'nimbus-docs-');
    t.after(() => scratch.remove());
    const checkout = join(scratch.path, 'nimbus');
    await mkdir(checkout);
    for (const entry of LINKED) await symlink(join(REPO, entry), join(checkout, entry));
    await cp(join(REPO, 'examples'), join(checkout, 'examples'), { recursive: true });

    const ports = { node: await freePort(), app: await freePort() };
    const env = userEnvironment({
      NIMBUS_PORT: String(ports.node),
      NIMBUS_URL: `http://127.0.0.1:${ports.node}`,
      NIMBUS_ISOLATION: 'basic',
      NIMBUS_LOG_LEVEL: 'warn',
      CURL_HOME: scratch.path,
      // What the docs write into ~ (completion scripts, say) lands in the scratch folder; npm keeps its own cache.
      HOME: scratch.path,
      npm_config_cache: process.env['npm_config_cache'] ?? join(homedir(), '.npm'),
      NIMBUS_DOC_PACKAGE: REPO,
      NIMBUS_DOC_VERSION: version,
    });
    const shell = new DocShell(checkout, env, scratch.path);
    t.after(() => shell.close());
    const notes: string[] = [];
    const timings: { where: string; ms: number }[] = [];
    t.after(() => {
      notes.forEach((n) => t.diagnostic(n));
      const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 5);
      t.diagnostic(`${timings.length} commands; slowest: ${slowest.map((s) => `${s.where} ${(s.ms / 1000).toFixed(1)} s`).join(', ')}`);
    });

    await runDocCommands(commands, { shell, ports, notes, timings });
  });
}

test('the docs hold shell blocks to run', () => {
  assert.ok(files.includes('README.md') && files.includes('docs/examples.md'), files.join(', '));
});
