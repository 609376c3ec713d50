import { mapWithSharedSettings, parseStoredSettings } from '../stored-timer-settings.js';
import type { Clock } from '../../shared/clock.js';
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
} from '../timer-store.js';
import type { PgDatabase } from './pg-database.js';

const FAILED_OUTCOMES = `('error','timeout','out-of-memory','crashed','throttled','interrupted')`;

interface RegistryRow {
  id: string;
  app: string;
  function_name: string;
  version: number;
  cron: string;
  timezone: string;
  settings: string;
  last_scheduled_at: string;
  next_at: string | null;
  next_after: string | null;
  created_at: string;
  updated_at: string;
}

interface RunRow {
  id: string;
  timer_id: string;
  scheduled_at: string;
  reason: TimerRunReason;
  node_id: string;
  claimed_at: string;
  fired_at: string | null;
  attempts: number;
  outcome: TimerRunOutcome;
  error: string | null;
  finished_at: string | null;
  next_attempt_at: string | null;
  is_past_due: boolean;
  missed: number;
}

const orNull = (value: string | null): number | null => (value === null ? null : Number(value));

function toRecord(row: RegistryRow, settings: Record<string, unknown>): TimerRecord {
  return {
    id: row.id,
    app: row.app,
    functionName: row.function_name,
    version: row.version,
    cron: row.cron,
    timezone: row.timezone,
    settings,
    lastScheduledAt: Number(row.last_scheduled_at),
    nextAt: row.next_after !== null && row.next_after === row.last_scheduled_at ? orNull(row.next_at) : null,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toRun(row: RunRow): TimerRun {
  return {
    id: Number(row.id),
    timerId: row.timer_id,
    scheduledAt: Number(row.scheduled_at),
    reason: row.reason,
    nodeId: row.node_id,
    claimedAt: Number(row.claimed_at),
    firedAt: orNull(row.fired_at),
    attempts: row.attempts,
    outcome: row.outcome,
    error: row.error,
    finishedAt: orNull(row.finished_at),
    nextAttemptAt: orNull(row.next_attempt_at),
    isPastDue: row.is_past_due,
    missed: row.missed,
  };
}

const UPSERT_TIMERS = `
INSERT INTO timer_registry (id, app, function_name, version, cron, timezone, settings, last_scheduled_at, created_at, updated_at)
SELECT t.*, $8::bigint, $8::bigint, $8::bigint
  FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[]) AS t
ON CONFLICT (id) DO UPDATE SET
  app = excluded.app, function_name = excluded.function_name, version = excluded.version,
  settings = excluded.settings, updated_at = excluded.updated_at,
  last_scheduled_at = CASE WHEN timer_registry.cron = excluded.cron AND timer_registry.timezone = excluded.timezone
    THEN timer_registry.last_scheduled_at ELSE excluded.last_scheduled_at END,
  next_at = CASE WHEN timer_registry.cron = excluded.cron AND timer_registry.timezone = excluded.timezone
    THEN timer_registry.next_at ELSE NULL END,
  next_after = CASE WHEN timer_registry.cron = excluded.cron AND timer_registry.timezone = excluded.timezone
    THEN timer_registry.next_after ELSE NULL END,
  cron = excluded.cron, timezone = excluded.timezone
RETURNING *`;

/**
 * Right-hand sides read the row as it was. A next time is kept with the cursor it was worked out for, and only on
 * the schedule it was worked out on; a cursor moved without one leaves the old one behind, which then no longer counts.
 */
const KEEP_NEXT = '$4::bigint IS NOT NULL AND $2::bigint >= last_scheduled_at AND cron = $5::text AND timezone = $6::text';
const ADVANCE_TIMER = `
UPDATE timer_registry SET
  next_at = CASE WHEN ${KEEP_NEXT} THEN $4::bigint ELSE next_at END,
  next_after = CASE WHEN ${KEEP_NEXT} THEN $2::bigint ELSE next_after END,
  last_scheduled_at = greatest(last_scheduled_at, $2::bigint), updated_at = $3::bigint
WHERE id = $1`;

const REMEMBER_NEXT_TIMES = `
UPDATE timer_registry t SET next_at = v.next_at, next_after = v.after
  FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[]) AS v(id, after, cron, timezone, next_at)
 WHERE t.id = v.id AND t.last_scheduled_at = v.after AND t.cron = v.cron AND t.timezone = v.timezone`;

/**
 * The claim: insert-if-absent on the partial unique index of scheduled runs,
 * so of all nodes reaching one scheduled time exactly one gets a row back.
 * Pruning the timer's old history rides in the same statement.
 */
const CLAIM = `
WITH claimed AS (
  INSERT INTO timer_runs (timer_id, scheduled_at, reason, node_id, claimed_at, fired_at, attempts, outcome, error, finished_at, is_past_due, missed)
  VALUES ($1, $2::bigint, $3, $4, $5::bigint, NULL, 0, $6, $7, $8::bigint, $9, $10)
  ON CONFLICT (timer_id, scheduled_at) WHERE reason = 'schedule' DO NOTHING
  RETURNING *
), pruned AS (
  DELETE FROM timer_runs WHERE timer_id = $1 AND outcome <> 'running' AND EXISTS (SELECT 1 FROM claimed)
    AND id < (SELECT min(id) FROM (SELECT id FROM timer_runs WHERE timer_id = $1 ORDER BY id DESC LIMIT ${TIMER_RUN_HISTORY_LIMIT - 1}) newest)
    AND id NOT IN (SELECT id FROM timer_runs WHERE timer_id = $1 AND outcome IN ${FAILED_OUTCOMES}
                   ORDER BY id DESC LIMIT ${TIMER_FAILED_RUN_HISTORY_LIMIT})
)
SELECT * FROM claimed`;

const UPDATE_COLUMNS: Record<keyof TimerRunUpdate, string> = {
  firedAt: 'fired_at',
  attempts: 'attempts',
  outcome: 'outcome',
  error: 'error',
  finishedAt: 'finished_at',
  nextAttemptAt: 'next_attempt_at',
};

/** Timer registry and run claims in PostgreSQL, shared by every node; see TimerStore. */
export class PgTimerStore implements TimerStore {
  readonly #db: PgDatabase;
  readonly #clock: Clock;

  constructor(db: PgDatabase, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async registerTimers(timers: TimerRegistration[]): Promise<TimerRecord[]> {
    if (timers.length === 0) return [];
    // One statement: all or none of them, whatever other nodes register meanwhile.
    const rows = await this.#db.query<RegistryRow>(UPSERT_TIMERS, [
      timers.map((t) => t.id), timers.map((t) => t.app), timers.map((t) => t.functionName), timers.map((t) => t.version),
      timers.map((t) => t.cron), timers.map((t) => t.timezone), timers.map((t) => JSON.stringify(t.settings)), this.#clock.now(),
    ]);
    const byId = new Map(mapWithSharedSettings(rows, (row) => row.settings, toRecord).map((record) => [record.id, record]));
    return timers.map((t) => byId.get(t.id)!);
  }

  async listTimers(): Promise<TimerRecord[]> {
    // One query, so the listing is one snapshot while other nodes write (no pages, no `between`): the rows arrive
    // and are decoded as the socket delivers them, and only the records are made in one go.
    // Timers deployed together mostly have equal settings: each distinct text is parsed once.
    return mapWithSharedSettings(await this.#db.query<RegistryRow>('SELECT * FROM timer_registry ORDER BY id'), (row) => row.settings, toRecord);
  }

  async getTimer(id: string): Promise<TimerRecord | undefined> {
    const [row] = await this.#db.query<RegistryRow>('SELECT * FROM timer_registry WHERE id = $1', [id]);
    return row ? toRecord(row, parseStoredSettings(row.settings)) : undefined;
  }

  async removeTimers(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.query(
      'WITH runs AS (DELETE FROM timer_runs WHERE timer_id = ANY($1::text[])) DELETE FROM timer_registry WHERE id = ANY($1::text[])',
      [ids],
    );
  }

  async advanceTimer(id: string, scheduledAt: number, next?: TimerNextAfter): Promise<void> {
    await this.#db.query(ADVANCE_TIMER, [id, scheduledAt, this.#clock.now(), next?.at ?? null, next?.cron ?? null, next?.timezone ?? null]);
  }

  async rememberNextTimes(times: TimerNextTime[]): Promise<void> {
    if (times.length === 0) return;
    await this.#db.query(REMEMBER_NEXT_TIMES, [
      times.map((t) => t.id), times.map((t) => t.after), times.map((t) => t.cron), times.map((t) => t.timezone), times.map((t) => t.nextAt),
    ]);
  }

  async claim(timerId: string, scheduledAt: number, nodeId: string, claim: TimerClaim = {}): Promise<TimerRun | undefined> {
    const now = this.#clock.now();
    const skipped = claim.skipped !== undefined;
    const [row] = await this.#db.query<RunRow>(CLAIM, [
      timerId, scheduledAt, claim.reason ?? 'schedule', nodeId, now, skipped ? 'skipped' : 'running', claim.skipped ?? null,
      skipped ? now : null, claim.isPastDue ?? false, claim.missed ?? 0,
    ]);
    return row ? toRun(row) : undefined;
  }

  async updateRun(runId: number, update: TimerRunUpdate): Promise<void> {
    const sets: string[] = [];
    const values: unknown[] = [runId];
    for (const [key, column] of Object.entries(UPDATE_COLUMNS) as [keyof TimerRunUpdate, string][]) {
      if (update[key] === undefined) continue;
      values.push(update[key]);
      sets.push(`${column} = $${values.length}`);
    }
    if (sets.length === 0) return;
    await this.#db.query(`UPDATE timer_runs SET ${sets.join(', ')} WHERE id = $1`, values);
  }

  async listRuns(timerId: string, limit: number): Promise<TimerRun[]> {
    return (await this.#db.query<RunRow>('SELECT * FROM timer_runs WHERE timer_id = $1 ORDER BY id DESC LIMIT $2', [timerId, limit])).map(toRun);
  }

  async listLastRuns(options: { firedOnly?: boolean } = {}): Promise<TimerRun[]> {
    const where = options.firedOnly ? "WHERE outcome <> 'skipped'" : '';
    return (await this.#db.query<RunRow>(`SELECT DISTINCT ON (timer_id) * FROM timer_runs ${where} ORDER BY timer_id, id DESC`)).map(toRun);
  }

  async interruptRuns(nodeId: string, reason: string): Promise<number> {
    const rows = await this.#db.query(
      `UPDATE timer_runs SET outcome = 'interrupted', error = $2, finished_at = $3::bigint, next_attempt_at = NULL
        WHERE node_id = $1 AND outcome = 'running' RETURNING id`,
      [nodeId, reason, this.#clock.now()],
    );
    return rows.length;
  }
}
