/**
 * Timer settings as the registry stores them (JSON text), parsed once per
 * distinct text: the records of a listing with equal settings share one
 * frozen object, and so do the next listing's, while the text is unchanged.
 * The scheduler checks each distinct settings object once (another node,
 * maybe of another version, stored it), so a stable object means each
 * distinct schedule is checked once, not once per timer per sync.
 */
export class StoredTimerSettings {
  /** The last listing's settings by text: what the next one may reuse, bounded by the registry's distinct texts. */
  #previous = new Map<string, Record<string, unknown>>();

  /** Maps each row to a record, given its settings parsed from `textOf(row)`. */
  mapRows<R, T>(rows: readonly R[], textOf: (row: R) => string, toRecord: (row: R, settings: Record<string, unknown>) => T): T[] {
    const seen = new Map<string, Record<string, unknown>>();
    const records = rows.map((row) => {
      const text = textOf(row);
      let settings = seen.get(text);
      if (settings === undefined) {
        settings = this.#previous.get(text) ?? parseStoredSettings(text);
        seen.set(text, settings);
      }
      return toRecord(row, settings);
    });
    this.#previous = seen;
    return records;
  }
}

/** One record's settings: frozen like a listing's, since a consumer cannot tell which it holds. */
export function parseStoredSettings(text: string): Record<string, unknown> {
  return freezeDeep(JSON.parse(text) as Record<string, unknown>);
}

function freezeDeep<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) freezeDeep(inner);
    Object.freeze(value);
  }
  return value;
}
