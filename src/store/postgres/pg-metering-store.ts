import type { PgDatabase, PgQueryable } from './pg-database.js';
import type { Clock } from '../../shared/clock.js';
import { functionsMarker, type EncodedBatch } from '../../metering/record-batch-codec.js';
import { DURATION_BUCKET_COLUMNS, fromRollupRow, fromUsageRow, minuteOf, toRollupRow, USAGE_PERIOD_MS, type RollupRow, type UsageRow } from '../../metering/minute-rollups.js';
import { ageCut, countCut, RecordCollector, cutSize, recordsStartedBefore, withoutFirst, type BatchSummary, type RecordCut } from '../../metering/record-batches.js';
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

/** Batches read per round trip when listing records newest first. */
const RECORD_PAGE_BATCHES = 16;
/** Arbitrary, fixed: held by the node sweeping metering; another node finding it taken skips its sweep. */
const SWEEP_LOCK_ID = 0x4e4d5357; // "NMSW"

const ROLLUP_COLUMNS: readonly (keyof RollupRow)[] = ['app', 'function_name', 'minute', 'invocations', 'errors', 'timeouts', 'out_of_memory', 'throttled', 'crashed',
  'cold_starts', 'billed_ms', 'gb_seconds', 'cpu_ms', 'duration_sum_ms', 'duration_max_ms', ...DURATION_BUCKET_COLUMNS];
const ROLLUP_TYPES = ['text', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint',
  'bigint', 'bigint', 'float8', 'float8', 'float8', 'float8', ...DURATION_BUCKET_COLUMNS.map(() => 'bigint')];
/** bigint comes back from pg as a string; every count here fits a double exactly. */
const ROLLUP_SELECT = ROLLUP_COLUMNS.map((c, i) => (ROLLUP_TYPES[i] === 'bigint' ? `${c}::float8 AS ${c}` : c)).join(', ');
const ADD_ROLLUPS = ROLLUP_COLUMNS.slice(3)
  .map((c) => (c === 'duration_max_ms' ? `${c} = GREATEST(m.${c}, excluded.${c})` : `${c} = m.${c} + excluded.${c}`))
  .join(',\n    ');
const SUMS = ROLLUP_COLUMNS.slice(3)
  .map((c) => (c === 'duration_max_ms' ? `MAX(${c}) AS ${c}` : `SUM(${c})::float8 AS ${c}`))
  .join(', ');

/**
 * A batch is one statement, so one round trip: the records' row and the
 * roll-up upsert in a data-modifying WITH. Roll-ups are only ever added to,
 * so nodes writing the same function and minute at once sum up; rows are
 * upserted in key order so two such writes lock them in the same order.
 */
const WRITE_BATCH = `
WITH batch AS (
  INSERT INTO metering_record_batches (record_count, oldest_started_at, newest_started_at, functions, records)
  VALUES ($1, $2, $3, $4, $5)
)
INSERT INTO metering_minutes AS m (${ROLLUP_COLUMNS.join(', ')})
SELECT * FROM unnest(${ROLLUP_TYPES.map((t, i) => `$${i + 6}::${t}[]`).join(', ')}) ORDER BY 1, 2, 3
ON CONFLICT (app, function_name, minute) DO UPDATE SET
    ${ADD_ROLLUPS}`;

interface BatchRow {
  seq: number;
  record_count: number;
  newest_started_at: number;
}

/** Metering on PostgreSQL; what is stored and how it is summed is the SQLite store's, from src/metering. */
export class PgMeteringStore implements MeteringStore {
  readonly #db: PgDatabase;
  readonly #clock: Clock;

  constructor(db: PgDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async writeBatch({ records, rollups }: MeteringBatch): Promise<void> {
    if (records.count === 0) return;
    const rows = rollups.map(toRollupRow);
    await this.#db.query(WRITE_BATCH, [
      records.count, records.oldestStartedAt, records.newestStartedAt, records.functions, records.bytes,
      ...ROLLUP_COLUMNS.map((column) => rows.map((row) => row[column])),
    ]);
  }

  async listRecords(query: InvocationRecordQuery): Promise<InvocationRecord[]> {
    return (await this.pageRecords(query)).records;
  }

  async pageRecords(query: InvocationRecordQuery): Promise<RecordPage> {
    const collector = new RecordCollector(query);
    if (query.limit <= 0) return collector.page();
    const marker = query.app === undefined ? null : functionsMarker(query.app, query.functionName);
    // The first read includes the cursor's own batch; later reads go on below the last batch read.
    let through: number | null = query.before?.batch ?? null;
    for (;;) {
      const page: { seq: number; records: Buffer }[] = await this.#db.query<{ seq: number; records: Buffer }>(
        `SELECT seq::float8 AS seq, records FROM metering_record_batches
         WHERE ($1::text IS NULL OR strpos(functions, $1) > 0) AND ($2::bigint IS NULL OR seq <= $2)
         ORDER BY seq DESC LIMIT ${RECORD_PAGE_BATCHES}`,
        [marker, through],
      );
      for (const row of page) if (collector.add(row.seq, row.records)) return collector.page();
      if (page.length < RECORD_PAGE_BATCHES) return collector.page();
      through = page.at(-1)!.seq - 1;
    }
  }

  async listRollups(query: { app?: string; since: number }): Promise<MinuteRollup[]> {
    const rows = await this.#db.query<RollupRow>(
      `SELECT ${ROLLUP_SELECT} FROM metering_minutes WHERE ($1::text IS NULL OR app = $1) AND minute >= $2
       ORDER BY minute, app, function_name`,
      [query.app ?? null, minuteOf(query.since)],
    );
    return rows.map(fromRollupRow);
  }

  async usage(query: UsageQuery): Promise<UsageAggregate[]> {
    const groupColumns =
      query.by === 'function'
        ? 'app, function_name, NULL::float8 AS period'
        : `NULL AS app, NULL AS function_name, ((minute / ${USAGE_PERIOD_MS[query.by]}) * ${USAGE_PERIOD_MS[query.by]})::float8 AS period`;
    const groupBy = query.by === 'function' ? 'app, function_name' : 'period';
    const rows = await this.#db.query<UsageRow>(
      `SELECT ${groupColumns}, ${SUMS} FROM metering_minutes
       WHERE minute >= $1 AND ($2::text IS NULL OR app = $2) AND ($3::text IS NULL OR function_name = $3) GROUP BY ${groupBy} ORDER BY ${groupBy}`,
      [minuteOf(query.since), query.app ?? null, query.functionName ?? null],
    );
    return rows.map(fromUsageRow);
  }

  async sweep(retention: MeteringRetention): Promise<SweepResult> {
    const now = this.#clock.now();
    return this.#db.transaction(async (tx): Promise<SweepResult> => {
      const [lock] = await tx.query<{ taken: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS taken', [SWEEP_LOCK_ID]);
      if (!lock?.taken) return { recordsDeleted: 0, rollupsDeleted: 0 };
      const cutoff = now - retention.recordMaxAgeMs;
      const old = await tx.query<BatchRow>(
        `SELECT seq::float8 AS seq, record_count, newest_started_at FROM metering_record_batches
         WHERE oldest_started_at < $1 ORDER BY seq`,
        [cutoff],
      );
      const straddling = old.find((b) => b.newest_started_at >= cutoff);
      const startedBefore = straddling ? recordsStartedBefore(await recordsOf(tx, straddling.seq), cutoff) : 0;
      const byAge = ageCut(old.map(summary), cutoff, () => startedBefore);
      await apply(tx, byAge);
      const [{ total } = { total: 0 }] = await tx.query<{ total: number }>(
        'SELECT COALESCE(SUM(record_count), 0)::float8 AS total FROM metering_record_batches',
      );
      // Only the batches the count cut reaches: those starting within the excess, oldest first.
      const first = await tx.query<BatchRow>(
        `SELECT seq, record_count, newest_started_at FROM (
           SELECT seq::float8 AS seq, record_count, newest_started_at, SUM(record_count) OVER (ORDER BY seq) AS running
           FROM metering_record_batches) b
         WHERE running - record_count < $1 ORDER BY seq`,
        [Math.max(0, total - retention.recordMaxCount)],
      );
      const byCount = countCut(first.map(summary), total, retention.recordMaxCount);
      await apply(tx, byCount);
      const [deleted] = await tx.query<{ n: number }>(
        'WITH gone AS (DELETE FROM metering_minutes WHERE minute < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone',
        [now - retention.rollupMaxAgeMs],
      );
      return { recordsDeleted: cutSize(byAge) + cutSize(byCount), rollupsDeleted: deleted?.n ?? 0 };
    });
  }
}

function summary(row: BatchRow): BatchSummary {
  return { seq: row.seq, recordCount: row.record_count, newestStartedAt: row.newest_started_at };
}

async function recordsOf(tx: PgQueryable, seq: number): Promise<Buffer> {
  const [row] = await tx.query<{ records: Buffer }>('SELECT records FROM metering_record_batches WHERE seq = $1', [seq]);
  return row!.records;
}

async function apply(tx: PgQueryable, cut: RecordCut): Promise<void> {
  if (cut.deleteThroughSeq !== null) await tx.query('DELETE FROM metering_record_batches WHERE seq <= $1', [cut.deleteThroughSeq]);
  if (cut.cut) {
    const kept: EncodedBatch = withoutFirst(await recordsOf(tx, cut.cut.seq), cut.cut.drop);
    await tx.query(
      'UPDATE metering_record_batches SET record_count = $1, oldest_started_at = $2, newest_started_at = $3, functions = $4, records = $5 WHERE seq = $6',
      [kept.count, kept.oldestStartedAt, kept.newestStartedAt, kept.functions, kept.bytes, cut.cut.seq],
    );
  }
}
