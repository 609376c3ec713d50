import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';
import type { Outcome, TriggerTag } from '../../runtime/invocation.js';
import { decodeBatch, encodeBatch, functionsMarker } from './record-batch-codec.js';
import { RecordColumns } from '../../metering/record-columns.js';
import { billedMilliseconds, gigabyteSeconds, type MeasuredInvocation } from '../../metering/invocation-record.js';
import type { Clock } from '../../shared/clock.js';
import type {
  InvocationRecord,
  InvocationRecordQuery,
  MeteringRetention,
  MeteringStore,
  MinuteRollup,
  SweepResult,
  UsageAggregate,
  UsageQuery,
  UsageSums,
} from '../metering-store.js';

const MINUTE_MS = 60_000;
const PERIOD_MS = { hour: 3_600_000, day: 86_400_000 } as const;

/** Roll-up column per failing outcome; `ok` is invocations minus these. */
const OUTCOME_COLUMNS = {
  error: 'errors',
  timeout: 'timeouts',
  'out-of-memory': 'out_of_memory',
  throttled: 'throttled',
  crashed: 'crashed',
} as const satisfies Record<Exclude<Outcome, 'ok'>, string>;

const SCHEMA = `
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
`;

interface MinuteRow {
  app: string;
  function_name: string;
  minute: number;
  invocations: number;
  errors: number;
  timeouts: number;
  out_of_memory: number;
  throttled: number;
  crashed: number;
  cold_starts: number;
  billed_ms: number;
  gb_seconds: number;
  cpu_ms: number;
  duration_sum_ms: number;
  duration_max_ms: number;
}

interface UsageRow extends Omit<MinuteRow, 'minute' | 'app' | 'function_name'> {
  app: string | null;
  function_name: string | null;
  period: number | null;
}

const SUMS = `SUM(invocations) AS invocations, SUM(errors) AS errors, SUM(timeouts) AS timeouts,
  SUM(out_of_memory) AS out_of_memory, SUM(throttled) AS throttled, SUM(crashed) AS crashed,
  SUM(cold_starts) AS cold_starts, SUM(billed_ms) AS billed_ms, SUM(gb_seconds) AS gb_seconds, SUM(cpu_ms) AS cpu_ms,
  SUM(duration_sum_ms) AS duration_sum_ms, MAX(duration_max_ms) AS duration_max_ms`;

export class SqliteMeteringStore implements MeteringStore {
  readonly #db: SqliteDatabase;
  readonly #clock: Clock;
  readonly #insertBatch: SqliteStatement;
  readonly #addToMinute: SqliteStatement;
  readonly #writeBatch: (batch: RecordColumns) => void;
  /** The connection's own durability level, restored after each batch. */
  readonly #synchronous: number;

  constructor(db: SqliteDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    // Not prepared statements: SQLite applies this pragma when a statement is compiled, not when it runs.
    this.#synchronous = Number(db.pragma('synchronous', { simple: true }));
    db.exec(SCHEMA);
    migrateRowRecords(db);
    this.#insertBatch = db.prepare(`INSERT INTO metering_record_batches
      (record_count, oldest_started_at, newest_started_at, functions, records) VALUES (?, ?, ?, ?, ?)`);
    this.#addToMinute = db.prepare(`INSERT INTO metering_minutes
      (app, function_name, minute, invocations, errors, timeouts, out_of_memory, throttled, crashed, cold_starts,
       billed_ms, gb_seconds, cpu_ms, duration_sum_ms, duration_max_ms)
      VALUES (@app, @function_name, @minute, @invocations, @errors, @timeouts, @out_of_memory, @throttled, @crashed,
       @cold_starts, @billed_ms, @gb_seconds, @cpu_ms, @duration_sum_ms, @duration_max_ms)
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
        duration_max_ms = MAX(duration_max_ms, excluded.duration_max_ms)`);
    this.#writeBatch = db.transaction((columns: RecordColumns) => {
      const encoded = encodeBatch(columns);
      this.#insertBatch.run(encoded.count, encoded.oldestStartedAt, encoded.newestStartedAt, encoded.functions, encoded.bytes);
      for (const row of minuteRows(columns)) this.#addToMinute.run(row);
    });
  }

  async writeBatch(batch: RecordColumns): Promise<void> {
    if (batch.count === 0) return;
    // Records wait up to a second in memory before this write anyway: an fsync per batch would only hold
    // the event loop. The commit reaches the disk with the next fsync (a durable write's, or a checkpoint's).
    this.#db.pragma('synchronous = NORMAL');
    try {
      this.#writeBatch(batch);
    } finally {
      this.#db.pragma(`synchronous = ${this.#synchronous}`);
    }
  }

  async listRecords(query: InvocationRecordQuery): Promise<InvocationRecord[]> {
    const out: InvocationRecord[] = [];
    if (query.limit <= 0) return out;
    const filtered = query.app !== undefined;
    const rows = filtered
      ? this.#db.prepare('SELECT records FROM metering_record_batches WHERE instr(functions, ?) > 0 ORDER BY seq DESC')
          .iterate(functionsMarker(query.app!, query.functionName))
      : this.#db.prepare('SELECT records FROM metering_record_batches ORDER BY seq DESC').iterate();
    for (const row of rows as IterableIterator<{ records: Uint8Array | string }>) {
      const columns = decodeBatch(row.records);
      for (let slot = columns.count - 1; slot >= 0 && out.length < query.limit; slot--) {
        const key = columns.keyOf(slot);
        if (query.app !== undefined && key.app !== query.app) continue;
        if (query.functionName !== undefined && key.functionName !== query.functionName) continue;
        out.push(columns.record(slot));
      }
      if (out.length >= query.limit) {
        (rows as IterableIterator<unknown>).return?.();
        break;
      }
    }
    return out;
  }

  async listRollups(query: { app?: string; since: number }): Promise<MinuteRollup[]> {
    const sinceMinute = Math.floor(query.since / MINUTE_MS) * MINUTE_MS;
    const rows = (query.app === undefined
      ? this.#db.prepare('SELECT * FROM metering_minutes WHERE minute >= ? ORDER BY minute, app, function_name').all(sinceMinute)
      : this.#db
          .prepare('SELECT * FROM metering_minutes WHERE app = ? AND minute >= ? ORDER BY minute, function_name')
          .all(query.app, sinceMinute)) as MinuteRow[];
    return rows.map(fromMinuteRow);
  }

  async usage(query: UsageQuery): Promise<UsageAggregate[]> {
    const sinceMinute = Math.floor(query.since / MINUTE_MS) * MINUTE_MS;
    const groupColumns =
      query.by === 'function'
        ? 'app, function_name, NULL AS period'
        : `NULL AS app, NULL AS function_name, (minute / ${PERIOD_MS[query.by]}) * ${PERIOD_MS[query.by]} AS period`;
    const groupBy = query.by === 'function' ? 'app, function_name' : 'period';
    const appFilter = query.app === undefined ? '' : 'AND app = @app';
    const rows = this.#db
      .prepare(
        `SELECT ${groupColumns}, ${SUMS} FROM metering_minutes
         WHERE minute >= @since ${appFilter} GROUP BY ${groupBy} ORDER BY ${groupBy}`,
      )
      .all({ since: sinceMinute, ...(query.app === undefined ? {} : { app: query.app }) }) as UsageRow[];
    return rows.map((row) => ({
      app: row.app,
      functionName: row.function_name,
      periodStart: row.period,
      invocations: row.invocations,
      errors: row.errors + row.timeouts + row.out_of_memory + row.throttled + row.crashed,
      throttled: row.throttled,
      ...sumsOf(row),
    }));
  }

  async sweep(retention: MeteringRetention): Promise<SweepResult> {
    const now = this.#clock.now();
    return this.#db.transaction((): SweepResult => {
      const recordsDeleted = this.#dropOlderThan(now - retention.recordMaxAgeMs) + this.#keepNewest(retention.recordMaxCount);
      const rollupsDeleted = this.#db
        .prepare('DELETE FROM metering_minutes WHERE minute < ?')
        .run(now - retention.rollupMaxAgeMs).changes;
      return { recordsDeleted, rollupsDeleted };
    })();
  }

  /**
   * Records are written in the order invocations finish, so age follows the
   * write order closely: everything before the first record young enough is
   * deleted, and at most one batch (the one holding that record) is rewritten.
   */
  #dropOlderThan(cutoff: number): number {
    // Only counts and times are read to decide; records are read only for the one batch that is cut.
    const old = this.#db
      .prepare('SELECT seq, record_count, newest_started_at FROM metering_record_batches WHERE oldest_started_at < ? ORDER BY seq')
      .iterate(cutoff) as IterableIterator<BatchRow>;
    const whole: BatchRow[] = [];
    let cut: BatchRow | undefined;
    for (const batch of old) {
      if (batch.newest_started_at >= cutoff) {
        cut = batch;
        break;
      }
      whole.push(batch);
    }
    let deleted = this.#deleteThrough(whole);
    if (cut) {
      const columns = decodeBatch(this.#recordsOf(cut));
      let firstKept = 0;
      while (firstKept < columns.count && columns.startedAt(firstKept) < cutoff) firstKept++;
      deleted += this.#trimBatch(cut, columns, firstKept);
    }
    return deleted;
  }

  /** Deletes the oldest records beyond the newest `maxCount`: whole batches, then the front of one. */
  #keepNewest(maxCount: number): number {
    const { total } = this.#db.prepare('SELECT COALESCE(SUM(record_count), 0) AS total FROM metering_record_batches').get() as { total: number };
    let excess = total - maxCount;
    if (excess <= 0) return 0;
    const whole: BatchRow[] = [];
    let cut: BatchRow | undefined;
    for (const batch of this.#db.prepare('SELECT seq, record_count, newest_started_at FROM metering_record_batches ORDER BY seq').iterate() as IterableIterator<BatchRow>) {
      if (batch.record_count > excess) {
        cut = batch;
        break;
      }
      whole.push(batch);
      excess -= batch.record_count;
      if (excess === 0) break;
    }
    let deleted = this.#deleteThrough(whole);
    if (cut && excess > 0) deleted += this.#trimBatch(cut, decodeBatch(this.#recordsOf(cut)), excess);
    return deleted;
  }

  /** Deletes these batches, the oldest ones in order, in one statement. */
  #deleteThrough(batches: readonly BatchRow[]): number {
    const last = batches.at(-1);
    if (!last) return 0;
    this.#db.prepare('DELETE FROM metering_record_batches WHERE seq <= ?').run(last.seq);
    return batches.reduce((n, b) => n + b.record_count, 0);
  }

  #recordsOf(batch: BatchRow): Uint8Array | string {
    return (this.#db.prepare('SELECT records FROM metering_record_batches WHERE seq = ?').get(batch.seq) as { records: Uint8Array | string }).records;
  }

  /** Drops a batch's first `drop` records, keeping its place in the write order. */
  #trimBatch(batch: BatchRow, columns: RecordColumns, drop: number): number {
    if (drop <= 0) return 0;
    const kept = encodeBatch(columns.slice(drop));
    this.#db
      .prepare('UPDATE metering_record_batches SET record_count = ?, oldest_started_at = ?, newest_started_at = ?, functions = ?, records = ? WHERE seq = ?')
      .run(kept.count, kept.oldestStartedAt, kept.newestStartedAt, kept.functions, kept.bytes, batch.seq);
    return drop;
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
  db.transaction(() => {
    let after = 0;
    for (;;) {
      const rows = page.all(after, LEGACY_MIGRATION_BATCH) as (LegacyRecordRow & { seq: number })[];
      if (rows.length === 0) break;
      const encoded = encodeBatch(RecordColumns.fromRecords(rows.map(fromLegacyRow)));
      insert.run(encoded.count, encoded.oldestStartedAt, encoded.newestStartedAt, encoded.functions, encoded.bytes);
      after = rows.at(-1)!.seq;
    }
    db.exec('DROP TABLE metering_invocations');
  })();
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

/** A batch summed per function and minute: one upsert each, not one per record. */
function minuteRows(columns: RecordColumns): Iterable<MinuteRow> {
  const rows = new Map<string, MinuteRow>();
  // Records of one batch mostly share a function and a minute: the row found last is tried first.
  let last: MinuteRow | undefined;
  let lastKey = -1;
  for (let slot = 0; slot < columns.count; slot++) {
    const keyIndex = columns.keyIndexOf(slot);
    const minute = Math.floor(columns.startedAt(slot) / MINUTE_MS) * MINUTE_MS;
    let row = last;
    if (!row || keyIndex !== lastKey || row.minute !== minute) {
      const key = columns.keys[keyIndex]!;
      const name = `${key.app}\u0000${key.functionName}\u0000${minute}`;
      row = rows.get(name);
      if (!row) {
        row = emptyMinuteRow(key.app, key.functionName, minute);
        rows.set(name, row);
      }
      last = row;
      lastKey = keyIndex;
    }
    const outcome = columns.outcomeOf(slot);
    const durationMs = columns.durationMs(slot);
    const billedMs = billedMilliseconds(durationMs, outcome);
    row.invocations += 1;
    if (outcome !== 'ok') row[OUTCOME_COLUMNS[outcome]] += 1;
    if (columns.coldStartMs(slot) !== null) row.cold_starts += 1;
    row.billed_ms += billedMs;
    row.gb_seconds += gigabyteSeconds(columns.keys[keyIndex]!.memoryMb, billedMs);
    row.cpu_ms += columns.cpuMs(slot);
    row.duration_sum_ms += durationMs;
    if (durationMs > row.duration_max_ms) row.duration_max_ms = durationMs;
  }
  return rows.values();
}

function emptyMinuteRow(app: string, functionName: string, minute: number): MinuteRow {
  return {
    app, function_name: functionName, minute, invocations: 0, errors: 0, timeouts: 0, out_of_memory: 0, throttled: 0, crashed: 0,
    cold_starts: 0, billed_ms: 0, gb_seconds: 0, cpu_ms: 0, duration_sum_ms: 0, duration_max_ms: 0,
  };
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

function sumsOf(row: Pick<MinuteRow, 'cold_starts' | 'billed_ms' | 'gb_seconds' | 'cpu_ms' | 'duration_sum_ms' | 'duration_max_ms'>): UsageSums {
  return {
    coldStarts: row.cold_starts,
    billedMs: row.billed_ms,
    gbSeconds: row.gb_seconds,
    cpuMs: row.cpu_ms,
    durationSumMs: row.duration_sum_ms,
    durationMaxMs: row.duration_max_ms,
  };
}

function fromMinuteRow(row: MinuteRow): MinuteRollup {
  const errorsByOutcome: MinuteRollup['errorsByOutcome'] = {};
  for (const [outcome, column] of Object.entries(OUTCOME_COLUMNS) as [Exclude<Outcome, 'ok'>, keyof MinuteRow][]) {
    const count = row[column] as number;
    if (count > 0) errorsByOutcome[outcome] = count;
  }
  return {
    app: row.app,
    functionName: row.function_name,
    minute: row.minute,
    invocations: row.invocations,
    errorsByOutcome,
    ...sumsOf(row),
  };
}
