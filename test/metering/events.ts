import type { FunctionLogLine, InvocationEnd } from '../../src/runtime/lifecycle.js';

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
    outcome: 'ok',
    ...overrides,
  };
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
