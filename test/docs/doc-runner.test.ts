import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { userEnvironment } from '../helpers/user-commands.js';
import { makeTempDir } from '../cli/support/temp-app.js';
import { codeBlocks, printedLine, shellCommands, splitComment, type DocCommand } from './support/doc-blocks.js';
import { DocShell } from './support/doc-shell.js';
import { runDocCommands } from './support/doc-runner.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

describe('reading the docs\' shell blocks', () => {
  const markdown = [
    'Text.',
    '',
    '```sh',
    'npx nimbus ls                      # apps and functions',
    "curl -s -X POST http://127.0.0.1:8080/orders -H 'content-type: application/json' \\",
    `  -d '{"customer":"ada # not a comment"}'`,
    '# {"orderId":"…","duplicate":false}',
    '',
    '# 2. a step, not output',
    'curl http://127.0.0.1:8080/hello/world    # {"hello":"world","id":"…"}',
    '```',
    '',
    '```ts',
    "import { http } from 'nimbus-functions';",
    '```',
  ].join('\n');

  test('fenced blocks come with their language and line', () => {
    assert.deepEqual(codeBlocks('x.md', markdown).map(({ lang, line }) => ({ lang, line })), [{ lang: 'sh', line: 3 }, { lang: 'ts', line: 13 }]);
  });

  test('commands: continuations joined, comments dropped, output comments kept as expected lines', () => {
    const [sh] = codeBlocks('x.md', markdown);
    assert.deepEqual(shellCommands(sh!), [
      { file: 'x.md', line: 4, command: 'npx nimbus ls', expected: [] },
      {
        file: 'x.md',
        line: 5,
        command: `curl -s -X POST http://127.0.0.1:8080/orders -H 'content-type: application/json' -d '{"customer":"ada # not a comment"}'`,
        expected: ['{"orderId":"…","duplicate":false}'],
      },
      { file: 'x.md', line: 10, command: 'curl http://127.0.0.1:8080/hello/world', expected: ['{"hello":"world","id":"…"}'] },
    ]);
  });

  test('a # inside quotes or a word is not a comment', () => {
    assert.deepEqual(splitComment(`echo "a # b" c#d 'e # f' # note`), { code: `echo "a # b" c#d 'e # f'`, comment: 'note' });
    assert.deepEqual(splitComment('echo \\# x'), { code: 'echo \\# x' });
  });

  test('… in an expected line stands for anything', () => {
    assert.ok(printedLine('{"hello":"world","id":"3f0c-11"}\n', '{"hello":"world","id":"…"}'));
    assert.ok(!printedLine('{"hello":"ada","id":"3f0c"}', '{"hello":"world","id":"…"}'));
    assert.ok(printedLine('HTTP/1.1 202 Accepted\r\n', 'HTTP/1.1 202 Accepted'));
  });
});

describe('running them', () => {
  const run = async (commands: (Partial<DocCommand> & { command: string })[]): Promise<{ notes: string[] }> => {
    const scratch = await makeTempDir({}, 'nimbus-doc-runner-');
    try {
      for (const entry of ['bin', 'dist', 'node_modules', 'package.json']) await symlink(join(REPO, entry), join(scratch.path, entry));
      const shell = new DocShell(scratch.path, userEnvironment({ NIMBUS_URL: 'http://127.0.0.1:9', NIMBUS_ADMIN_KEY: 'k' }), scratch.path);
      const notes: string[] = [];
      try {
        await runDocCommands(commands.map((c, i) => ({ file: 'doc.md', line: i + 1, expected: [], ...c })), { shell, ports: { node: 1, app: 2 }, notes, timings: [] });
      } finally {
        shell.close();
      }
      return { notes };
    } finally {
      await scratch.remove();
    }
  };

  test("the old form of blob get in docs/examples.md fails, with the command's own message", async () => {
    await assert.rejects(run([{ command: 'node bin/nimbus.js blob get receipts 3f0c….json' }]), (err: Error) => {
      assert.match(err.message, /^doc\.md:1: node bin\/nimbus\.js blob get receipts 3f0c….json\nexit 1\n/);
      assert.match(err.message, /nimbus: expected BUCKET\/KEY, got "receipts"/);
      return true;
    });
  });

  test('a command that prints something else than its output comment fails', async () => {
    await assert.rejects(run([{ command: `echo '{"a":1}'`, expected: ['{"a":2}'] }]), /printed no line like \{"a":2\}/);
  });

  test('variables and the folder carry from one command to the next; lines in INSTEAD are noted', async () => {
    const { notes } = await run([{ command: 'mkdir sub && cd sub' }, { command: 'X=$(echo hi)' }, { command: 'npm test' }, { command: '[ "$(basename "$PWD")" = sub ] && [ "$X" = hi ]' }]);
    assert.deepEqual(notes, ['doc.md:3 npm test → not run: the whole test suite, of which this test is a part']);
  });

  test('a command that reads standard input gets nothing, rather than the next command', async () => {
    await run([{ command: 'cat' }, { command: 'true' }]);
  });
});
