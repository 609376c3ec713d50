import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/** Random bytes for this many ids are drawn at once: one call into the system's generator instead of one per id. */
const IDS_PER_DRAW = 256;
const ID_RANDOM_BYTES = 16;
const pool = new Uint8Array(IDS_PER_DRAW * ID_RANDOM_BYTES);
let next = pool.length;

function randomBytes(): Uint8Array {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = pool.subarray(next, next + ID_RANDOM_BYTES);
  next += ID_RANDOM_BYTES;
  return bytes;
}

/** Made once: an id is made for every invocation. */
const V7_OPTIONS = { rng: randomBytes };

/**
 * A new invocation's id: a UUID whose first 48 bits are the millisecond it was
 * made (version 7), then 73 random bits (ids of one millisecond sort among
 * themselves at random). The stores index log lines by
 * invocation; with random ids (version 4) every invocation's lines landed on a
 * random page of that index, so each batch of lines rewrote a page per
 * invocation. Ids made close in time sort close together, and a batch touches
 * the index's last few pages.
 */
export function newInvocationId(): string {
  return v7(V7_OPTIONS);
}
