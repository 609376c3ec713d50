import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets without leaking where they differ or how long the
 * expected one is: both sides are hashed to a fixed length first, because
 * `timingSafeEqual` itself refuses (quickly) when lengths differ.
 */
export function constantTimeEqual(expected: string, presented: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(a, b);
}
