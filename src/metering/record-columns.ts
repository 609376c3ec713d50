import type { Outcome, TriggerTag } from '../runtime/invocation.js';
import type { InvocationRecord } from '../store/metering-store.js';
import { invocationRecord, type MeasuredInvocation } from './invocation-record.js';

export const OUTCOMES: readonly Outcome[] = ['ok', 'error', 'timeout', 'out-of-memory', 'throttled', 'crashed'];
const OUTCOME_CODE = new Map<Outcome, number>(OUTCOMES.map((o, i) => [o, i]));

/** Invocation ids are UUIDs (36 characters); any other id is kept aside whole. */
export const ID_BYTES = 36;
/** Number columns per record: admittedAt, startedAt, durationMs, coldStartMs (NaN: none), cpuMs, peakMemoryBytes. */
export const NUMBERS = 6;
/** Small columns per record: function key index, outcome code. */
export const SMALL = 2;

/** What repeats across a function's records, stored once per batch. */
export interface FunctionKey {
  app: string;
  functionName: string;
  version: number;
  trigger: TriggerTag;
  memoryMb: number;
}

/** Values that do not fit the columns: ids that are not 36 ASCII characters, error messages. */
export interface RecordAside {
  id?: string;
  error?: string;
  /** Kept aside, not in a column: most invocations never wait for a budget, and this costs them nothing. */
  budgetWaitMs?: number;
}

/** What both a finished invocation and a stored record carry under the same names. */
interface SlotSource {
  id: string;
  admittedAt: number;
  startedAt: number;
  durationMs: number;
  coldStartMs: number | null;
  outcome: Outcome;
  error?: string | null | undefined;
  budgetWaitMs?: number | undefined;
}

/** The arrays a batch of records lives in; a slot is one record's place in all of them. */
export interface ColumnArrays {
  numbers: Float64Array;
  small: Int32Array;
  ids: Buffer;
  asides: Map<number, RecordAside>;
}

/** Writes one record into its slot. Allocates nothing for a UUID id and no error: it runs for every invocation. */
export function writeSlot(arrays: ColumnArrays, slot: number, keyIndex: number, source: SlotSource, cpuMs: number, peakMemoryBytes: number): void {
  const n = slot * NUMBERS;
  const numbers = arrays.numbers;
  numbers[n] = source.admittedAt;
  numbers[n + 1] = source.startedAt;
  numbers[n + 2] = source.durationMs;
  numbers[n + 3] = source.coldStartMs ?? Number.NaN;
  numbers[n + 4] = cpuMs;
  numbers[n + 5] = peakMemoryBytes;
  const outcome = OUTCOME_CODE.get(source.outcome);
  if (outcome === undefined) throw new RangeError(`unknown invocation outcome "${String(source.outcome)}"`);
  arrays.small[slot * SMALL] = keyIndex;
  arrays.small[slot * SMALL + 1] = outcome;
  const id = source.id;
  // 36 characters in 36 UTF-8 bytes: plain ASCII, stored a byte per character.
  const fits = id.length === ID_BYTES && Buffer.byteLength(id) === ID_BYTES && arrays.ids.write(id, slot * ID_BYTES, ID_BYTES, 'latin1') === ID_BYTES;
  const error = source.error ?? undefined;
  const waited = source.budgetWaitMs ?? 0;
  if (!fits || error !== undefined || waited > 0) {
    arrays.asides.set(slot, { ...(fits ? {} : { id }), ...(error !== undefined ? { error } : {}), ...(waited > 0 ? { budgetWaitMs: waited } : {}) });
  }
}

/**
 * A batch of invocation records in columns: typed arrays for the numbers,
 * a byte area for the ids, each function's repeated fields once. This is
 * how records wait, are written and are stored: no object per record until
 * one is read back, so metering costs the hot path and the writes little.
 */
export class RecordColumns implements ColumnArrays {
  constructor(
    readonly count: number,
    readonly keys: readonly FunctionKey[],
    readonly numbers: Float64Array,
    readonly small: Int32Array,
    readonly ids: Buffer,
    readonly asides: Map<number, RecordAside>,
  ) {}

  static fromRecords(records: readonly MeasuredInvocation[]): RecordColumns {
    const keys: FunctionKey[] = [];
    const keyIndex = new Map<string, number>();
    const columns = new RecordColumns(
      records.length, keys, new Float64Array(records.length * NUMBERS), new Int32Array(records.length * SMALL),
      Buffer.alloc(records.length * ID_BYTES), new Map(),
    );
    records.forEach((record, slot) => {
      const name = `${record.app}\u0000${record.functionName}\u0000${record.version}\u0000${record.trigger}\u0000${record.memoryMb}`;
      let k = keyIndex.get(name);
      if (k === undefined) {
        k = keys.push({ app: record.app, functionName: record.functionName, version: record.version, trigger: record.trigger, memoryMb: record.memoryMb }) - 1;
        keyIndex.set(name, k);
      }
      writeSlot(columns, slot, k, record, record.cpuMs, record.peakMemoryBytes);
    });
    return columns;
  }

  /** Index into `keys`: records of one function share it. */
  keyIndexOf(slot: number): number {
    return this.small[slot * SMALL]!;
  }

  keyOf(slot: number): FunctionKey {
    return this.keys[this.keyIndexOf(slot)]!;
  }

  outcomeOf(slot: number): Outcome {
    const code = this.small[slot * SMALL + 1]!;
    const outcome = OUTCOMES[code];
    // Only a damaged batch gets here: one read from disk, or columns set by hand.
    if (outcome === undefined) throw new RangeError(`unknown invocation outcome code ${code}`);
    return outcome;
  }

  startedAt(slot: number): number {
    return this.numbers[slot * NUMBERS + 1]!;
  }

  durationMs(slot: number): number {
    return this.numbers[slot * NUMBERS + 2]!;
  }

  coldStartMs(slot: number): number | null {
    const value = this.numbers[slot * NUMBERS + 3]!;
    return Number.isNaN(value) ? null : value;
  }

  cpuMs(slot: number): number {
    return this.numbers[slot * NUMBERS + 4]!;
  }

  record(slot: number): InvocationRecord {
    const n = slot * NUMBERS;
    const key = this.keyOf(slot);
    const aside = this.asides.get(slot);
    return invocationRecord({
      id: aside?.id ?? this.ids.toString('latin1', slot * ID_BYTES, (slot + 1) * ID_BYTES),
      app: key.app,
      functionName: key.functionName,
      version: key.version,
      trigger: key.trigger,
      admittedAt: this.numbers[n]!,
      startedAt: this.numbers[n + 1]!,
      durationMs: this.numbers[n + 2]!,
      memoryMb: key.memoryMb,
      cpuMs: this.numbers[n + 4]!,
      peakMemoryBytes: this.numbers[n + 5]!,
      coldStartMs: this.coldStartMs(slot),
      outcome: this.outcomeOf(slot),
      error: aside?.error ?? null,
      budgetWaitMs: aside?.budgetWaitMs ?? 0,
    });
  }

  toRecords(): InvocationRecord[] {
    return Array.from({ length: this.count }, (_, slot) => this.record(slot));
  }

  /** The records from `from` on, sharing nothing with this batch. */
  slice(from: number): RecordColumns {
    const start = Math.min(Math.max(from, 0), this.count);
    const asides = new Map<number, RecordAside>();
    for (const [slot, aside] of this.asides) if (slot >= start) asides.set(slot - start, aside);
    return new RecordColumns(
      this.count - start, this.keys, this.numbers.slice(start * NUMBERS), this.small.slice(start * SMALL),
      Buffer.from(this.ids.subarray(start * ID_BYTES, this.count * ID_BYTES)), asides,
    );
  }
}
