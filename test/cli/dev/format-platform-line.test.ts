import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPlatformLine } from '../../../src/cli/dev/format-platform-line.js';

const at = new Date(2025, 0, 2, 9, 5, 7).getTime();
const pino = (record: Record<string, unknown>): string => `${JSON.stringify({ level: 30, time: at, service: 'nimbus', pid: 1, hostname: 'h', ...record })}\n`;

test('a platform event prints as HH:MM:SS nimbus: message key=value, without the envelope', () => {
  assert.deepEqual(formatPlatformLine(pino({ msg: 'version live', app: 'hello', version: 2, previous: 1 })), {
    text: '09:05:07 nimbus: version live app=hello version=2 previous=1',
    stream: 'stdout',
  });
});

test('warnings and errors are labelled and go to standard error; an error shows its message, not its stack', () => {
  assert.deepEqual(formatPlatformLine(pino({ level: 40, msg: 'slow disk', area: 'queue' })), { text: '09:05:07 nimbus: warning: slow disk area=queue', stream: 'stderr' });
  const line = formatPlatformLine(pino({ level: 50, msg: 'deployment problem', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' } }));
  assert.deepEqual(line, { text: '09:05:07 nimbus: error: deployment problem err="boom"', stream: 'stderr' });
});

test('values with spaces are quoted, objects are JSON, long values are cut to one readable line', () => {
  const { text } = formatPlatformLine(pino({ msg: 'started', dataDir: '/tmp/my data', shape: { memoryMb: 128 }, blob: 'x'.repeat(300) }));
  assert.match(text, /dataDir="\/tmp\/my data" shape=\{"memoryMb":128\} blob=x{200}…$/);
});

test('a line that is not pino JSON passes through as it is', () => {
  assert.deepEqual(formatPlatformLine('plain text\n'), { text: 'plain text', stream: 'stdout' });
});
