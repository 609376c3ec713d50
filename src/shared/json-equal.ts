/**
 * Whether two values parsed from JSON are equal, key order aside. node:util's
 * isDeepStrictEqual answers the same for such values but covers every kind of
 * object: on settings objects it takes ~0.9 µs to this walk's ~0.2, and a
 * loaded node's start compares some 30,000 of them.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let keys = 0;
  for (const key in left) {
    if (!Object.prototype.hasOwnProperty.call(right, key) || !jsonEqual(left[key], right[key])) return false;
    keys++;
  }
  for (const key in right) if (Object.prototype.hasOwnProperty.call(right, key)) keys--;
  return keys === 0;
}
