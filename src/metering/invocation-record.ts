import type { InvocationEnd } from '../runtime/lifecycle.js';
import type { InvocationRecord } from '../store/metering-store.js';

/**
 * Whole milliseconds billed for a handler run: rounded up, at least 1 ms for
 * anything that ran. A throttled invocation never ran and is billed nothing.
 */
export function billedMilliseconds(durationMs: number, outcome: InvocationEnd['outcome']): number {
  if (outcome === 'throttled') return 0;
  return Math.max(1, Math.ceil(durationMs));
}

/** Memory-time the way clouds bill it: configured GB × billed seconds. */
export function gigabyteSeconds(memoryMb: number, billedMs: number): number {
  return (memoryMb / 1024) * (billedMs / 1000);
}

export function toInvocationRecord(end: InvocationEnd): InvocationRecord {
  const billedMs = billedMilliseconds(end.durationMs, end.outcome);
  return {
    id: end.id,
    app: end.app,
    functionName: end.functionName,
    version: end.version,
    trigger: end.trigger,
    admittedAt: end.admittedAt,
    startedAt: end.startedAt,
    durationMs: end.durationMs,
    billedMs,
    memoryMb: end.memoryMb,
    gbSeconds: gigabyteSeconds(end.memoryMb, billedMs),
    cpuMs: end.cpuMicros / 1000,
    peakMemoryBytes: end.peakRssBytes,
    coldStart: end.coldStartMs !== null,
    coldStartMs: end.coldStartMs,
    outcome: end.outcome,
    error: end.error ?? null,
  };
}
