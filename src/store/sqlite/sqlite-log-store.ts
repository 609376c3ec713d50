import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';
import type { FunctionLogLine } from '../../runtime/lifecycle.js';
import type { Clock } from '../../shared/clock.js';
import { DEFAULT_LOG_LIMITS, logLineFromRow, type LogLimits, type LogLineRow, type LogQuery, type LogStore, type StoredLogLine } from '../log-store.js';
import { linesToStore, overLimits, trimTarget } from '../../metering/log-limits.js';
import { migrateSqlite, type SqliteMigration } from './sqlite-migrations.js';
import { UnsyncedCommits } from './unsynced-commits.js';

/** Schema steps of this area; see migrateSqlite. */
export const LOG_MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, sql: `
CREATE TABLE IF NOT EXISTS logs_lines (
  seq INTEGER PRIMARY KEY,
  app TEXT NOT NULL,
  function_name TEXT NOT NULL,
  version INTEGER NOT NULL,
  invocation_id TEXT,
  instance_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  level TEXT NOT NULL,
  time INTEGER NOT NULL,
  message TEXT NOT NULL,
  bytes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_lines_by_function ON logs_lines (app, function_name, seq);
CREATE INDEX IF NOT EXISTS logs_lines_by_app ON logs_lines (app, seq);
CREATE INDEX IF NOT EXISTS logs_lines_by_invocation ON logs_lines (invocation_id) WHERE invocation_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS logs_function_totals (
  app TEXT NOT NULL,
  function_name TEXT NOT NULL,
  lines INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (app, function_name)
) WITHOUT ROWID;
` }];


/** Lines stored by one INSERT: a batch (up to 1,000 lines) runs a few dozen statements instead of one per line. */
const LINES_PER_INSERT = 32;
/** Fewest lines a trim reads at once, when the bytes limit alone asks for more. */
const MIN_TRIM_PAGE = 256;

export class SqliteLogStore implements LogStore {
  readonly #db: SqliteDatabase;
  readonly #limits: LogLimits;
  readonly #append: (lines: readonly FunctionLogLine[]) => StoredLogLine[];
  /** A page of a function's lines after a seq, oldest first: (seq, bytes). */
  readonly #oldest: SqliteStatement<[string, string, number, number], [number, number]>;
  readonly #dropThrough: SqliteStatement;
  readonly #subtractTotals: SqliteStatement;
  readonly #recountTotals: SqliteStatement<[{ app: string; fn: string }]>;
  readonly #unsynced: UnsyncedCommits;

  /** The clock is unused today; kept so every sub-store is built the same way. */
  constructor(db: SqliteDatabase, clock: Clock, limits: Partial<LogLimits> = {}) {
    void clock;
    this.#db = db;
    this.#limits = { ...DEFAULT_LOG_LIMITS, ...limits };
    this.#unsynced = UnsyncedCommits.for(db);
    migrateSqlite(db, 'logs', LOG_MIGRATIONS);
    const insertRows = (rows: number) => db.prepare(`INSERT INTO logs_lines
      (app, function_name, version, invocation_id, instance_id, stream, level, time, message, bytes)
      VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
    const insertMany = insertRows(LINES_PER_INSERT);
    const insertOne = insertRows(1);
    const values: unknown[] = [];
    const addTotals = db.prepare(`INSERT INTO logs_function_totals (app, function_name, lines, bytes) VALUES (?, ?, ?, ?)
      ON CONFLICT (app, function_name) DO UPDATE SET lines = lines + excluded.lines, bytes = bytes + excluded.bytes
      RETURNING lines, bytes`);
    this.#oldest = db.prepare<[string, string, number, number], [number, number]>(
      'SELECT seq, bytes FROM logs_lines WHERE app = ? AND function_name = ? AND seq > ? ORDER BY seq LIMIT ?',
    ).raw();
    this.#dropThrough = db.prepare('DELETE FROM logs_lines WHERE app = ? AND function_name = ? AND seq <= ?');
    this.#subtractTotals = db.prepare('UPDATE logs_function_totals SET lines = lines - ?, bytes = bytes - ? WHERE app = ? AND function_name = ?');
    this.#recountTotals = db.prepare(
      `UPDATE logs_function_totals SET
         lines = (SELECT COUNT(*) FROM logs_lines WHERE app = @app AND function_name = @fn),
         bytes = (SELECT COALESCE(SUM(bytes), 0) FROM logs_lines WHERE app = @app AND function_name = @fn)
       WHERE app = @app AND function_name = @fn`,
    );
    this.#append = db.transaction((lines: readonly FunctionLogLine[]) => {
      const stored: StoredLogLine[] = [];
      const batch = linesToStore(lines, this.#limits);
      const rows = batch.lines;
      for (let at = 0; at < rows.length;) {
        const count = rows.length - at >= LINES_PER_INSERT ? LINES_PER_INSERT : 1;
        values.length = 0;
        for (let i = at; i < at + count; i++) {
          const { line, message, bytes } = rows[i]!;
          values.push(line.app, line.functionName, line.version, line.invocationId, line.instanceId, line.stream, line.level, line.time, message, bytes);
        }
        const result = (count === 1 ? insertOne : insertMany).run(...values);
        // The rows of one INSERT take consecutive rowids, each one more than the largest before it.
        const first = Number(result.lastInsertRowid) - count + 1;
        for (let i = 0; i < count; i++) {
          const { line, message } = rows[at + i]!;
          stored.push({ ...line, message, seq: first + i });
        }
        at += count;
      }
      for (const sum of batch.added) {
        const totals = addTotals.get(sum.app, sum.functionName, sum.lines, sum.bytes) as { lines: number; bytes: number };
        if (overLimits(totals, this.#limits)) this.#trim(sum.app, sum.functionName, totals);
      }
      return stored;
    });
  }

  async append(lines: readonly FunctionLogLine[]): Promise<StoredLogLine[]> {
    if (lines.length === 0) return [];
    // Lines wait up to a flush interval in memory before this write anyway.
    return this.#unsynced.run(() => this.#append(lines));
  }

  async query(query: LogQuery): Promise<StoredLogLine[]> {
    const where = ['app = ?'];
    const params: (string | number)[] = [query.app];
    if (query.functionName !== undefined) {
      where.push('function_name = ?');
      params.push(query.functionName);
    }
    if (query.since !== undefined) {
      where.push('time >= ?');
      params.push(query.since);
    }
    if (query.invocationId !== undefined) {
      where.push('invocation_id = ?');
      params.push(query.invocationId);
    }
    if (query.invocationIdEndsWith !== undefined) {
      // An equality on the id's end, not LIKE: no character of it is a wildcard.
      where.push('substr(invocation_id, ?) = ?');
      params.push(-query.invocationIdEndsWith.length, query.invocationIdEndsWith);
    }
    if (query.afterSeq !== undefined) {
      where.push('seq > ?');
      params.push(query.afterSeq);
    }
    const rows = this.#db
      .prepare(
        `SELECT * FROM (SELECT seq, app, function_name, version, invocation_id, instance_id, stream, level, time, message
         FROM logs_lines WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?) ORDER BY seq`,
      )
      .all(...params, query.limit) as LogLineRow[];
    return rows.map(logLineFromRow);
  }

  async functionTotals(app: string, functionName: string): Promise<{ lines: number; bytes: number }> {
    const row = this.#db
      .prepare('SELECT lines, bytes FROM logs_function_totals WHERE app = ? AND function_name = ?')
      .get(app, functionName) as { lines: number; bytes: number } | undefined;
    return row ?? { lines: 0, bytes: 0 };
  }

  /**
   * Drops a function's oldest lines until it is back under both limits (with headroom). It reads only the lines it
   * drops, oldest first, and takes them off the totals: a steadily logging function is trimmed every tenth of its
   * limit, and reading every line it keeps each time cost the node more than storing the lines did.
   */
  #trim(app: string, functionName: string, totals: { lines: number; bytes: number }): void {
    const { keepLines, keepBytes } = trimTarget(this.#limits);
    const dropLines = totals.lines - keepLines;
    const dropBytes = totals.bytes - keepBytes;
    let lines = 0;
    let bytes = 0;
    let lastDropped: number | undefined;
    // Read in pages (a page of rows costs less than stepping through them one at a time); the first holds all
    // the lines to drop unless the bytes limit asks for more.
    for (let after = 0; lines < dropLines || bytes < dropBytes;) {
      const page = this.#oldest.all(app, functionName, after, Math.max(dropLines - lines, MIN_TRIM_PAGE));
      for (const [seq, size] of page) {
        if (lines >= dropLines && bytes >= dropBytes) break;
        lines += 1;
        bytes += size;
        lastDropped = seq;
      }
      if (page.length === 0) break;
      after = page[page.length - 1]![0];
    }
    if (lines < dropLines || bytes < dropBytes || lastDropped === undefined) {
      // Fewer lines than the totals count: the totals are wrong (they never should be). They are counted again and
      // nothing is dropped on their word; the next append trims by the true counts.
      this.#recountTotals.run({ app, fn: functionName });
      return;
    }
    this.#dropThrough.run(app, functionName, lastDropped);
    this.#subtractTotals.run(lines, bytes, app, functionName);
  }
}
