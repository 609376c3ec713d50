import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';
import type { Outcome, TriggerTag } from '../../runtime/invocation.js';
import { encodeBatch, functionsMarker } from '../../metering/record-batch-codec.js';
import { RecordColumns } from '../../metering/record-columns.js';
import type { MeasuredInvocation } from '../../metering/invocation-record.js';
import { DURATION_BUCKET_COLUMNS, fromRollupRow, fromUsageRow, minuteOf, toRollupRow, USAGE_PERIOD_MS, type RollupRow, type UsageRow } from '../../metering/minute-rollups.js';
import { ageCut, countCut, RecordCollector, cutSize, recordsStartedBefore, withoutFirst, type BatchSummary, type RecordCut } from '../../metering/record-batches.js';
import { migrateSqlite, type SqliteMigration } from './sqlite-migrations.js';
import { UnsyncedCommits } from './unsynced-commits.js';
import type { Clock } from '../../shared/clock.js';
import type {
  InvocationRecord,
  InvocationRecordQuery,
  MeteringBatch,
  MeteringRetention,
  MeteringStore,
  MinuteRollup,
  RecordPage,
  SweepResult,
  UsageAggregate,
  UsageQuery,
} from '../metering-store.js';

/** Schema steps of this area; see migrateSqlite. Step 1 is the schema of release 0.1, with its move of per-record rows into batches. */
export const METERING_MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, run: migrateRowRecords, sql: `
CREATE TABLE IF NOT EXISTS metering_record_batches (
  seq INTEGER PRIMARY KEY,
  record_count INTEGER NOT NULL,
  oldest_started_at INTEGER NOT NULL,
  newest_started_at INTEGER NOT NULL,
  functions TEXT NOT NULL,
  records BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS metering_minutes (
  app TEXT NOT NULL,
  function_name TEXT NOT NULL,
  minute INTEGER NOT NULL,
  invocations INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  timeouts INTEGER NOT NULL,
  out_of_memory INTEGER NOT NULL,
  throttled INTEGER NOT NULL,
  crashed INTEGER NOT NULL,
  cold_starts INTEGER NOT NULL,
  billed_ms INTEGER NOT NULL,
  gb_seconds REAL NOT NULL,
  cpu_ms REAL NOT NULL,
  duration_sum_ms REAL NOT NULL,
  duration_max_ms REAL NOT NULL,
  PRIMARY KEY (app, function_name, minute)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS metering_minutes_by_minute ON metering_minutes (minute);
` }, {
  // Duration histograms (src/metering/duration-histogram.ts): a counter per bucket, 0 for minutes written before.
  version: 2,
  sql: Array.from({ length: 32 }, (_, i) => `ALTER TABLE metering_minutes ADD COLUMN duration_bucket_${String(i).padStart(2, '0')} INTEGER NOT NULL DEFAULT 0;`).join('\n'),
}];

const SUMS = `SUM(invocations) AS invocations, SUM(errors) AS errors, SUM(timeouts) AS timeouts,
  SUM(out_of_memory) AS out_of_memory, SUM(throttled) AS throttled, SUM(crashed) AS crashed,
  SUM(cold_starts) AS cold_starts, SUM(billed_ms) AS billed_ms, SUM(gb_seconds) AS gb_seconds, SUM(cpu_ms) AS cpu_ms,
  SUM(duration_sum_ms) AS duration_sum_ms, MAX(duration_max_ms) AS duration_max_ms,
  ${DURATION_BUCKET_COLUMNS.map((column) => `SUM(${column}) AS ${column}`).join(', ')}`;

export class SqliteMeteringStore implements MeteringStore {
  readonly #db: SqliteDatabase;
  readonly #clock: Clock;
  readonly #insertBatch: SqliteStatement;
  readonly #addToMinute: SqliteStatement;
  readonly #writeBatch: (batch: MeteringBatch) => void;
  readonly #unsynced: UnsyncedCommits;

  constructor(db: SqliteDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#unsynced = UnsyncedCommits.for(db);
    migrateSqlite(db, 'metering', METERING_MIGRATIONS);
    this.#insertBatch = db.prepare(`INSERT INTO metering_record_batches
      (record_count, oldest_started_at, newest_started_at, functions, records) VALUES (?, ?, ?, ?, ?)`);
    this.#addToMinute = db.prepare(`INSERT INTO metering_minutes
      (app, function_name, minute, invocations, errors, timeouts, out_of_memory, throttled, crashed, cold_starts,
       billed_ms, gb_seconds, cpu_ms, duration_sum_ms, duration_max_ms, ${DURATION_BUCKET_COLUMNS.join(', ')})
      VALUES (@app, @function_name, @minute, @invocations, @errors, @timeouts, @out_of_memory, @throttled, @crashed,
       @cold_starts, @billed_ms, @gb_seconds, @cpu_ms, @duration_sum_ms, @duration_max_ms, ${DURATION_BUCKET_COLUMNS.map((c) => `@${c}`).join(', ')})
      ON CONFLICT (app, function_name, minute) DO UPDATE SET
        invocations = invocations + excluded.invocations,
        errors = errors + excluded.errors,
        timeouts = timeouts + excluded.timeouts,
        out_of_memory = out_of_memory + excluded.out_of_memory,
        throttled = throttled + excluded.throttled,
        crashed = crashed + excluded.crashed,
        cold_starts = cold_starts + excluded.cold_starts,
        billed_ms = billed_ms + excluded.billed_ms,
        gb_seconds = gb_seconds + excluded.gb_seconds,
        cpu_ms = cpu_ms + excluded.cpu_ms,
        duration_sum_ms = duration_sum_ms + excluded.duration_sum_ms,
        duration_max_ms = MAX(duration_max_ms, excluded.duration_max_ms),
        ${DURATION_BUCKET_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(',\n        ')}`);
    this.#writeBatch = db.transaction(({ records, rollups }: MeteringBatch) => {
      this.#insertBatch.run(records.count, records.oldestStartedAt, records.newestStartedAt, records.functions, records.bytes);
      for (const rollup of rollups) this.#addToMinute.run(toRollupRow(rollup));
    });
  }

  async writeBatch(batch: MeteringBatch): Promise<void> {
    if (batch.records.count === 0) return;
    // Records wait up to a second in memory before this write anyway.
    this.#unsynced.run(() => this.#writeBatch(batch));
  }

  async listRecords(query: InvocationRecordQuery): Promise<InvocationRecord[]> {
    return (await this.pageRecords(query)).records;
  }

  async pageRecords(query: InvocationRecordQuery): Promise<RecordPage> {
    const collector = new RecordCollector(query);
    if (query.limit <= 0) return collector.page();
    // Conditions left out rather than made always true, so SQLite walks the rowid range only.
    const conditions = [...(query.app !== undefined ? ['instr(functions, @marker) > 0'] : []), ...(query.before ? ['seq <= @before'] : [])];
    const rows = this.#db
      .prepare(`SELECT seq, records FROM metering_record_batches ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY seq DESC`)
      .iterate({
        ...(query.app !== undefined ? { marker: functionsMarker(query.app, query.functionName) } : {}),
        ...(query.before ? { before: query.before.batch } : {}),
      });
    for (const row of rows as IterableIterator<{ seq: number; records: Uint8Array | string }>) {
      if (collector.add(row.seq, row.records)) {
        (rows as IterableIterator<unknown>).return?.();
        break;
      }
    }
    return collector.page();
  }

  async listRollups(query: { app?: string; since: number }): Promise<MinuteRollup[]> {
    const sinceMinute = minuteOf(query.since);
    const rows = (query.app === undefined
      ? this.#db.prepare('SELECT * FROM metering_minutes WHERE minute >= ? ORDER BY minute, app, function_name').all(sinceMinute)
      : this.#db
          .prepare('SELECT * FROM metering_minutes WHERE app = ? AND minute >= ? ORDER BY minute, function_name')
          .all(query.app, sinceMinute)) as RollupRow[];
    return rows.map(fromRollupRow);
  }

  async usage(query: UsageQuery): Promise<UsageAggregate[]> {
    const groupColumns =
      query.by === 'function'
        ? 'app, function_name, NULL AS period'
        : `NULL AS app, NULL AS function_name, (minute / ${USAGE_PERIOD_MS[query.by]}) * ${USAGE_PERIOD_MS[query.by]} AS period`;
    const groupBy = query.by === 'function' ? 'app, function_name' : 'period';
    const appFilter = `${query.app === undefined ? '' : 'AND app = @app'} ${query.functionName === undefined ? '' : 'AND function_name = @fn'}`;
    const rows = this.#db
      .prepare(
        `SELECT ${groupColumns}, ${SUMS} FROM metering_minutes
         WHERE minute >= @since ${appFilter} GROUP BY ${groupBy} ORDER BY ${groupBy}`,
      )
      .all({
        since: minuteOf(query.since),
        ...(query.app === undefined ? {} : { app: query.app }),
        ...(query.functionName === undefined ? {} : { fn: query.functionName }),
      }) as UsageRow[];
    return rows.map(fromUsageRow);
  }

  async sweep(retention: MeteringRetention): Promise<SweepResult> {
    const now = this.#clock.now();
    return this.#db.transaction((): SweepResult => {
      const cutoff = now - retention.recordMaxAgeMs;
      const byAge = ageCut(
        this.#summaries('SELECT seq, record_count, newest_started_at FROM metering_record_batches WHERE oldest_started_at < ? ORDER BY seq', cutoff),
        cutoff,
        (seq) => recordsStartedBefore(this.#recordsOf(seq), cutoff),
      );
      this.#apply(byAge);
      const { total } = this.#db.prepare('SELECT COALESCE(SUM(record_count), 0) AS total FROM metering_record_batches').get() as { total: number };
      const byCount = countCut(this.#summaries('SELECT seq, record_count, newest_started_at FROM metering_record_batches ORDER BY seq'), total, retention.recordMaxCount);
      this.#apply(byCount);
      const rollupsDeleted = this.#db
        .prepare('DELETE FROM metering_minutes WHERE minute < ?')
        .run(now - retention.rollupMaxAgeMs).changes;
      return { recordsDeleted: cutSize(byAge) + cutSize(byCount), rollupsDeleted };
    })();
  }

  /** Batch summaries in write order, read lazily: only counts and times, never records. */
  *#summaries(sql: string, ...params: number[]): Generator<BatchSummary> {
    for (const row of this.#db.prepare(sql).iterate(...params) as IterableIterator<BatchRow>) {
      yield { seq: row.seq, recordCount: row.record_count, newestStartedAt: row.newest_started_at };
    }
  }

  #apply(cut: RecordCut): void {
    if (cut.deleteThroughSeq !== null) this.#db.prepare('DELETE FROM metering_record_batches WHERE seq <= ?').run(cut.deleteThroughSeq);
    if (cut.cut) {
      const kept = withoutFirst(this.#recordsOf(cut.cut.seq), cut.cut.drop);
      this.#db
        .prepare('UPDATE metering_record_batches SET record_count = ?, oldest_started_at = ?, newest_started_at = ?, functions = ?, records = ? WHERE seq = ?')
        .run(kept.count, kept.oldestStartedAt, kept.newestStartedAt, kept.functions, kept.bytes, cut.cut.seq);
    }
  }

  #recordsOf(seq: number): Uint8Array | string {
    return (this.#db.prepare('SELECT records FROM metering_record_batches WHERE seq = ?').get(seq) as { records: Uint8Array | string }).records;
  }
}

interface BatchRow {
  seq: number;
  record_count: number;
  newest_started_at: number;
}

/** Databases from before batched records kept one row per record: move them into batches once. */
function migrateRowRecords(db: SqliteDatabase): void {
  const legacy = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'metering_invocations'").get();
  if (!legacy) return;
  const insert = db.prepare(`INSERT INTO metering_record_batches
    (record_count, oldest_started_at, newest_started_at, functions, records) VALUES (?, ?, ?, ?, ?)`);
  const page = db.prepare('SELECT * FROM metering_invocations WHERE seq > ? ORDER BY seq LIMIT ?');
  // Runs inside the migration step's transaction.
  let after = 0;
  for (;;) {
    const rows = page.all(after, LEGACY_MIGRATION_BATCH) as (LegacyRecordRow & { seq: number })[];
    if (rows.length === 0) break;
    const encoded = encodeBatch(RecordColumns.fromRecords(rows.map(fromLegacyRow)));
    insert.run(encoded.count, encoded.oldestStartedAt, encoded.newestStartedAt, encoded.functions, encoded.bytes);
    after = rows.at(-1)!.seq;
  }
  db.exec('DROP TABLE metering_invocations');
}

const LEGACY_MIGRATION_BATCH = 1000;

/** The columns of a legacy row that are kept: billed time, GB-seconds and the cold-start flag are derived again. */
interface LegacyRecordRow {
  id: string;
  app: string;
  function_name: string;
  version: number;
  trigger: string;
  admitted_at: number;
  started_at: number;
  duration_ms: number;
  memory_mb: number;
  cpu_ms: number;
  peak_memory_bytes: number;
  cold_start_ms: number | null;
  outcome: string;
  error: string | null;
}

function fromLegacyRow(row: LegacyRecordRow): MeasuredInvocation {
  return {
    id: row.id,
    app: row.app,
    functionName: row.function_name,
    version: row.version,
    trigger: row.trigger as TriggerTag,
    admittedAt: row.admitted_at,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    memoryMb: row.memory_mb,
    cpuMs: row.cpu_ms,
    peakMemoryBytes: row.peak_memory_bytes,
    coldStartMs: row.cold_start_ms,
    outcome: row.outcome as Outcome,
    error: row.error,
  };
}
