import type { Outcome, TriggerTag } from '../../runtime/invocation.js';
import { gigabyteSeconds } from '../../metering/invocation-record.js';
import type { InvocationRecord } from '../metering-store.js';

/**
 * Raw invocation records are stored a batch per row, as compact JSON: one
 * SQLite row and one JSON.stringify per flush instead of an indexed row per
 * invocation, which cost the node ~6 µs of CPU per request. What repeats
 * within a batch (app, function, version, trigger, memory) is written once
 * per distinct function; GB-seconds are derived on read (they are defined as
 * memory × billed time), as is the cold-start flag; durations and CPU time
 * are kept to the microsecond.
 */

/** [app, functionName, version, trigger, memoryMb] */
type FunctionKey = [string, string, number, string, number];

/** [function index, id, admittedAt, startedAt, durationMs, billedMs, cpuMs, peakMemoryBytes, coldStartMs, outcome, error] */
type PackedRecord = [number, string, number, number, number, number, number, number, number | null, string, string | null];

interface PackedBatch {
  f: FunctionKey[];
  r: PackedRecord[];
}

export interface EncodedBatch {
  json: string;
  count: number;
  oldestStartedAt: number;
  newestStartedAt: number;
  /** Every app and function in the batch, as `functionsMarker` strings, so a filtered read can skip batches. */
  functions: string;
}

/** How a function (or, with functionName undefined, an app) appears in EncodedBatch.functions. */
export function functionsMarker(app: string, functionName?: string): string {
  return functionName === undefined ? `\n${app}\t` : `\n${app}\t${functionName}\n`;
}

export function encodeBatch(records: readonly InvocationRecord[]): EncodedBatch {
  const keys: FunctionKey[] = [];
  const keyIndex = new Map<string, number>();
  const packed: PackedRecord[] = new Array(records.length);
  let oldest = Number.POSITIVE_INFINITY;
  let newest = Number.NEGATIVE_INFINITY;
  const functions = new Set<string>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const name = `${r.app}\t${r.functionName}\t${r.version}\t${r.trigger}\t${r.memoryMb}`;
    let k = keyIndex.get(name);
    if (k === undefined) {
      k = keys.length;
      keyIndex.set(name, k);
      keys.push([r.app, r.functionName, r.version, r.trigger, r.memoryMb]);
      functions.add(`${r.app}\t${r.functionName}`);
    }
    packed[i] = [
      k, r.id, r.admittedAt, r.startedAt, toMicros(r.durationMs), r.billedMs, toMicros(r.cpuMs), r.peakMemoryBytes,
      r.coldStartMs === null ? null : toMicros(r.coldStartMs), r.outcome, r.error,
    ];
    if (r.startedAt < oldest) oldest = r.startedAt;
    if (r.startedAt > newest) newest = r.startedAt;
  }
  const batch: PackedBatch = { f: keys, r: packed };
  return { json: JSON.stringify(batch), count: records.length, oldestStartedAt: oldest, newestStartedAt: newest, functions: `\n${[...functions].join('\n')}\n` };
}

/** Milliseconds kept to the microsecond: measured times carry 17 digits of noise that would double a record's size. */
function toMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export function decodeBatch(json: string): InvocationRecord[] {
  const batch = JSON.parse(json) as PackedBatch;
  return batch.r.map(([k, id, admittedAt, startedAt, durationMs, billedMs, cpuMs, peakMemoryBytes, coldStartMs, outcome, error]) => {
    const [app, functionName, version, trigger, memoryMb] = batch.f[k]!;
    return {
      id, app, functionName, version, trigger: trigger as TriggerTag, admittedAt, startedAt, durationMs, billedMs, memoryMb,
      gbSeconds: gigabyteSeconds(memoryMb, billedMs), cpuMs, peakMemoryBytes, coldStart: coldStartMs !== null, coldStartMs,
      outcome: outcome as Outcome, error,
    };
  });
}
