import type { FunctionLogLine } from '../../runtime/lifecycle.js';

const INVOCATION_ID_SHOWN = 8;
/** Lines written outside any invocation (module top level) keep the column aligned. */
const NO_INVOCATION = '-'.repeat(INVOCATION_ID_SHOWN);

/** `HH:MM:SS fn [invocationId8] message`, in local time. */
export function formatLogLine(line: FunctionLogLine): string {
  const id = line.invocationId?.slice(0, INVOCATION_ID_SHOWN) ?? NO_INVOCATION;
  return `${clockTime(line.time)} ${line.functionName} [${id}] ${line.message.replace(/\n+$/, '')}`;
}

export function clockTime(epochMs: number): string {
  const t = new Date(epochMs);
  return [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
