import type { InvocationRecord, InvocationRecordQuery, MeteringBatch } from '../store/metering-store.js';
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
 * Adds a stored batch's records that match `query` to `out`, newest first,
 * until `out` holds `query.limit`. Stores read batches newest first and stop
 * once this returns true.
 */
export function collectNewest(stored: Uint8Array | string, query: InvocationRecordQuery, out: InvocationRecord[]): boolean {
  if (out.length >= query.limit) return true;
  const columns = decodeBatch(stored);
  for (let slot = columns.count - 1; slot >= 0 && out.length < query.limit; slot--) {
    const key = columns.keyOf(slot);
    if (query.app !== undefined && key.app !== query.app) continue;
    if (query.functionName !== undefined && key.functionName !== query.functionName) continue;
    out.push(columns.record(slot));
  }
  return out.length >= query.limit;
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
