import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DevConsole, FOLD_REPORT_MS } from '../../../src/cli/dev/dev-console.js';
import type { FunctionLogLine } from '../../../src/runtime/lifecycle.js';

const TICK: FunctionLogLine = {
  app: 'jobs', functionName: 'nightly', version: 1, invocationId: null, instanceId: 'i1',
  stream: 'stdout', level: 'info', time: new Date(2025, 0, 2, 9, 0, 0).getTime(), message: 'tick',
};
const tick = (second: number, invocationId: string | null = null): FunctionLogLine => ({ ...TICK, invocationId, time: new Date(2025, 0, 2, 9, 0, second).getTime() });

function capture(isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const raw: string[] = [];
  let now = 0;
  const devConsole = new DevConsole({ out: (l) => out.push(l), err: (l) => err.push(l), write: (c) => raw.push(c), isTTY, now: () => now });
  return { devConsole, out, err, raw, advance: (ms: number) => (now += ms) };
}

test('in a pipe, a repeated function line prints once, and the count when the run ends', () => {
  const { devConsole, out } = capture(false);
  devConsole.functionLog(tick(1, '11111111aaaaaaaa'));
  devConsole.functionLog(tick(2, '22222222bbbbbbbb'));
  devConsole.functionLog(tick(3, '33333333cccccccc'));
  devConsole.line('09:00:04 Deployed jobs v2 in 80 ms');
  assert.deepEqual(out, [
    '09:00:01 nightly [aaaaaaaa] tick',
    '09:00:03 nightly [cccccccc] tick ×3',
    '09:00:04 Deployed jobs v2 in 80 ms',
  ]);
});

test('in a pipe, a run that goes on is summed up at least every FOLD_REPORT_MS, and when dev stops', () => {
  const { devConsole, out, advance } = capture(false);
  devConsole.functionLog(tick(0));
  advance(FOLD_REPORT_MS / 2);
  devConsole.functionLog(tick(30));
  advance(FOLD_REPORT_MS / 2);
  devConsole.functionLog(tick(60));
  devConsole.functionLog(tick(61));
  devConsole.close();
  assert.deepEqual(out, ['09:00:00 nightly [--------] tick', '09:01:00 nightly [--------] tick ×3', '09:01:01 nightly [--------] tick ×4']);
});

test('on a terminal, the last line is redrawn with the new count', () => {
  const { devConsole, out, raw } = capture(true);
  devConsole.functionLog(tick(1));
  devConsole.functionLog(tick(2));
  devConsole.functionLog(tick(3));
  devConsole.close();
  assert.deepEqual(out, ['09:00:01 nightly [--------] tick', '09:00:02 nightly [--------] tick ×2', '09:00:03 nightly [--------] tick ×3']);
  assert.equal(raw.length, 2, 'one cursor-up-and-clear before each redrawn line');
  assert.match(raw[0]!, /\x1b\[1A/);
});

test('different messages, functions or streams do not fold; standard error stays on standard error', () => {
  const { devConsole, out, err } = capture(false);
  devConsole.functionLog(tick(1));
  devConsole.functionLog({ ...tick(2), message: 'tock' });
  devConsole.functionLog({ ...tick(3), functionName: 'hourly', message: 'tock' });
  devConsole.functionLog({ ...tick(4), stream: 'stderr', level: 'error', message: 'failed' });
  devConsole.functionLog({ ...tick(5), stream: 'stderr', level: 'error', message: 'failed' });
  devConsole.close();
  assert.deepEqual(out, ['09:00:01 nightly [--------] tick', '09:00:02 nightly [--------] tock', '09:00:03 hourly [--------] tock']);
  assert.deepEqual(err, ['09:00:04 nightly [--------] failed', '09:00:05 nightly [--------] failed ×2']);
});
