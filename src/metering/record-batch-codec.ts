import type { Outcome, TriggerTag } from '../runtime/invocation.js';
import type { MeasuredInvocation } from './invocation-record.js';
import { ID_BYTES, NUMBERS, RecordColumns, SMALL, type FunctionKey, type RecordAside } from './record-columns.js';

/**
 * Raw invocation records are stored a batch per row (in every backend), as the columns they
 * wait in: a small JSON head (the batch's functions, long ids and error
 * messages) and then the number, code and id columns as raw bytes. Writing
 * a batch is a few copies; there is no per-record object or number
 * formatting (JSON cost the node ~1 µs per record, an indexed row ~6 µs).
 *
 * Layout: u8 format, 3 zero bytes, u32 record count, u32 head length, the
 * head, zero padding to 8 bytes, then the Float64 and Int32 columns in the
 * platform's byte order (little-endian on every platform Node.js ships for
 * servers) and the ids, one byte per (ASCII) character.
 */
const FORMAT = 1;
const PREFIX_BYTES = 12;

interface BatchHead {
  /** [app, functionName, version, trigger, memoryMb] */
  f: [string, string, number, string, number][];
  /** [slot, id or null, error or null, budgetWaitMs (absent: 0; batches written before budgets have three)] */
  a: ([number, string | null, string | null] | [number, string | null, string | null, number])[];
}

export interface EncodedBatch {
  bytes: Buffer;
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

export function encodeBatch(columns: RecordColumns): EncodedBatch {
  const head: BatchHead = {
    f: columns.keys.map((k) => [k.app, k.functionName, k.version, k.trigger, k.memoryMb]),
    a: [...columns.asides].map(([slot, aside]) => aside.budgetWaitMs
      ? [slot, aside.id ?? null, aside.error ?? null, aside.budgetWaitMs]
      : [slot, aside.id ?? null, aside.error ?? null]),
  };
  const headBytes = Buffer.from(JSON.stringify(head));
  const numbersAt = align8(PREFIX_BYTES + headBytes.length);
  const numbersBytes = columns.count * NUMBERS * 8;
  const smallBytes = columns.count * SMALL * 4;
  const bytes = Buffer.alloc(numbersAt + numbersBytes + smallBytes + columns.count * ID_BYTES);
  bytes.writeUInt8(FORMAT, 0);
  bytes.writeUInt32LE(columns.count, 4);
  bytes.writeUInt32LE(headBytes.length, 8);
  headBytes.copy(bytes, PREFIX_BYTES);
  bytes.set(new Uint8Array(columns.numbers.buffer, columns.numbers.byteOffset, numbersBytes), numbersAt);
  bytes.set(new Uint8Array(columns.small.buffer, columns.small.byteOffset, smallBytes), numbersAt + numbersBytes);
  columns.ids.copy(bytes, numbersAt + numbersBytes + smallBytes, 0, columns.count * ID_BYTES);

  let oldest = Number.POSITIVE_INFINITY;
  let newest = Number.NEGATIVE_INFINITY;
  for (let slot = 0; slot < columns.count; slot++) {
    const startedAt = columns.startedAt(slot);
    if (startedAt < oldest) oldest = startedAt;
    if (startedAt > newest) newest = startedAt;
  }
  const functions = new Set(columns.keys.map((k) => `${k.app}\t${k.functionName}`));
  return { bytes, count: columns.count, oldestStartedAt: oldest, newestStartedAt: newest, functions: `\n${[...functions].join('\n')}\n` };
}

/** A stored batch back as columns; a string is a batch in the JSON layout of earlier versions. */
export function decodeBatch(column: Uint8Array | string): RecordColumns {
  if (typeof column === 'string') return RecordColumns.fromRecords(decodeJsonBatch(column));
  // A BLOB column reads back as a Uint8Array: viewed as a Buffer, not copied.
  const stored = Buffer.isBuffer(column) ? column : Buffer.from(column.buffer, column.byteOffset, column.byteLength);
  if (stored.readUInt8(0) !== FORMAT) throw new Error(`unknown record batch format ${stored.readUInt8(0)}`);
  const count = stored.readUInt32LE(4);
  const headLength = stored.readUInt32LE(8);
  const head = JSON.parse(stored.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headLength)) as BatchHead;
  const numbersAt = align8(PREFIX_BYTES + headLength);
  const numbersBytes = count * NUMBERS * 8;
  const smallBytes = count * SMALL * 4;
  // Copied out: the typed arrays need their own aligned memory.
  const numbers = new Float64Array(count * NUMBERS);
  new Uint8Array(numbers.buffer).set(stored.subarray(numbersAt, numbersAt + numbersBytes));
  const small = new Int32Array(count * SMALL);
  new Uint8Array(small.buffer).set(stored.subarray(numbersAt + numbersBytes, numbersAt + numbersBytes + smallBytes));
  const idsAt = numbersAt + numbersBytes + smallBytes;
  const ids = Buffer.from(stored.subarray(idsAt, idsAt + count * ID_BYTES));
  const keys: FunctionKey[] = head.f.map(([app, functionName, version, trigger, memoryMb]) => ({
    app, functionName, version, trigger: trigger as TriggerTag, memoryMb,
  }));
  const asides = new Map<number, RecordAside>(head.a.map(([slot, id, error, waited]) => [slot, {
    ...(id !== null ? { id } : {}), ...(error !== null ? { error } : {}), ...(waited ? { budgetWaitMs: waited } : {}),
  }]));
  return new RecordColumns(count, keys, numbers, small, ids, asides);
}

function align8(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}

/** [function index, id, admittedAt, startedAt, durationMs, billedMs, cpuMs, peakMemoryBytes, coldStartMs, outcome, error] */
type JsonRecord = [number, string, number, number, number, number, number, number, number | null, string, string | null];

/** The layout batches had before they were stored as columns (its billed time and GB-seconds are derived again). */
function decodeJsonBatch(json: string): MeasuredInvocation[] {
  const batch = JSON.parse(json) as { f: BatchHead['f']; r: JsonRecord[] };
  return batch.r.map(([k, id, admittedAt, startedAt, durationMs, , cpuMs, peakMemoryBytes, coldStartMs, outcome, error]) => {
    const [app, functionName, version, trigger, memoryMb] = batch.f[k]!;
    return {
      id, app, functionName, version, trigger: trigger as TriggerTag, admittedAt, startedAt, durationMs, memoryMb,
      cpuMs, peakMemoryBytes, coldStartMs, outcome: outcome as Outcome, error,
    };
  });
}
