import { freezeDeep } from '../shared/freeze-deep.js';

/**
 * Timer settings as the registry stores them (JSON text), parsed once per
 * distinct text in a listing: the records with equal settings share one
 * frozen object (timers deployed together mostly have equal settings), which
 * the scheduler then checks once.
 */
export function mapWithSharedSettings<R, T>(
  rows: readonly R[], textOf: (row: R) => string, toRecord: (row: R, settings: Record<string, unknown>) => T,
  /** The settings parsed so far in this listing, by their text: passed from page to page of one listing read in pages. */
  parsed = new Map<string, Record<string, unknown>>(),
): T[] {
  return rows.map((row) => {
    const text = textOf(row);
    let settings = parsed.get(text);
    if (settings === undefined) parsed.set(text, (settings = parseStoredSettings(text)));
    return toRecord(row, settings);
  });
}

/** One record's settings: frozen like a listing's, which are shared, so no consumer can tell which it holds. */
export function parseStoredSettings(text: string): Record<string, unknown> {
  return freezeDeep(JSON.parse(text) as Record<string, unknown>);
}
