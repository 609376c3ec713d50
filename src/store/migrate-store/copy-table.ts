import type { PgQueryable } from '../postgres/pg-database.js';
import { bufferOf, type SqliteDatabase } from '../sqlite/sqlite-database.js';

/** PostgreSQL takes at most 65 535 parameters per statement; batches stay well under. */
const MAX_PARAMETERS = 30_000;
const MAX_ROWS_PER_BATCH = 500;

/** One table copied from the SQLite file into PostgreSQL. */
export interface TableCopy<Row> {
  /** The SELECT run on the SQLite file; rows stream, a batch at a time. */
  select: string;
  table: string;
  columns: readonly string[];
  /** The row's values in `columns` order. */
  values(row: Row): readonly unknown[];
  /** Identity columns GENERATED ALWAYS take the old ids only with OVERRIDING SYSTEM VALUE. */
  overridingSystemValue?: boolean;
  /** Runs before a batch is inserted (blob bytes are copied here, so a row never names data that is not there). */
  beforeInsert?(rows: readonly Row[]): Promise<void>;
}

/**
 * Copies every row `select` yields into `table`, in multi-row INSERTs of a
 * few hundred rows: memory stays bounded by one batch whatever the table's size.
 * Returns the number of rows copied.
 */
export async function copyTable<Row>(source: SqliteDatabase, target: PgQueryable, copy: TableCopy<Row>): Promise<number> {
  const perBatch = Math.max(1, Math.min(MAX_ROWS_PER_BATCH, Math.floor(MAX_PARAMETERS / copy.columns.length)));
  let batch: Row[] = [];
  let copied = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await copy.beforeInsert?.(batch);
    await insertRows(target, copy, batch);
    copied += batch.length;
    batch = [];
  };
  // The node is stopped, so nothing writes the file while this statement stays open across awaits.
  for (const row of source.prepare<[], Row>(copy.select).iterate()) {
    batch.push(row);
    if (batch.length >= perBatch) await flush();
  }
  await flush();
  return copied;
}

async function insertRows<Row>(target: PgQueryable, copy: TableCopy<Row>, rows: readonly Row[]): Promise<void> {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const values = copy.values(row);
    if (values.length !== copy.columns.length) throw new Error(`${copy.table}: ${values.length} values for ${copy.columns.length} columns`);
    const placeholders = values.map((value) => {
      params.push(value instanceof Uint8Array ? bufferOf(value) : value);
      return `$${params.length}`;
    });
    return `(${placeholders.join(', ')})`;
  });
  const overriding = copy.overridingSystemValue ? ' OVERRIDING SYSTEM VALUE' : '';
  await target.query(`INSERT INTO ${copy.table} (${copy.columns.join(', ')})${overriding} VALUES ${tuples.join(', ')}`, params);
}

/** The last id SQLite handed out for an AUTOINCREMENT table (higher than any row left when the newest were deleted), else 0. */
export function lastSqliteId(source: SqliteDatabase, table: string, column: string): number {
  const hasSequences = source.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'").get() !== undefined;
  const given = hasSequences ? source.prepare<[string], { seq: number }>('SELECT seq FROM sqlite_sequence WHERE name = ?').get(table)?.seq ?? 0 : 0;
  const present = source.prepare<[], { last: number | null }>(`SELECT MAX(${column}) AS last FROM ${table}`).get()?.last ?? 0;
  return Math.max(Number(given), Number(present));
}

/** Moves a PostgreSQL sequence past the copied ids, so new rows never reuse an id the old node gave out. */
export async function advanceSequence(target: PgQueryable, sequence: string, last: number): Promise<void> {
  if (last > 0) await target.query('SELECT setval($1::regclass, $2::bigint)', [sequence, last]);
}

/** The sequence behind an identity column. */
export async function identitySequence(target: PgQueryable, table: string, column: string): Promise<string> {
  const [row] = await target.query<{ name: string }>('SELECT pg_get_serial_sequence($1, $2) AS name', [table, column]);
  if (!row?.name) throw new Error(`${table}.${column} has no sequence`);
  return row.name;
}
