import { randomUUID } from 'node:crypto';
import type { FunctionLogLine, InvocationEnd } from '../../src/runtime/lifecycle.js';
import type { InvocationRecord, MeteringBatch } from '../../src/store/metering-store.js';
import { meteringBatch } from '../../src/metering/record-batches.js';
import { RecordColumns } from '../../src/metering/record-columns.js';

let counter = 0;

/** A finished invocation with plausible values; tests override what they check. */
export function finished(overrides: Partial<InvocationEnd> = {}): InvocationEnd {
  counter += 1;
  const startedAt = overrides.startedAt ?? Date.UTC(2026, 0, 15, 12, 0, 0);
  return {
    id: `inv-${counter}`,
    app: 'shop',
    functionName: 'checkout',
    version: 3,
    trigger: 'http',
    memoryMb: 128,
    admittedAt: startedAt,
    startedAt,
    durationMs: 10,
    coldStartMs: null,
    cpuMicros: 5_000,
    peakRssBytes: 50 * 1024 * 1024,
    budgetWaitMs: 0,
    outcome: 'ok',
    ...overrides,
  };
}

/**
 * The i-th of a varied run of finished invocations: everything that does not fit a
 * record column turns up somewhere (short, non-ASCII and 36-character non-ASCII ids,
 * error messages), with cold starts, fractional times and four functions.
 */
export function variedFinished(i: number): InvocationEnd {
  return finished({
    id: i % 9 === 0 ? `msg-${i}` : i % 10 === 0 ? `ünïcödé-${i}-ünïcödé-ünïcödé-ünïcödé` : i % 11 === 0 ? `€-${randomUUID()}`.slice(0, 36) : randomUUID(),
    app: i % 3 === 0 ? 'shop' : 'blog',
    functionName: i % 2 === 0 ? 'cart' : 'feed',
    version: 1 + (i % 2),
    trigger: i % 5 === 0 ? 'queue' : 'http',
    memoryMb: i % 7 === 0 ? 512 : 128,
    admittedAt: 1_764_000_000_000 + i * 0.37,
    startedAt: 1_764_000_000_001.25 + i,
    durationMs: i / 7,
    coldStartMs: i % 4 === 0 ? i / 3 : null,
    cpuMicros: i * 13.5,
    peakRssBytes: 50_000_000 + i,
    outcome: i % 13 === 0 ? 'error' : i % 17 === 0 ? 'throttled' : 'ok',
    error: i % 13 === 0 ? `boom ${i} — ✗` : undefined,
  });
}

export function logLine(overrides: Partial<FunctionLogLine> = {}): FunctionLogLine {
  return {
    app: 'shop',
    functionName: 'checkout',
    version: 3,
    invocationId: 'inv-1',
    instanceId: 'i-1',
    stream: 'stdout',
    level: 'info',
    time: Date.UTC(2026, 0, 15, 12, 0, 0),
    message: 'hello',
    ...overrides,
  };
}

/** Records as the recorder hands them to a store: encoded, with their roll-ups. */
export function batchOf(records: readonly InvocationRecord[]): MeteringBatch {
  return meteringBatch(RecordColumns.fromRecords(records));
}
