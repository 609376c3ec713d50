import type { InvocationRecord, InvocationRecordQuery, MeteringBatch, RecordPage, RecordPosition } from '../store/metering-store.js';
import { minuteRollups } from './minute-rollups.js';
import { decodeBatch, encodeBatch, type EncodedBatch } from './record-batch-codec.js';
import type { RecordColumns } from './record-columns.js';

/**
 * What a store writes for a batch of records: their bytes and the roll-ups
 * they add. Throws on a damaged batch (an unknown outcome code), before
 * anything reaches a store.
 */
export function meteringBatch(columns: RecordColumns): MeteringBatch {
  return { records: encodeBatch(columns), rollups: minuteRollups(columns) };
}

/**
 * One page of records, newest first: stores hand it their batches newest
 * first (those at or before `query.before`'s) and stop once `add` returns
 * true. A record's position is its batch and its place counted from the
 * batch's newest end, which retention (it drops a batch's oldest records)
 * never changes: a cursor stays put while records come and go.
 */
export class RecordCollector {
  readonly #query: InvocationRecordQuery;
  readonly #outcomes: ReadonlySet<string> | null;
  readonly #records: InvocationRecord[] = [];
  #last: RecordPosition | null = null;
  #next: RecordPosition | null = null;

  constructor(query: InvocationRecordQuery) {
    this.#query = query;
    this.#outcomes = query.outcomes ? new Set(query.outcomes) : null;
  }

  /** Adds a stored batch's matching records; true once the page is full and another match is known to follow. */
  add(seq: number, stored: Uint8Array | string): boolean {
    const { before, limit } = this.#query;
    if (this.#next !== null || limit <= 0) return true;
    if (before && seq > before.batch) return false;
    const columns = decodeBatch(stored);
    const skip = before && seq === before.batch ? before.fromEnd + 1 : 0;
    for (let slot = columns.count - 1 - skip; slot >= 0; slot--) {
      const key = columns.keyOf(slot);
      if (this.#query.app !== undefined && key.app !== this.#query.app) continue;
      if (this.#query.functionName !== undefined && key.functionName !== this.#query.functionName) continue;
      if (this.#outcomes && !this.#outcomes.has(columns.outcomeOf(slot))) continue;
      if (this.#records.length === limit) {
        this.#next = this.#last;
        return true;
      }
      this.#records.push(columns.record(slot));
      this.#last = { batch: seq, fromEnd: columns.count - 1 - slot };
    }
    return false;
  }

  page(): RecordPage {
    return { records: this.#records, next: this.#next };
  }
}

/** What a store knows of a batch without reading its records. */
export interface BatchSummary {
  seq: number;
  recordCount: number;
  newestStartedAt: number;
}

/**
 * What retention removes: every batch up to `deleteThroughSeq` whole, then
 * the first `drop` records of batch `cut` (its place in the write order kept).
 */
export interface RecordCut {
  deleteThroughSeq: number | null;
  wholeRecords: number;
  cut: { seq: number; drop: number } | null;
}

/**
 * The cut for a maximum age. Records are written in the order invocations
 * finish, so age follows the write order closely: everything before the
 * first record young enough goes. `oldBatches` are the batches holding a
 * record older than `cutoff`, in write order (read lazily: it stops at the
 * first batch it cuts into); `startedBefore` reads that one batch to count.
 */
export function ageCut(oldBatches: Iterable<BatchSummary>, cutoff: number, startedBefore: (seq: number) => number): RecordCut {
  let deleteThroughSeq: number | null = null;
  let wholeRecords = 0;
  let partial: number | null = null;
  for (const batch of oldBatches) {
    if (batch.newestStartedAt >= cutoff) {
      partial = batch.seq;
      break;
    }
    deleteThroughSeq = batch.seq;
    wholeRecords += batch.recordCount;
  }
  // Read after the loop: a lazily read result (SQLite's iterate) must be closed before the next statement.
  const drop = partial === null ? 0 : startedBefore(partial);
  return { deleteThroughSeq, wholeRecords, cut: partial !== null && drop > 0 ? { seq: partial, drop } : null };
}

/** Records of a batch that started before `cutoff`, counted from its front (its oldest end). */
export function recordsStartedBefore(stored: Uint8Array | string, cutoff: number): number {
  const columns = decodeBatch(stored);
  let count = 0;
  while (count < columns.count && columns.startedAt(count) < cutoff) count++;
  return count;
}

/** The cut that keeps only the newest `maxCount` of `total` records: whole batches, then the front of one. */
export function countCut(batches: Iterable<BatchSummary>, total: number, maxCount: number): RecordCut {
  let excess = total - maxCount;
  let deleteThroughSeq: number | null = null;
  let wholeRecords = 0;
  if (excess <= 0) return { deleteThroughSeq, wholeRecords, cut: null };
  for (const batch of batches) {
    if (batch.recordCount > excess) return { deleteThroughSeq, wholeRecords, cut: { seq: batch.seq, drop: excess } };
    deleteThroughSeq = batch.seq;
    wholeRecords += batch.recordCount;
    excess -= batch.recordCount;
    if (excess === 0) break;
  }
  return { deleteThroughSeq, wholeRecords, cut: null };
}

/** A stored batch without its first `drop` records, ready to be written back in its place. */
export function withoutFirst(stored: Uint8Array | string, drop: number): EncodedBatch {
  return encodeBatch(decodeBatch(stored).slice(drop));
}

/** Records a cut removes in all. */
export function cutSize(cut: RecordCut): number {
  return cut.wholeRecords + (cut.cut?.drop ?? 0);
}
