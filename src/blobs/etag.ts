/** Normalises an entity tag to its quoted form; unquoted input is accepted. */
export function quoteEtag(tag: string): string {
  const t = tag.trim();
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t : `"${t}"`;
}

/**
 * Whether an HTTP condition (`*`, or a comma list of tags) matches the
 * current tag. Comparison is weak (a `W/` prefix is ignored): every tag here
 * is a content hash, so weak and strong mean the same thing.
 */
export function conditionMatches(condition: string, currentEtag: string | undefined): boolean {
  const trimmed = condition.trim();
  if (trimmed === '*') return currentEtag !== undefined;
  if (currentEtag === undefined) return false;
  return trimmed
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .filter((t) => t.length > 0)
    .some((t) => quoteEtag(t) === currentEtag);
}
