import { setImmediate as nextTurn } from 'node:timers/promises';
import type { TimerSettings, TimerTick } from '../../sdk/definition.js';
import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.js';
import { NimbusError } from '../../shared/errors.js';
import type { EventInvoker } from '../../runtime/event-invoker.js';
import type { TimerNextTime, TimerRecord, TimerRegistration, TimerRun, TimerRunReason, TimerStore } from '../../store/timer-store.js';
import { TIMER_RUN_HISTORY_LIMIT } from '../../store/timer-store.js';
import { runAttempts } from './attempts.js';
import { decideDue, MAX_CATCH_UP_RUNS, type Fire } from './catch-up.js';
import { DueQueue, type DueEntry } from './due-queue.js';
import { formatInZone, PatternScan, patternKey, Schedule } from './schedule.js';
import { jsonEqual } from '../../shared/json-equal.js';
import { checkKnownTimerFields, checkStoredTimerSettings, checkTimerSettings, type CatchUpPolicy, type OverlapPolicy, type ResolvedTimerSettings } from './timer-settings.js';

/** How long close() waits for runs in flight before giving up on them (they are marked interrupted at next start). */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** Longest single wait armed on the clock, so a step of the wall clock is noticed within a minute. */
const MAX_ARM_MS = 60_000;
/**
 * A scheduled time is decided and claimed this long before it comes, and its
 * function's instance readied, so that at the time itself only the
 * invocation is left to do: the handler starts on the dot rather than a
 * store commit (and maybe a cold start) after it. The claim stays what makes
 * the time run once; a time claimed ahead runs at its time, never before.
 */
export const CLAIM_AHEAD_MS = 250;
/** Scheduled times waiting behind a running one (overlap 'queue', catch-up backlogs); beyond this they are skipped. */
const MAX_QUEUED_RUNS = MAX_CATCH_UP_RUNS + 28;
const NEXT_TIMES_LISTED = 3;
export const DEFAULT_HISTORY_LIMIT = 20;
/** Timers scheduled between two turns of the event loop during a sync: a few milliseconds of work. */
const SYNC_CHUNK = 100;

/** A timer function of a live version, as the platform read it at deploy. */
export interface TimerDefinitionRef {
  app: string;
  functionName: string;
  version: number;
  settings: TimerSettings;
}

/** Compatible with pino's logger. */
export interface TimerLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface TimerSchedulerOptions {
  store: TimerStore;
  invoker: EventInvoker;
  /** Names this node in claims; runs it leaves unfinished are marked interrupted when a scheduler with the same id starts. */
  nodeId: string;
  clock?: Clock;
  /** For backoff jitter; tests pin it. */
  random?: () => number;
  logger?: TimerLogger;
  drainTimeoutMs?: number;
}

export interface ScheduledTime {
  /** In the schedule's own time zone, with its offset, e.g. `2026-03-29T03:00:00+02:00`. */
  zoned: string;
  utc: string;
}

export interface TimerStatus {
  app: string;
  functionName: string;
  version: number;
  cron: string;
  timezone: string;
  catchUp: CatchUpPolicy;
  overlap: OverlapPolicy;
  next: ScheduledTime[];
  /** Runs of this timer in progress on this node, and times queued behind them. */
  running: number;
  queued: number;
  lastRun: TimerRun | null;
}

interface TimerState {
  readonly id: string;
  readonly app: string;
  readonly functionName: string;
  version: number;
  settings: ResolvedTimerSettings;
  schedule: Schedule;
  /** Newest scheduled time dealt with. */
  cursor: number;
  ticket: number;
  active: number;
  queue: { fire: Fire; reason: TimerRunReason }[];
  /** Scheduled time of the newest run that fired, for the tick's `lastRun`. */
  lastFired: number | null;
}

const NOOP_LOGGER: TimerLogger = { warn: () => {}, error: () => {} };

function timerId(app: string, functionName: string): string {
  return `${app}/${functionName}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Fires timer functions on their schedules. One clock timeout is armed for
 * the nearest due time across all timers; every scheduled time is claimed in
 * the store before it runs, so it runs once however many times this node
 * restarts (and, with a shared store, however many nodes there are).
 */
export class TimerScheduler {
  readonly #store: TimerStore;
  readonly #invoker: EventInvoker;
  readonly #nodeId: string;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #logger: TimerLogger;
  readonly #drainTimeoutMs: number;

  readonly #timers = new Map<string, TimerState>();
  /** Settings checked by the last sync, by their JSON: a deploy re-syncs every timer, and checks only new settings. */
  readonly #validated = new Map<string, ResolvedTimerSettings>();
  readonly #due = new DueQueue();
  #armed: TimerHandle | null = null;
  #nextTicket = 1;
  #started = false;
  #closing = false;
  #closed: Promise<void> | null = null;
  /** sync, start and close run one at a time. */
  #serial: Promise<unknown> = Promise.resolve();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #sleepers = new Set<() => void>();

  constructor(options: TimerSchedulerOptions) {
    if (typeof options.nodeId !== 'string' || options.nodeId === '') throw new TypeError('TimerScheduler: nodeId is required');
    this.#store = options.store;
    this.#invoker = options.invoker;
    this.#nodeId = options.nodeId;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger ?? NOOP_LOGGER;
    this.#drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  }

  /**
   * Makes these the timers this scheduler runs: new ones start on their
   * schedules, changed ones reschedule, missing ones stop and are forgotten.
   * Every definition is checked first; one bad definition changes nothing.
   */
  async sync(timers: TimerDefinitionRef[]): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#closing) throw new NimbusError('NIMBUS_ERR_NODE_SHUTTING_DOWN');
      // Thousands of timers take a while to sync: at start (nothing armed yet, so no timer can wake in between)
      // the node serves requests between its steps, the reading of the stored timers included. A sync of a
      // running scheduler (a deploy) runs in one go.
      const stored = await this.#store.listTimers(this.#started ? {} : { between: () => nextTurn() });
      const pause = !this.#started && Math.max(timers.length, stored.length) >= SYNC_CHUNK ? (): Promise<void> => nextTurn() : async (): Promise<void> => {};
      /** The passes that work on each timer run in chunks: such a pass holds the event loop for SYNC_CHUNK timers at most. */
      const eachInChunks = async <T>(items: readonly T[], each: (item: T, i: number) => void): Promise<void> => {
        for (let i = 0; i < items.length; i++) {
          if (i % SYNC_CHUNK === 0) await pause();
          each(items[i]!, i);
        }
      };
      const storedById = new Map<string, TimerRecord>();
      await eachInChunks(stored, (record) => storedById.set(record.id, record));
      // Every definition is checked before anything is written; a start or a deploy syncs every timer, and those
      // stored exactly so already need no write.
      const firstTimes = new Map<string, FirstTime>();
      const { wanted, ids: wantedIds } = await resolveDefinitions(timers, this.#validated, storedById, eachInChunks, this.#clock.now(), firstTimes);
      await pause();
      const changed = wanted.filter((w) => w.record === undefined);
      const written = await this.#store.registerTimers(changed.map((w) => registration(w)));
      for (let i = 0; i < changed.length; i++) changed[i]!.record = written[i];
      const gone: string[] = [];
      for (const id of storedById.keys()) if (!wantedIds.has(id)) gone.push(id);
      for (const id of this.#timers.keys()) if (!wantedIds.has(id) && !storedById.has(id)) gone.push(id);
      await this.#store.removeTimers(gone);
      for (const id of gone) this.#timers.delete(id);

      await pause();
      const lastFired = new Map((await this.#store.listLastRuns({ firedOnly: true })).map((r) => [r.timerId, r.scheduledAt]));
      const added: TimerState[] = [];
      /** Timers whose next time is not stored for their cursor and schedule: worked out below, by pattern. */
      const toWorkOut: TimerState[] = [];
      await eachInChunks(wanted, (timer) => {
        const { id, settings } = timer;
        const record = timer.record!;
        const existing = this.#timers.get(id);
        const sameSchedule = existing && existing.settings.cron === settings.cron && existing.settings.timezone === settings.timezone;
        const state: TimerState = existing ?? {
          id,
          app: record.app,
          functionName: record.functionName,
          version: record.version,
          settings,
          schedule: new Schedule(settings.cron, settings.timezone),
          cursor: record.lastScheduledAt,
          ticket: 0,
          active: 0,
          queue: [],
          lastFired: lastFired.get(id) ?? null,
        };
        state.version = record.version;
        state.settings = settings;
        if (existing && !sameSchedule) {
          state.schedule = new Schedule(settings.cron, settings.timezone);
          state.cursor = record.lastScheduledAt;
        } else if (existing) {
          state.cursor = Math.max(state.cursor, record.lastScheduledAt);
        }
        if (!existing) {
          this.#timers.set(id, state);
          added.push(state);
        }
        if (sameSchedule) return;
        // A time worked out before for this cursor and schedule is taken as stored (the store gives one only while both
        // are still the record's): a start with thousands of timers would otherwise build every pattern again.
        if (record.nextAt !== null && record.nextAt > state.cursor) this.#queueNext(state, record.nextAt);
        else toWorkOut.push(state);
      });
      // The others are worked out grouped by pattern, each pattern built once; the times are stored for the next start.
      const remember: TimerNextTime[] = [];
      const nextTimes: NextTimes = { shared: new Map(), scan: new PatternScan(), firstTimes };
      const byPattern = await groupBy(toWorkOut, (state) => patternKey(state.schedule.cron, state.schedule.timezone), eachInChunks);
      await eachInChunks(byPattern, (state) => {
        const at = nextAfterShared(state, nextTimes);
        this.#queueNext(state, at);
        if (at !== null) remember.push({ id: state.id, after: state.cursor, cron: state.schedule.cron, timezone: state.schedule.timezone, nextAt: at });
      });
      if (remember.length > 0) this.#track(this.#store.rememberNextTimes(remember));
      this.#compactDueQueue();
      if (this.#started) {
        for (const state of added) if (state.settings.runOnStartup) this.#fireStartup(state);
        this.#arm();
      }
    });
  }

  /** Marks runs this node left unfinished as interrupted, fires `runOnStartup` timers and arms the clock. */
  start(): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#closing) throw new NimbusError('NIMBUS_ERR_NODE_SHUTTING_DOWN');
      if (this.#started) return;
      const interrupted = await this.#store.interruptRuns(this.#nodeId, 'the node stopped before the run finished');
      if (interrupted > 0) this.#logger.warn({ nodeId: this.#nodeId, interrupted }, 'timer runs left unfinished by the previous start were marked interrupted');
      this.#started = true;
      for (const state of this.#timers.values()) if (state.settings.runOnStartup) this.#fireStartup(state);
      this.#arm();
    });
  }

  /**
   * Stops firing, ends pending retries (recording their last outcome) and
   * waits for runs in flight, at most `drainTimeoutMs`.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing = true;
      await this.#serial.catch(() => {});
      this.#disarm();
      for (const wake of [...this.#sleepers]) wake();
      for (const state of this.#timers.values()) this.#drainQueue(state);
      let timeout: TimerHandle | undefined;
      const drained = (async () => {
        while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      })();
      const expired = new Promise<void>((resolve) => {
        timeout = this.#clock.setTimeout(resolve, this.#drainTimeoutMs);
        timeout.unref();
      });
      await Promise.race([drained, expired]);
      if (timeout) this.#clock.clearTimeout(timeout);
      if (this.#inFlight.size > 0) this.#logger.warn({ running: this.#inFlight.size }, 'timer runs still going at close: they will be marked interrupted');
    })();
    return this.#closed;
  }

  /** Runs the timer now, whatever its overlap policy (an explicit request); resolves once the run is claimed. */
  async runNow(app: string, functionName: string): Promise<TimerRun> {
    const state = this.#get(app, functionName);
    if (this.#closing) throw new NimbusError('NIMBUS_ERR_NODE_SHUTTING_DOWN');
    const run = await this.#start(state, { scheduledAt: this.#clock.now(), isPastDue: false, missed: 0, backlog: false }, 'manual');
    if (!run) throw new NimbusError('NIMBUS_ERR_INTERNAL', 'the manual run could not be recorded');
    return run;
  }

  async list(): Promise<TimerStatus[]> {
    const lastRuns = new Map((await this.#store.listLastRuns()).map((r) => [r.timerId, r]));
    const now = this.#clock.now();
    return [...this.#timers.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((state) => ({
        app: state.app,
        functionName: state.functionName,
        version: state.version,
        cron: state.settings.cron,
        timezone: state.settings.timezone,
        catchUp: state.settings.catchUp,
        overlap: state.settings.overlap,
        next: state.schedule.nextTimes(now, NEXT_TIMES_LISTED).map((t) => ({ zoned: formatInZone(t, state.settings.timezone), utc: iso(t) })),
        running: state.active,
        queued: state.queue.length,
        lastRun: lastRuns.get(state.id) ?? null,
      }));
  }

  /** The timer's runs, newest first. */
  async history(app: string, functionName: string, limit: number = DEFAULT_HISTORY_LIMIT): Promise<TimerRun[]> {
    const state = this.#get(app, functionName);
    if (!Number.isInteger(limit) || limit < 1 || limit > TIMER_RUN_HISTORY_LIMIT) {
      throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `limit: must be a whole number from 1 to ${TIMER_RUN_HISTORY_LIMIT}`, { field: 'limit' });
    }
    return this.#store.listRuns(state.id, limit);
  }

  #get(app: string, functionName: string): TimerState {
    const state = this.#timers.get(timerId(app, functionName));
    if (!state) throw new NimbusError('NIMBUS_ERR_FUNCTION_NOT_FOUND', `${app}/${functionName} (no timer function of that name is deployed)`, { app, function: functionName });
    return state;
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#serial.then(work, work);
    this.#serial = result.catch(() => {});
    return result;
  }

  /** Queues the state's next due time (none when `at` is null); any older entry for it goes stale. */
  #queueNext(state: TimerState, at: number | null): void {
    state.ticket = this.#nextTicket++;
    if (at !== null) this.#due.push({ at, timerId: state.id, ticket: state.ticket });
  }

  #compactDueQueue(): void {
    if (this.#due.size <= 2 * this.#timers.size + 16) return;
    const live: DueEntry[] = [];
    for (;;) {
      const entry = this.#due.pop();
      if (!entry) break;
      if (this.#timers.get(entry.timerId)?.ticket === entry.ticket) live.push(entry);
    }
    this.#due.replaceAll(live);
  }

  #peekLive(): DueEntry | undefined {
    for (;;) {
      const top = this.#due.peek();
      if (!top || this.#timers.get(top.timerId)?.ticket === top.ticket) return top;
      this.#due.pop();
    }
  }

  #disarm(): void {
    if (this.#armed) this.#clock.clearTimeout(this.#armed);
    this.#armed = null;
  }

  #arm(): void {
    this.#disarm();
    if (!this.#started || this.#closing) return;
    const top = this.#peekLive();
    if (!top) return;
    const delay = Math.min(MAX_ARM_MS, Math.max(0, top.at - CLAIM_AHEAD_MS - this.#clock.now()));
    this.#armed = this.#clock.setTimeout(() => {
      this.#armed = null;
      this.#wake();
    }, delay);
    this.#armed.unref();
  }

  #wake(): void {
    if (this.#closing) return;
    const now = this.#clock.now();
    for (;;) {
      const top = this.#peekLive();
      if (!top || top.at > now + CLAIM_AHEAD_MS) break;
      this.#due.pop();
      const state = this.#timers.get(top.timerId)!;
      try {
        this.#processDue(state, now, top.at);
      } catch (err) {
        this.#logger.error({ timer: state.id, err }, 'timer could not be scheduled');
      }
    }
    this.#arm();
  }

  /** `dueAt` may still be ahead (by up to CLAIM_AHEAD_MS): the time is then decided as it will be when it comes. */
  #processDue(state: TimerState, now: number, dueAt: number): void {
    const decision = decideDue(state.schedule, state.cursor, Math.max(now, dueAt), state.settings.catchUp);
    if (decision) state.cursor = decision.through;
    const after = Math.max(now, dueAt, state.cursor);
    const next = state.schedule.nextAfter(after);
    if (decision) {
      // The cursor moves before the runs are claimed: a crash in between loses those times rather than running them twice.
      // The next time goes with it when it is the one after the cursor (as a start would work it out).
      const known = after === decision.through && next !== null ? { at: next, cron: state.schedule.cron, timezone: state.schedule.timezone } : undefined;
      this.#track(this.#store.advanceTimer(state.id, decision.through, known));
      if (decision.skipped) this.#recordSkipped(state, decision.skipped.scheduledAt, decision.skipped.reason);
      for (const fire of decision.fires) this.#fire(state, fire, 'schedule');
    }
    this.#queueNext(state, next);
  }

  #fireStartup(state: TimerState): void {
    this.#fire(state, { scheduledAt: this.#clock.now(), isPastDue: false, missed: 0, backlog: false }, 'startup');
  }

  /** Applies the overlap policy: a backlog after downtime always runs in order, one at a time, unless overlap is 'allow'. */
  #fire(state: TimerState, fire: Fire, reason: TimerRunReason): void {
    const overlap = fire.backlog && state.settings.overlap === 'skip' ? 'queue' : state.settings.overlap;
    const busy = state.active > 0 || state.queue.length > 0;
    if (busy && overlap !== 'allow' && fire.scheduledAt > this.#clock.now()) {
      // Whether the previous run is still going is a question for the time itself: decide then.
      this.#track(this.#sleep(fire.scheduledAt - this.#clock.now()).then((onTime) => {
        if (this.#timers.get(state.id) !== state) return; // removed meanwhile: it stops
        if (onTime) this.#fire(state, fire, reason);
        else this.#recordSkipped(state, fire.scheduledAt, 'the node shut down before it could run', reason);
      }));
      return;
    }
    if (!busy || overlap === 'allow') {
      void this.#start(state, fire, reason);
    } else if (overlap === 'skip') {
      this.#recordSkipped(state, fire.scheduledAt, 'the previous run was still going (overlap: skip)', reason);
    } else if (state.queue.length >= MAX_QUEUED_RUNS) {
      this.#recordSkipped(state, fire.scheduledAt, `${MAX_QUEUED_RUNS} runs were already queued (overlap: queue)`, reason);
    } else {
      state.queue.push({ fire, reason });
    }
  }

  #drainQueue(state: TimerState): void {
    while (state.queue.length > 0) {
      if (this.#closing) {
        const { fire, reason } = state.queue.shift()!;
        this.#recordSkipped(state, fire.scheduledAt, 'the node shut down before it could run', reason);
      } else if (state.active === 0 || state.settings.overlap === 'allow') {
        const { fire, reason } = state.queue.shift()!;
        void this.#start(state, fire, reason);
      } else {
        return;
      }
    }
  }

  /** Claims the time and runs it; resolves with the claimed run (undefined if it was taken) without waiting for it to end. */
  #start(state: TimerState, fire: Fire, reason: TimerRunReason): Promise<TimerRun | undefined> {
    state.active += 1;
    let claimed!: (run: TimerRun | undefined) => void;
    const claim = new Promise<TimerRun | undefined>((resolve) => (claimed = resolve));
    this.#track(
      (async () => {
        try {
          const ahead = fire.scheduledAt > this.#clock.now();
          const run = await this.#store.claim(state.id, fire.scheduledAt, this.#nodeId, { reason, isPastDue: fire.isPastDue, missed: fire.missed });
          claimed(run);
          if (!run) return;
          // Only the node that won the claim readies an instance: the others would start one for nothing.
          if (ahead) this.#invoker.prepare?.({ app: state.app, functionName: state.functionName, version: state.version });
          // Claimed means it runs, even if the node starts closing meanwhile: the time is at most CLAIM_AHEAD_MS away.
          if (ahead) await this.#untilTime(fire.scheduledAt);
          // A timer removed meanwhile (its app deleted) stops; its runs were forgotten with it.
          if (this.#timers.get(state.id) !== state) return;
          const lastFired = state.lastFired;
          state.lastFired = Math.max(lastFired ?? fire.scheduledAt, fire.scheduledAt);
          const tick = (firedAt: number): TimerTick => ({
            scheduledAt: iso(fire.scheduledAt),
            firedAt: iso(firedAt),
            isPastDue: fire.isPastDue,
            missed: fire.missed,
            lastRun: lastFired === null ? null : iso(lastFired),
          });
          const result = await runAttempts({
            run,
            target: { app: state.app, functionName: state.functionName, version: state.version },
            settings: state.settings,
            tick,
            invoker: this.#invoker,
            store: this.#store,
            clock: this.#clock,
            random: this.#random,
            sleep: (ms) => this.#sleep(ms),
          });
          if (result.outcome !== 'ok') {
            this.#logger.warn({ timer: state.id, scheduledAt: iso(fire.scheduledAt), ...result }, 'timer run failed');
          }
        } catch (err) {
          claimed(undefined);
          this.#logger.error({ timer: state.id, scheduledAt: iso(fire.scheduledAt), err }, 'timer run could not be recorded');
        } finally {
          state.active -= 1;
          this.#drainQueue(state);
        }
      })(),
    );
    return claim;
  }

  /** Resolves once the clock reads `at` or later; a timeout may fire a little early against the wall clock, so it looks again. */
  async #untilTime(at: number): Promise<void> {
    for (let left = at - this.#clock.now(); left > 0; left = at - this.#clock.now()) {
      await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, Math.min(left, MAX_ARM_MS)));
    }
  }

  #recordSkipped(state: TimerState, scheduledAt: number, why: string, reason: TimerRunReason = 'schedule'): void {
    this.#track(this.#store.claim(state.id, scheduledAt, this.#nodeId, { reason, skipped: why }));
  }

  #sleep(ms: number): Promise<boolean> {
    if (this.#closing) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#sleepers.delete(wake);
        this.#clock.clearTimeout(handle);
        resolve(false);
      };
      const handle = this.#clock.setTimeout(() => {
        this.#sleepers.delete(wake);
        resolve(true);
      }, ms);
      handle.unref();
      this.#sleepers.add(wake);
    });
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((err: unknown) => this.#logger.error({ err }, 'timer state could not be saved'));
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }
}

/** A timer of a sync: its definition and checked settings, and its stored record once it is stored as wanted. */
interface WantedTimer {
  id: string;
  def: TimerDefinitionRef;
  settings: ResolvedTimerSettings;
  /** Undefined until registered, unless the store holds it exactly so already. */
  record: TimerRecord | undefined;
}

function storedAsWanted(stored: TimerRecord | undefined, def: TimerDefinitionRef, settings: ResolvedTimerSettings): TimerRecord | undefined {
  const same = stored !== undefined && stored.app === def.app && stored.functionName === def.functionName && stored.version === def.version
    && stored.cron === settings.cron && stored.timezone === settings.timezone
    && (stored.settings === (settings as unknown) || jsonEqual(stored.settings, settings));
  return same ? stored : undefined;
}

function registration({ id, def, settings }: WantedTimer): TimerRegistration {
  return {
    id, app: def.app, functionName: def.functionName, version: def.version, cron: settings.cron, timezone: settings.timezone,
    settings: settings as unknown as Record<string, unknown>,
  };
}

/**
 * The items grouped by key: keys in the order each first appears, each key's items in their own order. In a pass that
 * pauses like the others (a first start may group thousands of timers).
 */
async function groupBy<T>(
  items: readonly T[], key: (item: T) => string, eachInChunks: <U>(items: readonly U[], each: (item: U, i: number) => void) => Promise<void>,
): Promise<T[]> {
  const groups = new Map<string, T[]>();
  await eachInChunks(items, (item) => {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  });
  const grouped: T[] = [];
  for (const group of groups.values()) for (const item of group) grouped.push(item);
  return grouped;
}

/**
 * A schedule's first time after `after`, worked out while a sync checked its settings. No time of the schedule falls
 * between the two, so it is also the next time for any cursor from `after` up to it: a timer this sync registers has
 * the moment of its registration as its cursor, just after the check.
 */
interface FirstTime { after: number; at: number }

/**
 * Next times of one sync: from the settings check when it applies, else shared by timers with the same schedule and
 * cursor; patterns built in order, not cached (timers come grouped by pattern).
 */
interface NextTimes { shared: Map<string, number | null>; scan: PatternScan; firstTimes: ReadonlyMap<string, FirstTime> }

function nextAfterShared(state: TimerState, nextTimes: NextTimes): number | null {
  const { cron, timezone } = state.schedule;
  const pattern = patternKey(cron, timezone);
  const first = nextTimes.firstTimes.get(pattern);
  if (first && first.after <= state.cursor && state.cursor < first.at) return first.at;
  const key = `${pattern} ${state.cursor}`;
  let at = nextTimes.shared.get(key);
  if (at === undefined) nextTimes.shared.set(key, (at = nextTimes.scan.nextAfter(cron, timezone, state.cursor)));
  return at;
}

/**
 * `validated`: settings checked before, by their JSON; left holding exactly those of `timers` checked here (bounded by the
 * timers deployed). A timer whose settings are those stored for it takes the stored object, given a structural check once
 * per distinct object: a start with thousands of unchanged timers parses none of their schedules, and timers stored with
 * equal settings share one object. Either way a field this node does not know is refused: in a cluster mid-upgrade, a
 * version deployed from a newer node with a new timer setting fails this node's sync (its armed timers run on unchanged;
 * the nodes that know the setting run the new one), rather than running here without it. Each timer comes back with its
 * stored record when the store holds it exactly as wanted (nothing to write).
 */
async function resolveDefinitions(
  timers: TimerDefinitionRef[], validated: Map<string, ResolvedTimerSettings>, storedById: ReadonlyMap<string, TimerRecord>,
  eachInChunks: <T>(items: readonly T[], each: (item: T, i: number) => void) => Promise<void>,
  /** The scheduler's clock, read once: each schedule checked here records its first time after it in `firstTimes`. */
  now: number, firstTimes: Map<string, FirstTime>,
): Promise<{ wanted: WantedTimer[]; ids: Set<string> }> {
  if (!Array.isArray(timers)) throw new TypeError('TimerScheduler.sync: expected an array of timer definitions');
  const ids = new Set<string>();
  const previous = new Map(validated);
  validated.clear();
  const checkedStored = new Set<object>();
  // In the definitions' order: each filled by the pass that checks that timer's settings.
  const wanted = new Array<WantedTimer>(timers.length);
  /** Timers whose settings are not those stored for them: checked in full below. */
  const toCheck: { id: string; def: TimerDefinitionRef; i: number }[] = [];
  const refused = (def: TimerDefinitionRef, id: string, err: unknown): unknown => {
    if (!(err instanceof NimbusError)) return err;
    return new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', `${id}: ${err.message.replace(/^[^:]*: /, '')}`, {
      app: def.app,
      function: def.functionName,
      field: err.details?.field,
    });
  };
  await eachInChunks(timers, (def, i) => {
    if (typeof def?.app !== 'string' || def.app === '') throw new TypeError(`TimerScheduler.sync: timers[${i}].app must be a non-empty string`);
    if (typeof def.functionName !== 'string' || def.functionName === '') throw new TypeError(`TimerScheduler.sync: timers[${i}].functionName must be a non-empty string`);
    if (!Number.isInteger(def.version) || def.version < 1) throw new TypeError(`TimerScheduler.sync: timers[${i}].version must be a positive whole number`);
    const id = timerId(def.app, def.functionName);
    if (ids.has(id)) throw new TypeError(`TimerScheduler.sync: timer ${id} is listed twice`);
    ids.add(id);
    const record = storedById.get(id);
    const stored = record?.settings;
    if (stored && jsonEqual(stored, def.settings)) {
      if (!checkedStored.has(stored)) {
        try {
          checkStoredTimerSettings(stored);
        } catch (err) {
          throw refused(def, id, err);
        }
        checkedStored.add(stored);
      }
      const settings = stored as unknown as ResolvedTimerSettings;
      wanted[i] = { id, def, settings, record: storedAsWanted(record, def, settings) };
      return;
    }
    toCheck.push({ id, def, i });
  });
  // Patterns are costly to build and kept in a small cache: taking timers grouped by pattern builds each one once per sync.
  const byPattern = await groupBy(toCheck, ({ def }) => {
    const settings = (def.settings ?? {}) as Partial<Record<'cron' | 'timezone', unknown>>;
    return patternKey(String(settings.cron), String(settings.timezone));
  }, eachInChunks);
  await eachInChunks(byPattern, ({ def, id, i }) => {
    // Timers with the same settings (a common schedule) are checked once: the check builds the pattern and computes a next run.
    const settingsKey = JSON.stringify(def.settings ?? null);
    let settings = validated.get(settingsKey) ?? previous.get(settingsKey);
    if (!settings) {
      try {
        checkKnownTimerFields(def.settings);
        const checked = checkTimerSettings(def.settings, now);
        settings = checked.settings;
        firstTimes.set(patternKey(settings.cron, settings.timezone), { after: now, at: checked.firstAfterNow });
      } catch (err) {
        throw refused(def, id, err);
      }
    }
    validated.set(settingsKey, settings);
    wanted[i] = { id, def, settings, record: storedAsWanted(storedById.get(id), def, settings) };
  });
  return { wanted, ids };
}
