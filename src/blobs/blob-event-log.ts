import type { BlobEvent } from '../sdk/definition.js';

/** One recorded change, written in the same transaction as the change itself: a BlobEvent before pattern captures. */
export interface BlobEventRecord extends Omit<BlobEvent, 'params'> {
  /** Position in the whole log (all buckets): what cursors point at. */
  position: number;
  /** Epoch ms of the change. */
  at: number;
}

/**
 * The durable log of blob changes. Readers keep a named cursor in the same
 * store, and move it only after they have handed the events on, so a crash
 * in between re-reads rather than loses.
 */
export interface BlobEventLog {
  /** Events after the cursor (the start of the log for a new cursor), oldest first. */
  readAfter(cursorName: string, limit: number): Promise<BlobEventRecord[]>;
  /** Moves the cursor to `position`; never backwards. */
  advance(cursorName: string, position: number): Promise<void>;
  /**
   * Called after each change commits, in this process only: a wake-up,
   * not a delivery (readers still read the log). Returns an unsubscribe function.
   */
  onEvent(listener: (event: BlobEventRecord) => void): () => void;
}

/** Fixed width keeps string order equal to numeric order. */
export function formatSequencer(bucketSeq: number): string {
  return bucketSeq.toString(16).padStart(16, '0');
}
