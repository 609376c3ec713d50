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

/** What a record carries that was measured; the rest follows from it. */
export type MeasuredInvocation = Omit<InvocationRecord, 'billedMs' | 'gbSeconds' | 'coldStart' | 'budgetWaitMs'> & {
  /** Absent in records written before budgets: 0. */
  budgetWaitMs?: number;
};

/** The one place billed time, GB-seconds and the cold-start flag are derived, whatever a record is read from. */
export function invocationRecord(measured: MeasuredInvocation): InvocationRecord {
  const billedMs = billedMilliseconds(measured.durationMs, measured.outcome);
  // Billed time is the handler's duration alone: a wait for a budget (like one for an instance) is never billed.
  return { ...measured, budgetWaitMs: measured.budgetWaitMs ?? 0, billedMs, gbSeconds: gigabyteSeconds(measured.memoryMb, billedMs), coldStart: measured.coldStartMs !== null };
}

export function toInvocationRecord(end: InvocationEnd): InvocationRecord {
  return invocationRecord({
    id: end.id,
    app: end.app,
    functionName: end.functionName,
    version: end.version,
    trigger: end.trigger,
    admittedAt: end.admittedAt,
    startedAt: end.startedAt,
    durationMs: end.durationMs,
    memoryMb: end.memoryMb,
    cpuMs: end.cpuMicros / 1000,
    peakMemoryBytes: end.peakRssBytes,
    coldStartMs: end.coldStartMs,
    outcome: end.outcome,
    error: end.error ?? null,
    budgetWaitMs: end.budgetWaitMs,
  });
}
