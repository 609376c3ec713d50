/**
 * Timer state: the registry of timers (where each one's schedule stopped) and
 * the claims that make each scheduled time run once. A claim is the run's
 * history row, inserted only if absent, so a restarted node (or another node
 * sharing the database) that reaches the same scheduled time finds it taken.
 */

/** Runs kept per timer, newest first; older ones are pruned as new ones are claimed. */
export const TIMER_RUN_HISTORY_LIMIT = 100;
/** Failed runs (attempts exhausted) are kept this many deep even when newer runs push them out of the history above. */
export const TIMER_FAILED_RUN_HISTORY_LIMIT = 50;

/** Why a run exists: its schedule, `runOnStartup`, or an operator's "run now". */
export type TimerRunReason = 'schedule' | 'startup' | 'manual';

/**
 * `running` until the run ends (its retries included). Failure outcomes are
 * the runtime's; `skipped` is a scheduled time deliberately not run (overlap,
 * catch-up), `interrupted` a run its node stopped before it finished.
 */
export type TimerRunOutcome =
  | 'running'
  | 'ok'
  | 'error'
  | 'timeout'
  | 'out-of-memory'
  | 'crashed'
  | 'throttled'
  | 'skipped'
  | 'interrupted';

/** What the scheduler registers for one timer function. */
export interface TimerRegistration {
  /** `<app>/<function>` */
  id: string;
  app: string;
  functionName: string;
  version: number;
  cron: string;
  timezone: string;
  /** The resolved timer settings, as JSON. */
  settings: Record<string, unknown>;
}

/** A registered timer as stored, with where its schedule has got to. */
export interface TimerRecord extends TimerRegistration {
  /** Latest scheduled time (epoch ms) already dealt with: catch-up after downtime starts after it. */
  lastScheduledAt: number;
  /**
   * The first scheduled time after `lastScheduledAt`, as the scheduler worked
   * it out for this cron and zone, so that a start need not work out every
   * timer's again; null when not known. Only a time worked out for this very
   * cursor counts: one stored before the cursor moved (by any writer) does not.
   */
  nextAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface TimerRun {
  id: number;
  timerId: string;
  /** The scheduled time this run stands for (for startup and manual runs, when it was asked for). */
  scheduledAt: number;
  reason: TimerRunReason;
  nodeId: string;
  claimedAt: number;
  /** When the first attempt started; null for skipped runs. */
  firedAt: number | null;
  /** Attempts made; throttled tries are not attempts. */
  attempts: number;
  outcome: TimerRunOutcome;
  /** The last attempt's error, or why the run was skipped. */
  error: string | null;
  finishedAt: number | null;
  /** When the next retry is due, while one is pending. */
  nextAttemptAt: number | null;
  isPastDue: boolean;
  missed: number;
}

export interface TimerClaim {
  reason?: TimerRunReason;
  isPastDue?: boolean;
  missed?: number;
  /** Claim a time only to record that it was skipped (and why). */
  skipped?: string;
}

/** A next time and the schedule it was worked out on. */
export interface TimerNextAfter {
  at: number;
  cron: string;
  timezone: string;
}

/** The first scheduled time after `after` (the cursor it was worked out for) of a timer on this cron and zone. */
export interface TimerNextTime {
  id: string;
  after: number;
  cron: string;
  timezone: string;
  nextAt: number;
}

export interface TimerRunUpdate {
  firedAt?: number;
  attempts?: number;
  outcome?: TimerRunOutcome;
  error?: string | null;
  finishedAt?: number;
  nextAttemptAt?: number | null;
}

export interface ListTimersOptions {
  /** Awaited between the pages of a long listing. */
  between?: () => Promise<void>;
}

export interface TimerStore {
  /**
   * Records these timers, in one transaction. A new timer, or one whose cron
   * or time zone changed, starts its schedule at `now` (no catch-up of times
   * before it existed); otherwise `lastScheduledAt` is kept. Answers their
   * records in the order given.
   */
  registerTimers(timers: TimerRegistration[]): Promise<TimerRecord[]>;
  /**
   * Every timer, by id. Records with equal settings may share one settings object: they are read, never changed.
   * A store that reads on this thread reads a long listing in pages and awaits `between` after each one but the
   * last, so a caller that must keep serving (a node starting with thousands of timers) lets its event loop turn
   * there; a store whose reads are asynchronous may never call it. A listing read in pages is not one snapshot
   * (a timer registered meanwhile behind the pages read is missed): pass `between` only while nothing else
   * registers or removes timers, as at a start.
   */
  listTimers(options?: ListTimersOptions): Promise<TimerRecord[]>;
  getTimer(id: string): Promise<TimerRecord | undefined>;
  /** Forgets these timers and their run history. */
  removeTimers(ids: string[]): Promise<void>;
  /**
   * Moves the timer's cursor forward to `scheduledAt`; never backward. `next`
   * is the first scheduled time after it on the given schedule, when the
   * caller knows it: kept only if that is still the timer's schedule.
   */
  advanceTimer(id: string, scheduledAt: number, next?: TimerNextAfter): Promise<void>;
  /** Records next times worked out for the timers' cursors; one whose cursor or schedule has moved since is left alone. */
  rememberNextTimes(times: TimerNextTime[]): Promise<void>;

  /**
   * Atomic insert-if-absent of a scheduled time: the new run, or undefined
   * when that scheduled time was already claimed. Only `schedule` runs are
   * unique per time; startup and manual runs always get a row.
   */
  claim(timerId: string, scheduledAt: number, nodeId: string, claim?: TimerClaim): Promise<TimerRun | undefined>;
  updateRun(runId: number, update: TimerRunUpdate): Promise<void>;
  /** Newest first. */
  listRuns(timerId: string, limit: number): Promise<TimerRun[]>;
  /** The newest run of every timer that has one; with `firedOnly`, the newest that was not skipped. */
  listLastRuns(options?: { firedOnly?: boolean }): Promise<TimerRun[]>;
  /** Ends runs this node left `running` when it stopped; returns how many. */
  interruptRuns(nodeId: string, reason: string): Promise<number>;
}
