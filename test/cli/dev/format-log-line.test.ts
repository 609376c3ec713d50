import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine } from '../../../src/cli/dev/format-log-line.js';
import type { FunctionLogLine } from '../../../src/runtime/lifecycle.js';

const LINE: FunctionLogLine = {
  app: 'shop',
  functionName: 'checkout',
  version: 3,
  invocationId: 'a1b2c3d4e5f6a7b8',
  instanceId: 'inst-1',
  stream: 'stdout',
  level: 'info',
  time: new Date(2025, 0, 2, 9, 5, 7).getTime(),
  message: 'charged card\n',
};

test('a function log line prints as HH:MM:SS function [first 8 of the invocation id] message', () => {
  assert.equal(formatLogLine(LINE), '09:05:07 checkout [a1b2c3d4] charged card');
});

test('a line written outside any invocation keeps the column with dashes', () => {
  assert.equal(formatLogLine({ ...LINE, invocationId: null, message: 'module loaded' }), '09:05:07 checkout [--------] module loaded');
});
