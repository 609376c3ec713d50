import type Database from 'better-sqlite3';
import type { Outcome, TriggerTag } from '../../runtime/invocation.js';
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
CREATE TABLE IF NOT EXISTS metering_invocations (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  app TEXT NOT NULL,
  function_name TEXT NOT NULL,
  version INTEGER NOT NULL,
  trigger TEXT NOT NULL,
  admitted_at INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  billed_ms INTEGER NOT NULL,
  memory_mb INTEGER NOT NULL,
  gb_seconds REAL NOT NULL,
  cpu_ms REAL NOT NULL,
  peak_memory_bytes INTEGER NOT NULL,
  cold_start INTEGER NOT NULL,
  cold_start_ms REAL,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'timeout', 'out-of-memory', 'throttled', 'crashed')),
  error TEXT
);
CREATE INDEX IF NOT EXISTS metering_invocations_by_function ON metering_invocations (app, function_name, seq);
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

interface RecordRow {
  id: string;
  app: string;
  function_name: string;
  version: number;
  trigger: string;
  admitted_at: number;
  started_at: number;
  duration_ms: number;
  billed_ms: number;
  memory_mb: number;
  gb_seconds: number;
  cpu_ms: number;
  peak_memory_bytes: number;
  cold_start: number;
  cold_start_ms: number | null;
  outcome: string;
  error: string | null;
}

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
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #insertRecord: Database.Statement;
  readonly #addToMinute: Database.Statement;
  readonly #writeBatch: (records: readonly InvocationRecord[]) => void;

  constructor(db: Database.Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    db.exec(SCHEMA);
    this.#insertRecord = db.prepare(`INSERT INTO metering_invocations
      (id, app, function_name, version, trigger, admitted_at, started_at, duration_ms, billed_ms, memory_mb,
       gb_seconds, cpu_ms, peak_memory_bytes, cold_start, cold_start_ms, outcome, error)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
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
    this.#writeBatch = db.transaction((records: readonly InvocationRecord[]) => {
      // Summed in memory first: one upsert per function and minute, not per record.
      const minutes = new Map<string, MinuteRow>();
      for (const record of records) {
        this.#insertRecord.run(
          record.id,
          record.app,
          record.functionName,
          record.version,
          record.trigger,
          record.admittedAt,
          record.startedAt,
          record.durationMs,
          record.billedMs,
          record.memoryMb,
          record.gbSeconds,
          record.cpuMs,
          record.peakMemoryBytes,
          record.coldStart ? 1 : 0,
          record.coldStartMs,
          record.outcome,
          record.error,
        );
        addToMinute(minutes, record);
      }
      for (const row of minutes.values()) this.#addToMinute.run(row);
    });
  }

  async writeBatch(records: readonly InvocationRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.#writeBatch(records);
  }

  async listRecords(query: InvocationRecordQuery): Promise<InvocationRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.app !== undefined) {
      where.push('app = ?');
      params.push(query.app);
    }
    if (query.functionName !== undefined) {
      where.push('function_name = ?');
      params.push(query.functionName);
    }
    const sql = `SELECT * FROM metering_invocations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq DESC LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...params, query.limit) as RecordRow[];
    return rows.map(fromRecordRow);
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
      // Records are written in the order invocations finish, so age follows seq
      // closely: deleting below the first young-enough seq needs no time index
      // (one less index to update per record) and reads only what it deletes.
      const firstYoung = this.#db
        .prepare('SELECT seq FROM metering_invocations WHERE started_at >= ? ORDER BY seq LIMIT 1')
        .get(now - retention.recordMaxAgeMs) as { seq: number } | undefined;
      let recordsDeleted = firstYoung
        ? this.#db.prepare('DELETE FROM metering_invocations WHERE seq < ?').run(firstYoung.seq).changes
        : this.#db.prepare('DELETE FROM metering_invocations').run().changes;
      // seq grows with insertion, so the newest `recordMaxCount` rows are those at or above this one.
      const oldestKept = this.#db
        .prepare('SELECT seq FROM metering_invocations ORDER BY seq DESC LIMIT 1 OFFSET ?')
        .get(Math.max(0, retention.recordMaxCount - 1)) as { seq: number } | undefined;
      if (retention.recordMaxCount === 0) {
        recordsDeleted += this.#db.prepare('DELETE FROM metering_invocations').run().changes;
      } else if (oldestKept) {
        recordsDeleted += this.#db.prepare('DELETE FROM metering_invocations WHERE seq < ?').run(oldestKept.seq).changes;
      }
      const rollupsDeleted = this.#db
        .prepare('DELETE FROM metering_minutes WHERE minute < ?')
        .run(now - retention.rollupMaxAgeMs).changes;
      return { recordsDeleted, rollupsDeleted };
    })();
  }
}

function addToMinute(minutes: Map<string, MinuteRow>, record: InvocationRecord): void {
  const minute = Math.floor(record.startedAt / MINUTE_MS) * MINUTE_MS;
  const key = `${record.app}\u0000${record.functionName}\u0000${minute}`;
  let row = minutes.get(key);
  if (!row) {
    row = {
      app: record.app,
      function_name: record.functionName,
      minute,
      invocations: 0,
      errors: 0,
      timeouts: 0,
      out_of_memory: 0,
      throttled: 0,
      crashed: 0,
      cold_starts: 0,
      billed_ms: 0,
      gb_seconds: 0,
      cpu_ms: 0,
      duration_sum_ms: 0,
      duration_max_ms: 0,
    };
    minutes.set(key, row);
  }
  row.invocations += 1;
  if (record.outcome !== 'ok') row[OUTCOME_COLUMNS[record.outcome]] += 1;
  if (record.coldStart) row.cold_starts += 1;
  row.billed_ms += record.billedMs;
  row.gb_seconds += record.gbSeconds;
  row.cpu_ms += record.cpuMs;
  row.duration_sum_ms += record.durationMs;
  row.duration_max_ms = Math.max(row.duration_max_ms, record.durationMs);
}

function fromRecordRow(row: RecordRow): InvocationRecord {
  return {
    id: row.id,
    app: row.app,
    functionName: row.function_name,
    version: row.version,
    trigger: row.trigger as TriggerTag,
    admittedAt: row.admitted_at,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    billedMs: row.billed_ms,
    memoryMb: row.memory_mb,
    gbSeconds: row.gb_seconds,
    cpuMs: row.cpu_ms,
    peakMemoryBytes: row.peak_memory_bytes,
    coldStart: row.cold_start === 1,
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
