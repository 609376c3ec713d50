import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { completionModel } from '../../../src/cli/completion/completion-model.js';
import { lines, runNimbus } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-app.js';

/** The shell's path, or undefined when this machine has none (the test then says so and skips). */
function shell(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

test('the completion model is the command table: every command, subcommand and flag', () => {
  const model = completionModel(COMMANDS);
  assert.deepEqual(model.commands.map((c) => c.name), [...COMMANDS.map((c) => c.name), 'help']);
  const queue = model.commands.find((c) => c.name === 'queue')!;
  assert.deepEqual(queue.subcommands.map((s) => s.name), ['ls', 'send', 'peek', 'purge', 'redrive']);
  assert.deepEqual(queue.options, [], "a group's flags are offered after its subcommand");
  assert.ok(queue.subcommands.find((s) => s.name === 'send')!.options.some((o) => o.long === 'data' && o.takesValue));
  assert.ok(model.valueFlags.includes('--url') && model.valueFlags.includes('-H'), 'flags that take a value are known, so their value is not taken for a command');
  assert.deepEqual(model.commands.find((c) => c.name === 'completion')!.words.map((w) => w.name), ['bash', 'zsh', 'fish']);
  const budgets = model.commands.find((c) => c.name === 'budgets')!;
  assert.deepEqual(budgets.subcommands.map((s) => s.name), ['set', 'ls', 'rm']);
  const budgetSet = budgets.subcommands.find((s) => s.name === 'set')!.options;
  assert.ok(budgetSet.some((o) => o.long === 'rate' && o.takesValue) && budgetSet.some((o) => o.long === 'no-rate' && !o.takesValue));
  assert.ok(model.commands.find((c) => c.name === 'deploy')!.options.some((o) => o.long === 'create-budgets'));
});

test('nimbus completion prints a script for bash, zsh and fish naming every command and flag', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());
  for (const name of ['bash', 'zsh', 'fish']) {
    const run = await runNimbus(['completion', name], { cwd: cwd.path });
    assert.equal(run.code, 0, run.stderr);
    for (const word of ['deploy', 'invoke', 'redrive', 'method', 'no-typecheck', 'completion']) {
      assert.ok(run.stdout.includes(word), `${name} script mentions ${word}`);
    }
  }
  const unknown = await runNimbus(['completion', 'tcsh'], { cwd: cwd.path });
  assert.equal(unknown.code, 1);
  assert.deepEqual(lines(unknown.stderr), ['nimbus: no completion for "tcsh": use bash, zsh, fish (see "nimbus help completion")']);
});

test('the bash script is valid bash and completes commands, subcommands and flags', async (t) => {
  const bash = shell('bash');
  if (!bash) return t.skip('bash is not installed');
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());
  const script = join(cwd.path, 'nimbus.bash');
  writeFileSync(script, (await runNimbus(['completion', 'bash'], { cwd: cwd.path })).stdout);
  assert.equal(spawnSync(bash, ['-n', script]).status, 0, 'bash -n accepts it');

  // Drive the completion function as bash would after a Tab: COMP_WORDS is what was typed so far.
  const complete = (...words: string[]): string => {
    const typed = words.map((w) => `'${w}'`).join(' ');
    const run = spawnSync(bash, ['-c', `source '${script}'; COMP_WORDS=(${typed}); COMP_CWORD=${words.length - 1}; _nimbus; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  };
  assert.equal(complete('nimbus', 'de'), 'dev deploy');
  assert.equal(complete('nimbus', 'queue', ''), 'ls send peek purge redrive');
  assert.equal(complete('nimbus', 'budgets', ''), 'set ls rm');
  assert.equal(complete('nimbus', 'queue', 'send', '--d'), '--data --delay --dedup');
  assert.equal(complete('nimbus', '--url', 'http://x', 'inv'), 'invoke', 'the value after --url is not a command');
  assert.equal(complete('nimbus', 'invoke', 'shop/fn', '--me'), '--method');
  assert.equal(complete('nimbus', 'completion', ''), 'bash zsh fish');
  assert.equal(complete('nimbus', 'deploy', ''), '', 'a folder argument falls back to file names');
});

test('the zsh and fish scripts pass their shell\'s syntax check', async (t) => {
  const cwd = await makeTempDir();
  t.after(() => cwd.remove());
  for (const name of ['zsh', 'fish']) {
    const path = shell(name);
    if (!path) {
      t.diagnostic(`${name} is not installed: its script's syntax is not checked`);
      continue;
    }
    const script = join(cwd.path, `nimbus.${name}`);
    writeFileSync(script, (await runNimbus(['completion', name], { cwd: cwd.path })).stdout);
    const check = spawnSync(path, ['-n', script], { encoding: 'utf8' });
    assert.equal(check.status, 0, `${name} -n: ${check.stderr}`);
    if (name === 'fish') {
      // fish can be asked what it would complete.
      const offered = spawnSync(path, ['-c', `source '${script}'; complete -C 'nimbus queue '`], { encoding: 'utf8' });
      assert.deepEqual(offered.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]), ['ls', 'peek', 'purge', 'redrive', 'send']);
    }
  }
});
