import { SHORT_INVOCATION_ID_LENGTH as INVOCATION_ID_SHOWN } from '../../metering/invocation-match.js';
import type { FunctionLogLine } from '../../runtime/lifecycle.js';

/** Lines written outside any invocation (module top level) keep the column aligned. */
const NO_INVOCATION = '-'.repeat(INVOCATION_ID_SHOWN);

/**
 * The part of an invocation id a log line shows: its last characters, which are random. An id
 * begins with the time it was made (a version 7 UUID), so ids of the same minute begin alike.
 * `nimbus logs --invocation` takes it back as it is shown.
 */
export function shortInvocationId(invocationId: string | null): string {
  return invocationId?.slice(-INVOCATION_ID_SHOWN) ?? NO_INVOCATION;
}

/** `HH:MM:SS fn [invocation] message`, in local time. */
export function formatLogLine(line: FunctionLogLine): string {
  return `${clockTime(line.time)} ${line.functionName} [${shortInvocationId(line.invocationId)}] ${line.message.replace(/\n+$/, '')}`;
}

export function clockTime(epochMs: number): string {
  const t = new Date(epochMs);
  return [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
