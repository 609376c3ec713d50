const COLUMN_GAP = '  ';

/** Left-aligned columns sized to their widest cell; the header row first. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join(COLUMN_GAP)
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

export function printJson(out: (line: string) => void, value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** What a listing command prints: the API's JSON with --json, else one line when there is nothing, else its table. */
export interface Listing {
  json: unknown;
  empty: boolean;
  emptyLine: string;
  lines: () => string[];
}

export function printListing(out: (line: string) => void, asJson: boolean, listing: Listing): void {
  if (asJson) printJson(out, listing.json);
  else if (listing.empty) out(listing.emptyLine);
  else for (const line of listing.lines()) out(line);
}

/** "1 message", "3 messages". */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
