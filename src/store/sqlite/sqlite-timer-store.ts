import { mapWithSharedSettings, parseStoredSettings } from '../stored-timer-settings.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';
import type { Clock } from '../../shared/clock.js';
import { migrateSqlite, type SqliteMigration } from './sqlite-migrations.js';
import {
  TIMER_FAILED_RUN_HISTORY_LIMIT,
  TIMER_RUN_HISTORY_LIMIT,
  type TimerClaim,
  type TimerNextAfter,
  type TimerNextTime,
  type TimerRecord,
  type TimerRegistration,
  type TimerRun,
  type TimerRunOutcome,
  type TimerRunReason,
  type TimerRunUpdate,
  type TimerStore,
  type ListTimersOptions,
} from '../timer-store.js';

/** Schema steps of this area; see migrateSqlite. */
export const TIMER_MIGRATIONS: readonly SqliteMigration[] = [{ version: 1, sql: `
CREATE TABLE IF NOT EXISTS timer_registry (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  function_name TEXT NOT NULL,
  version INTEGER NOT NULL,
  cron TEXT NOT NULL,
  timezone TEXT NOT NULL,
  settings TEXT NOT NULL,
  last_scheduled_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS timer_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  timer_id TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  node_id TEXT NOT NULL,
  claimed_at INTEGER NOT NULL,
  fired_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL,
  error TEXT,
  finished_at INTEGER,
  next_attempt_at INTEGER,
  is_past_due INTEGER NOT NULL,
  missed INTEGER NOT NULL
);
-- The claim: one scheduled run per timer and time, whoever gets there first.
CREATE UNIQUE INDEX IF NOT EXISTS timer_runs_schedule_claim ON timer_runs (timer_id, scheduled_at) WHERE reason = 'schedule';
CREATE INDEX IF NOT EXISTS timer_runs_by_timer ON timer_runs (timer_id, id);
` }, { version: 2, sql: `
-- Each timer's next time, worked out once, so a start does not work out every timer's again;
-- next_after is the cursor it was worked out for: it counts only while that is still the cursor.
ALTER TABLE timer_registry ADD COLUMN next_at INTEGER;
ALTER TABLE timer_registry ADD COLUMN next_after INTEGER;
` }];

const FAILED_OUTCOMES = `('error','timeout','out-of-memory','crashed','throttled','interrupted')`;

interface RunRow {
  id: number;
  timer_id: string;
  scheduled_at: number;
  reason: TimerRunReason;
  node_id: string;
  claimed_at: number;
  fired_at: number | null;
  attempts: number;
  outcome: TimerRunOutcome;
  error: string | null;
  finished_at: number | null;
  next_attempt_at: number | null;
  is_past_due: number;
  missed: number;
}

const REGISTRY_COLUMNS = ['id', 'app', 'function_name', 'version', 'cron', 'timezone', 'settings', 'last_scheduled_at', 'next_at', 'next_after', 'created_at', 'updated_at'] as const;
type RegistryValues = [string, string, string, number, string, string, string, number, number | null, number | null, number, number];
/** Where the id and the settings text are in those values (`REGISTRY_COLUMNS[0]`, `REGISTRY_COLUMNS[6]`). */
const ID = 0;
const SETTINGS = 6;
/**
 * Timers read per page of a listing: ~2 ms of this thread here (10,000 timers read at once held it ~45 ms, so a
 * starting node's first sandbox, ready meanwhile, waited that long to be told).
 */
export const TIMER_LIST_PAGE = 500;
/** An advance that carries a next time for the row's own schedule, at or past its cursor. */
const KEEP_NEXT = '@nextAt IS NOT NULL AND @at >= last_scheduled_at AND cron = @cron AND timezone = @timezone';

/** A registry row's values (REGISTRY_COLUMNS order) as a record, its settings already parsed (a listing shares equal ones). */
function toRecord(values: RegistryValues, settings: Record<string, unknown>): TimerRecord {
  const [id, app, functionName, version, cron, timezone, , lastScheduledAt, nextAt, nextAfter, createdAt, updatedAt] = values;
  return {
    id, app, functionName, version, cron, timezone, settings, lastScheduledAt,
    nextAt: nextAfter === lastScheduledAt ? nextAt : null,
    createdAt, updatedAt,
  };
}

function toRun(row: RunRow): TimerRun {
  return {
    id: row.id,
    timerId: row.timer_id,
    scheduledAt: row.scheduled_at,
    reason: row.reason,
    nodeId: row.node_id,
    claimedAt: row.claimed_at,
    firedAt: row.fired_at,
    attempts: row.attempts,
    outcome: row.outcome,
    error: row.error,
    finishedAt: row.finished_at,
    nextAttemptAt: row.next_attempt_at,
    isPastDue: row.is_past_due === 1,
    missed: row.missed,
  };
}

/** Timer registry and run claims in SQLite; see TimerStore for the contract. */
export class SqliteTimerStore implements TimerStore {
  readonly #db: SqliteDatabase;
  readonly #clock: Clock;
  readonly #statements;
  /** One prepared UPDATE per combination of columns (a handful in practice). */
  readonly #updates = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    migrateSqlite(db, 'timers', TIMER_MIGRATIONS);
    this.#statements = {
      // Rows as arrays: a start reads every timer, and making 10,000 row objects costs more than reading them.
      getTimer: db.prepare<[string], RegistryValues>(`SELECT ${REGISTRY_COLUMNS.join(', ')} FROM timer_registry WHERE id = ?`).raw(),
      listTimersAfter: db.prepare<[string, number], RegistryValues>(
        `SELECT ${REGISTRY_COLUMNS.join(', ')} FROM timer_registry WHERE id > ? ORDER BY id LIMIT ?`,
      ).raw(),
      insertTimer: db.prepare(
        `INSERT INTO timer_registry (id, app, function_name, version, cron, timezone, settings, last_scheduled_at, created_at, updated_at)
         VALUES (@id, @app, @functionName, @version, @cron, @timezone, @settings, @now, @now, @now)
         ON CONFLICT (id) DO UPDATE SET
           app = excluded.app, function_name = excluded.function_name, version = excluded.version,
           settings = excluded.settings, updated_at = excluded.updated_at,
           last_scheduled_at = CASE WHEN cron = excluded.cron AND timezone = excluded.timezone
             THEN last_scheduled_at ELSE excluded.last_scheduled_at END,
           next_at = CASE WHEN cron = excluded.cron AND timezone = excluded.timezone THEN next_at ELSE NULL END,
           next_after = CASE WHEN cron = excluded.cron AND timezone = excluded.timezone THEN next_after ELSE NULL END,
           cron = excluded.cron, timezone = excluded.timezone`,
      ),
      removeTimer: db.prepare('DELETE FROM timer_registry WHERE id = ?'),
      removeRuns: db.prepare('DELETE FROM timer_runs WHERE timer_id = ?'),
      // Right-hand sides read the row as it was. A next time is kept with the cursor it was worked out for, and only
      // on the schedule it was worked out on; a cursor moved without one leaves the old one behind, which then no longer counts.
      advanceTimer: db.prepare(
        `UPDATE timer_registry SET
           next_at = CASE WHEN ${KEEP_NEXT} THEN @nextAt ELSE next_at END,
           next_after = CASE WHEN ${KEEP_NEXT} THEN @at ELSE next_after END,
           last_scheduled_at = MAX(last_scheduled_at, @at), updated_at = @now WHERE id = @id`,
      ),
      rememberNextTime: db.prepare(
        `UPDATE timer_registry SET next_at = @nextAt, next_after = @after
         WHERE id = @id AND last_scheduled_at = @after AND cron = @cron AND timezone = @timezone`,
      ),
      claim: db.prepare(
        `INSERT OR IGNORE INTO timer_runs
           (timer_id, scheduled_at, reason, node_id, claimed_at, fired_at, attempts, outcome, error, finished_at, is_past_due, missed)
         VALUES (@timerId, @scheduledAt, @reason, @nodeId, @now, NULL, 0, @outcome, @error, @finishedAt, @isPastDue, @missed)`,
      ),
      getRun: db.prepare<[number | bigint], RunRow>('SELECT * FROM timer_runs WHERE id = ?'),
      prune: db.prepare(
        `DELETE FROM timer_runs WHERE timer_id = @timerId AND outcome <> 'running'
           AND id < (SELECT MIN(id) FROM (SELECT id FROM timer_runs WHERE timer_id = @timerId ORDER BY id DESC LIMIT @keep))
           AND id NOT IN (SELECT id FROM timer_runs WHERE timer_id = @timerId AND outcome IN ${FAILED_OUTCOMES}
                          ORDER BY id DESC LIMIT @keepFailed)`,
      ),
      listRuns: db.prepare<[string, number], RunRow>('SELECT * FROM timer_runs WHERE timer_id = ? ORDER BY id DESC LIMIT ?'),
      lastRuns: db.prepare<[], RunRow>(
        'SELECT r.* FROM timer_runs r JOIN (SELECT MAX(id) AS id FROM timer_runs GROUP BY timer_id) last ON last.id = r.id',
      ),
      lastFiredRuns: db.prepare<[], RunRow>(
        `SELECT r.* FROM timer_runs r
         JOIN (SELECT MAX(id) AS id FROM timer_runs WHERE outcome <> 'skipped' GROUP BY timer_id) last ON last.id = r.id`,
      ),
      interrupt: db.prepare(
        `UPDATE timer_runs SET outcome = 'interrupted', error = @reason, finished_at = @now, next_attempt_at = NULL
         WHERE node_id = @nodeId AND outcome = 'running'`,
      ),
    };
  }

  async registerTimers(timers: TimerRegistration[]): Promise<TimerRecord[]> {
    if (timers.length === 0) return [];
    const now = this.#clock.now();
    return this.#db.transaction(() =>
      timers.map((t) => {
        this.#statements.insertTimer.run({ ...t, settings: JSON.stringify(t.settings), now });
        const values = this.#statements.getTimer.get(t.id)!;
        return toRecord(values, parseStoredSettings(values[SETTINGS]));
      }),
    )();
  }

  async listTimers(options: ListTimersOptions = {}): Promise<TimerRecord[]> {
    // Timers deployed together mostly have equal settings: each distinct text is parsed once, across pages too.
    const parsed = new Map<string, Record<string, unknown>>();
    const records: TimerRecord[] = [];
    // Ids are non-empty, and every id sorts after ''. Pages follow the primary key, so each reads only its own rows;
    // each asks for one row more than it takes, so the last page is known as such and no pause follows it.
    for (let after = ''; ;) {
      const rows = this.#statements.listTimersAfter.all(after, TIMER_LIST_PAGE + 1);
      const page = rows.length > TIMER_LIST_PAGE ? rows.slice(0, TIMER_LIST_PAGE) : rows;
      for (const record of mapWithSharedSettings(page, (values) => values[SETTINGS], toRecord, parsed)) records.push(record);
      if (page === rows) return records;
      after = page[page.length - 1]![ID];
      await options.between?.();
    }
  }

  async getTimer(id: string): Promise<TimerRecord | undefined> {
    const values = this.#statements.getTimer.get(id);
    return values ? toRecord(values, parseStoredSettings(values[SETTINGS])) : undefined;
  }

  async removeTimers(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    this.#db.transaction(() => {
      for (const id of ids) {
        this.#statements.removeTimer.run(id);
        this.#statements.removeRuns.run(id);
      }
    })();
  }

  async advanceTimer(id: string, scheduledAt: number, next?: TimerNextAfter): Promise<void> {
    this.#statements.advanceTimer.run({
      id, at: scheduledAt, nextAt: next?.at ?? null, cron: next?.cron ?? null, timezone: next?.timezone ?? null, now: this.#clock.now(),
    });
  }

  async rememberNextTimes(times: TimerNextTime[]): Promise<void> {
    if (times.length === 0) return;
    this.#db.transaction(() => {
      for (const t of times) this.#statements.rememberNextTime.run({ id: t.id, after: t.after, cron: t.cron, timezone: t.timezone, nextAt: t.nextAt });
    })();
  }

  async claim(timerId: string, scheduledAt: number, nodeId: string, claim: TimerClaim = {}): Promise<TimerRun | undefined> {
    const now = this.#clock.now();
    return this.#db.transaction(() => {
      const result = this.#statements.claim.run({
        timerId,
        scheduledAt,
        nodeId,
        now,
        reason: claim.reason ?? 'schedule',
        outcome: claim.skipped === undefined ? 'running' : 'skipped',
        error: claim.skipped ?? null,
        finishedAt: claim.skipped === undefined ? null : now,
        isPastDue: claim.isPastDue ? 1 : 0,
        missed: claim.missed ?? 0,
      });
      if (result.changes === 0) return undefined;
      this.#statements.prune.run({ timerId, keep: TIMER_RUN_HISTORY_LIMIT, keepFailed: TIMER_FAILED_RUN_HISTORY_LIMIT });
      return toRun(this.#statements.getRun.get(result.lastInsertRowid)!);
    })();
  }

  async updateRun(runId: number, update: TimerRunUpdate): Promise<void> {
    const columns: Record<keyof TimerRunUpdate, string> = {
      firedAt: 'fired_at',
      attempts: 'attempts',
      outcome: 'outcome',
      error: 'error',
      finishedAt: 'finished_at',
      nextAttemptAt: 'next_attempt_at',
    };
    const sets: string[] = [];
    const values: Record<string, unknown> = { id: runId };
    for (const [key, column] of Object.entries(columns) as [keyof TimerRunUpdate, string][]) {
      if (update[key] === undefined) continue;
      sets.push(`${column} = @${key}`);
      values[key] = update[key];
    }
    if (sets.length === 0) return;
    const sql = `UPDATE timer_runs SET ${sets.join(', ')} WHERE id = @id`;
    let statement = this.#updates.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#updates.set(sql, statement);
    }
    statement.run(values);
  }

  async listRuns(timerId: string, limit: number): Promise<TimerRun[]> {
    return this.#statements.listRuns.all(timerId, limit).map(toRun);
  }

  async listLastRuns(options: { firedOnly?: boolean } = {}): Promise<TimerRun[]> {
    return (options.firedOnly ? this.#statements.lastFiredRuns : this.#statements.lastRuns).all().map(toRun);
  }

  async interruptRuns(nodeId: string, reason: string): Promise<number> {
    return this.#statements.interrupt.run({ nodeId, reason, now: this.#clock.now() }).changes;
  }
}
