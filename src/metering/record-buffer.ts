import type { InvocationEnd } from '../runtime/lifecycle.js';
import type { InvocationRecord } from '../store/metering-store.js';
import type { Outcome, TriggerTag } from '../runtime/invocation.js';
import type { WriteBuffer } from './batch-writer.js';
import { toInvocationRecord } from './invocation-record.js';

const OUTCOMES: readonly Outcome[] = ['ok', 'error', 'timeout', 'out-of-memory', 'throttled', 'crashed'];
const OUTCOME_CODE = new Map<Outcome, number>(OUTCOMES.map((o, i) => [o, i]));
/** Invocation ids are UUIDs (36 characters); a longer one is kept aside whole. */
const ID_BYTES = 36;
const INITIAL_CAPACITY = 1024;

interface FunctionKey {
  app: string;
  functionName: string;
  version: number;
  trigger: TriggerTag;
  memoryMb: number;
}

/**
 * Finished invocations waiting to be written, kept in columns (typed arrays
 * and an id byte area) instead of the lifecycle objects themselves. Held
 * objects live past a few scavenges, get copied into the old generation and
 * cost the node ~4 µs of CPU per invocation in GC; numbers in typed arrays
 * cost nothing to keep. Records are rebuilt when a batch is taken, off the
 * hot path.
 */
export class RecordBuffer implements WriteBuffer<InvocationEnd, InvocationRecord> {
  #capacity = 0;
  #start = 0;
  #end = 0;
  #numbers = new Float64Array(0);
  #small = new Int32Array(0);
  #ids = Buffer.alloc(0);
  /** Values that do not fit the columns, by slot: long ids and error messages. */
  readonly #asides = new Map<number, { id?: string; error?: string }>();
  readonly #keys: FunctionKey[] = [];
  readonly #keyIndex = new Map<string, Map<string, number>>();
  #lastKey = -1;

  get length(): number {
    return this.#end - this.#start;
  }

  push(end: InvocationEnd): void {
    if (this.#end === this.#capacity) this.#grow();
    const slot = this.#end++;
    const n = slot * NUMBERS;
    const numbers = this.#numbers;
    numbers[n] = end.admittedAt;
    numbers[n + 1] = end.startedAt;
    numbers[n + 2] = end.durationMs;
    numbers[n + 3] = end.coldStartMs ?? Number.NaN;
    numbers[n + 4] = end.cpuMicros;
    numbers[n + 5] = end.peakRssBytes;
    const small = slot * SMALL;
    this.#small[small] = this.#keyOf(end);
    this.#small[small + 1] = OUTCOME_CODE.get(end.outcome) ?? 0;
    const fits = end.id.length === ID_BYTES && this.#ids.write(end.id, slot * ID_BYTES, ID_BYTES, 'latin1') === ID_BYTES && isLatin1(end.id);
    if (!fits || end.error !== undefined) this.#asides.set(slot, { ...(fits ? {} : { id: end.id }), ...(end.error !== undefined ? { error: end.error } : {}) });
  }

  take(max: number): InvocationRecord[] {
    const count = Math.min(max, this.length);
    const out: InvocationRecord[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const slot = this.#start + i;
      const n = slot * NUMBERS;
      const key = this.#keys[this.#small[slot * SMALL]!]!;
      const aside = this.#asides.get(slot);
      if (aside) this.#asides.delete(slot);
      const coldStartMs = this.#numbers[n + 3]!;
      out[i] = toInvocationRecord({
        id: aside?.id ?? this.#ids.toString('latin1', slot * ID_BYTES, (slot + 1) * ID_BYTES),
        app: key.app, functionName: key.functionName, version: key.version, trigger: key.trigger, memoryMb: key.memoryMb,
        admittedAt: this.#numbers[n]!, startedAt: this.#numbers[n + 1]!, durationMs: this.#numbers[n + 2]!,
        coldStartMs: Number.isNaN(coldStartMs) ? null : coldStartMs, cpuMicros: this.#numbers[n + 4]!,
        peakRssBytes: this.#numbers[n + 5]!, outcome: OUTCOMES[this.#small[slot * SMALL + 1]!]!, error: aside?.error,
        traceparent: undefined,
      });
    }
    this.#start += count;
    if (this.#start === this.#end) {
      this.#start = 0;
      this.#end = 0;
    }
    return out;
  }

  #keyOf(end: InvocationEnd): number {
    // Consecutive invocations are mostly of the same function: no lookup at all then.
    const last = this.#keys[this.#lastKey];
    if (last && last.functionName === end.functionName && last.app === end.app && last.version === end.version && last.trigger === end.trigger && last.memoryMb === end.memoryMb) {
      return this.#lastKey;
    }
    this.#lastKey = this.#lookUpKey(end);
    return this.#lastKey;
  }

  #lookUpKey(end: InvocationEnd): number {
    let byFunction = this.#keyIndex.get(end.app);
    if (!byFunction) this.#keyIndex.set(end.app, (byFunction = new Map()));
    const rest = `${end.functionName}\u0000${end.version}\u0000${end.trigger}\u0000${end.memoryMb}`;
    let index = byFunction.get(rest);
    if (index === undefined) {
      index = this.#keys.length;
      this.#keys.push({ app: end.app, functionName: end.functionName, version: end.version, trigger: end.trigger, memoryMb: end.memoryMb });
      byFunction.set(rest, index);
    }
    return index;
  }

  /** Moves what is waiting to the front, and doubles the room if that is not enough. */
  #grow(): void {
    const live = this.length;
    const capacity = live * 2 > this.#capacity || this.#capacity === 0 ? Math.max(INITIAL_CAPACITY, this.#capacity * 2) : this.#capacity;
    const numbers = new Float64Array(capacity * NUMBERS);
    numbers.set(this.#numbers.subarray(this.#start * NUMBERS, this.#end * NUMBERS));
    const small = new Int32Array(capacity * SMALL);
    small.set(this.#small.subarray(this.#start * SMALL, this.#end * SMALL));
    const ids = Buffer.alloc(capacity * ID_BYTES);
    this.#ids.copy(ids, 0, this.#start * ID_BYTES, this.#end * ID_BYTES);
    if (this.#start > 0 && this.#asides.size > 0) {
      const moved = [...this.#asides].map(([slot, value]) => [slot - this.#start, value] as const);
      this.#asides.clear();
      for (const [slot, value] of moved) this.#asides.set(slot, value);
    }
    this.#numbers = numbers;
    this.#small = small;
    this.#ids = ids;
    this.#capacity = capacity;
    this.#start = 0;
    this.#end = live;
  }
}

/** Columns per record: admittedAt, startedAt, durationMs, coldStartMs (NaN: none), cpuMicros, peakRssBytes. */
const NUMBERS = 6;
/** Small columns per record: function key, outcome. */
const SMALL = 2;

function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}
