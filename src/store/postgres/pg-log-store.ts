import type { PgDatabase, PgQueryable } from './pg-database.js';
import type { PgNotifications } from './pg-notifications.js';
import type { FunctionLogLine } from '../../runtime/lifecycle.js';
import type { Clock } from '../../shared/clock.js';
import { DEFAULT_LOG_LIMITS, logLineFromRow, type LogLimits, type LogLineRow, type LogQuery, type LogStore, type StoredLogLine } from '../log-store.js';
import { linesToStore, overLimits, trimTarget } from '../../metering/log-limits.js';

/**
 * Arbitrary, fixed: every node's append holds it until commit. Sequence
 * numbers are taken under it, so they are in commit order across nodes and
 * a tail resuming after `seq` never skips a line another node committed late.
 */
const APPEND_LOCK_ID = 0x4e4c4f47; // "NLOG"
/** NOTIFY channel: the payload is the app whose lines were committed. */
const APPENDED_CHANNEL = 'nimbus_log_lines';


/** Function logs on PostgreSQL; limits and cutting are the SQLite store's, from src/metering/log-limits.ts. */
export class PgLogStore implements LogStore {
  readonly #db: PgDatabase;
  readonly #limits: LogLimits;
  readonly #notifications: PgNotifications | undefined;
  readonly #appended = new Set<(app: string | null) => void>();
  #listening: Promise<unknown> | undefined;

  /** The clock is unused today; kept so every sub-store is built the same way. */
  constructor(db: PgDatabase, clock: Clock, limits: Partial<LogLimits> = {}, options: { notifications?: PgNotifications } = {}) {
    void clock;
    this.#db = db;
    this.#limits = { ...DEFAULT_LOG_LIMITS, ...limits };
    this.#notifications = options.notifications;
    if (this.#notifications) this.onAppended = (listener) => this.#onAppended(listener);
  }

  /** Set when the store has a LISTEN connection: lines appended on other nodes reach this node's tails. */
  onAppended?: (listener: (app: string | null) => void) => () => void;

  #onAppended(listener: (app: string | null) => void): () => void {
    this.#appended.add(listener);
    const notifications = this.#notifications!;
    this.#listening ??= notifications.listen(APPENDED_CHANNEL, (app) => {
      for (const heard of this.#appended) heard(app);
    }).then(() => notifications.onReconnect(() => {
      // Notices sent while the connection was away are lost: every tail reads what it missed.
      for (const heard of this.#appended) heard(null);
    }));
    return () => {
      this.#appended.delete(listener);
    };
  }

  async append(lines: readonly FunctionLogLine[]): Promise<StoredLogLine[]> {
    if (lines.length === 0) return [];
    const batch = linesToStore(lines, this.#limits);
    return this.#db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK_ID]);
      const [{ last } = { last: 0 }] = await tx.query<{ last: number }>(
        "SELECT setval('logs_lines_seq', nextval('logs_lines_seq') + $1 - 1)::float8 AS last",
        [batch.lines.length],
      );
      const first = last - batch.lines.length + 1;
      const column = <T>(pick: (entry: (typeof batch.lines)[number], index: number) => T): T[] => batch.lines.map(pick);
      const totals = await tx.query<{ app: string; function_name: string; lines: number; bytes: number }>(
        `WITH inserted AS (
           INSERT INTO logs_lines (seq, app, function_name, version, invocation_id, instance_id, stream, level, time, message, bytes)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[],
             $9::float8[], $10::text[], $11::int[])
         )
         INSERT INTO logs_function_totals AS t (app, function_name, lines, bytes)
         SELECT * FROM unnest($12::text[], $13::text[], $14::bigint[], $15::bigint[])
         ON CONFLICT (app, function_name) DO UPDATE SET lines = t.lines + excluded.lines, bytes = t.bytes + excluded.bytes
         RETURNING app, function_name, lines::float8 AS lines, bytes::float8 AS bytes`,
        [
          column((_, i) => first + i), column((e) => e.line.app), column((e) => e.line.functionName), column((e) => e.line.version),
          column((e) => e.line.invocationId), column((e) => e.line.instanceId), column((e) => e.line.stream), column((e) => e.line.level),
          column((e) => e.line.time), column((e) => e.message), column((e) => e.bytes),
          batch.added.map((a) => a.app), batch.added.map((a) => a.functionName), batch.added.map((a) => a.lines), batch.added.map((a) => a.bytes),
        ],
      );
      for (const row of totals) if (overLimits(row, this.#limits)) await this.#trim(tx, row.app, row.function_name, row);
      // Delivered at commit, after the lines are readable, to every node's tails (this one's too).
      if (this.#notifications) await tx.query(`SELECT pg_notify('${APPENDED_CHANNEL}', a) FROM (SELECT DISTINCT unnest($1::text[]) AS a) apps`, [batch.added.map((a) => a.app)]);
      return batch.lines.map(({ line, message }, i): StoredLogLine => ({ ...line, message, seq: first + i }));
    });
  }

  async query(query: LogQuery): Promise<StoredLogLine[]> {
    const where = ['app = $1'];
    const params: (string | number)[] = [query.app];
    const add = (condition: string, value: string | number): void => {
      params.push(value);
      where.push(condition.replaceAll('?', `$${params.length}`));
    };
    if (query.functionName !== undefined) add('function_name = ?', query.functionName);
    if (query.since !== undefined) add('time >= ?', query.since);
    if (query.invocationId !== undefined) add('invocation_id = ?', query.invocationId);
    if (query.invocationIdEndsWith !== undefined) {
      // An equality on the id's end, not LIKE: no character of it is a wildcard.
      add('right(invocation_id, char_length(?::text)) = ?', query.invocationIdEndsWith);
    }
    if (query.afterSeq !== undefined) add('seq > ?', query.afterSeq);
    params.push(query.limit);
    const rows = await this.#db.query<LogLineRow>(
      `SELECT * FROM (SELECT seq::float8 AS seq, app, function_name, version, invocation_id, instance_id, stream, level,
         time, message
       FROM logs_lines WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}) newest ORDER BY seq`,
      params,
    );
    return rows.map(logLineFromRow);
  }

  async functionTotals(app: string, functionName: string): Promise<{ lines: number; bytes: number }> {
    const [row] = await this.#db.query<{ lines: number; bytes: number }>(
      'SELECT lines::float8 AS lines, bytes::float8 AS bytes FROM logs_function_totals WHERE app = $1 AND function_name = $2',
      [app, functionName],
    );
    return row ?? { lines: 0, bytes: 0 };
  }

  /**
   * Drops a function's oldest lines until it is back under both limits (with headroom). It reads only the lines it
   * drops, oldest first (the running count and sum stop at the first line where both targets are met), and takes them
   * off the totals: a steadily logging function is trimmed every tenth of its limit.
   */
  async #trim(tx: PgQueryable, app: string, functionName: string, totals: { lines: number; bytes: number }): Promise<void> {
    const { keepLines, keepBytes } = trimTarget(this.#limits);
    const [cut] = await tx.query<{ seq: number; lines: number; bytes: number }>(
      `SELECT seq::float8 AS seq, lines::float8 AS lines, bytes::float8 AS bytes FROM (
         SELECT seq, COUNT(*) OVER oldest_first AS lines, SUM(bytes) OVER oldest_first AS bytes
         FROM logs_lines WHERE app = $1 AND function_name = $2
         WINDOW oldest_first AS (ORDER BY seq ROWS UNBOUNDED PRECEDING)
       ) running WHERE lines >= $3 AND bytes >= $4 ORDER BY running.seq LIMIT 1`,
      [app, functionName, totals.lines - keepLines, totals.bytes - keepBytes],
    );
    if (!cut) {
      // Fewer lines than the totals count: the totals are wrong (they never should be). They are counted again and
      // nothing is dropped on their word; the next append trims by the true counts.
      await tx.query(
        `UPDATE logs_function_totals SET
           lines = (SELECT COUNT(*) FROM logs_lines WHERE app = $1 AND function_name = $2),
           bytes = (SELECT COALESCE(SUM(bytes), 0) FROM logs_lines WHERE app = $1 AND function_name = $2)
         WHERE app = $1 AND function_name = $2`,
        [app, functionName],
      );
      return;
    }
    await tx.query('DELETE FROM logs_lines WHERE app = $1 AND function_name = $2 AND seq <= $3', [app, functionName, cut.seq]);
    await tx.query(
      'UPDATE logs_function_totals SET lines = lines - $3, bytes = bytes - $4 WHERE app = $1 AND function_name = $2',
      [app, functionName, cut.lines, cut.bytes],
    );
  }
}
