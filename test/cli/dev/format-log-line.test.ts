import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine } from '../../../src/cli/dev/format-log-line.js';
import type { FunctionLogLine } from '../../../src/runtime/lifecycle.js';

const LINE: FunctionLogLine = {
  app: 'shop',
  functionName: 'checkout',
  version: 3,
  invocationId: '01a2452d-92ce-77cc-9935-acfc4b9cf753',
  instanceId: 'inst-1',
  stream: 'stdout',
  level: 'info',
  time: new Date(2025, 0, 2, 9, 5, 7).getTime(),
  message: 'charged card\n',
};

test('a function log line prints as HH:MM:SS function [last 8 of the invocation id] message', () => {
  assert.equal(formatLogLine(LINE), '09:05:07 checkout [4b9cf753] charged card');
});

test('two invocations of the same minute show apart: an id begins with its time, so its end is what is shown', () => {
  const other = formatLogLine({ ...LINE, invocationId: '01a2452d-92cf-749d-bf11-b9d8acb4eabc' });
  assert.equal(other, '09:05:07 checkout [acb4eabc] charged card');
  assert.notEqual(other, formatLogLine(LINE));
});

test('a line written outside any invocation keeps the column with dashes', () => {
  assert.equal(formatLogLine({ ...LINE, invocationId: null, message: 'module loaded' }), '09:05:07 checkout [--------] module loaded');
});
