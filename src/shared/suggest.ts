/**
 * "Did you mean": the closest known name to a mistyped one, by edit distance
 * with swaps of two neighbouring letters counted as one edit (`dpeloy` is one
 * edit from `deploy`), letter case ignored. Only close names are offered: at
 * most one edit in three letters, so a word that merely shares letters is
 * not, unless `maxDistance` sets the bound: settings names are short
 * (`pth` for `path`) and a hint there is worth an occasional odd one.
 */
export function closest(word: string, candidates: Iterable<string>, options: { maxDistance?: number } = {}): string | undefined {
  const allowed = options.maxDistance ?? Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    // The distance is at least the difference in length: a long word (a path part of kilobytes) costs nothing here.
    if (Math.abs(candidate.length - word.length) > Math.min(allowed, bestDistance)) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= allowed && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `; did you mean "deploy"?` when there is a close name, else nothing. */
export function didYouMean(word: string, candidates: Iterable<string>, options: { maxDistance?: number } = {}): string {
  const match = closest(word, candidates, options);
  return match === undefined ? '' : `; did you mean "${match}"?`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
