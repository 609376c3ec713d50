import type { Clock } from '../shared/clock.js';
import type { LimitChange } from './adaptive-limit.js';
import type { BudgetControl, BudgetSettings, BudgetState, BudgetStore } from './budget.js';
import { BudgetHold } from './budget-hold.js';
import { BudgetLimiter, BudgetWaitEnded, type WaitOptions } from './budget-limiter.js';

/** Who asks for budgets: waiters of one owner (a function) take turns with other owners'. */
export interface BudgetClaimant {
  /** `app/function`. */
  owner: string;
  /** Higher is served first; default 0. */
  priority: number;
}

export interface AcquireOptions extends WaitOptions {
  /** Events are held, never refused: each that has to wait counts as throttled on the budget that held it. */
  countHeld?: boolean;
}

/** Where adaptive limit changes are told (the platform logger in the node). */
export interface BudgetLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** Permits held for names that are not budgets (removed after the deploy that named them): nothing to release. */
const NO_LIMITERS: readonly BudgetLimiter[] = [];
const NO_COUNTS: readonly number[] = [];

interface Resolved {
  generation: number;
  limiters: readonly BudgetLimiter[];
}

/**
 * The budgets this node enforces, loaded from the store and kept in step by
 * `changed` (this node's admin API, and the change feed for other nodes').
 * Takes the permits of a function's budgets without deadlock and with as
 * little idle holding as that allows (see `acquire`).
 */
export class BudgetRegistry implements BudgetControl {
  readonly #store: BudgetStore;
  readonly #clock: Clock;
  readonly #log: BudgetLog;
  readonly #limiters = new Map<string, BudgetLimiter>();
  /** A function's `uses` array (one object per deployed version, or shared by functions with equal settings) → its limiters, until budgets change. */
  readonly #resolved = new WeakMap<readonly string[], Resolved>();
  #generation = 0;
  readonly #singleNames = new Map<string, readonly string[]>();
  readonly #listeners = new Set<(name: string, limiter: BudgetLimiter | undefined) => void>();
  #observeWait: (budget: string, ms: number) => void = () => {};

  constructor(store: BudgetStore, clock: Clock, log: BudgetLog) {
    this.#store = store;
    this.#clock = clock;
    this.#log = log;
  }

  async load(): Promise<void> {
    const budgets = await this.#store.list();
    const names = new Set(budgets.map((b) => b.name));
    for (const budget of budgets) this.#apply(budget.name, budget);
    for (const name of [...this.#limiters.keys()]) if (!names.has(name)) this.#apply(name, undefined);
  }

  /** The store changed this budget (here or on another node): the running limiter follows. */
  async changed(name: string): Promise<void> {
    this.#apply(name, await this.#store.get(name));
  }

  states(): BudgetState[] {
    return [...this.#limiters.values()].map((l) => l.state()).sort((a, b) => a.name.localeCompare(b.name));
  }

  limiter(name: string): BudgetLimiter | undefined {
    return this.#limiters.get(name);
  }

  limiters(): BudgetLimiter[] {
    return [...this.#limiters.values()];
  }

  /** Told how long work that had to wait waited, per budget it waited for (the metrics' histogram). */
  setWaitObserver(observe: (budget: string, ms: number) => void): void {
    this.#observeWait = observe;
  }

  /** Told when a budget is added, changed or removed (undefined): the cluster lease keeper follows. */
  onChange(listener: (name: string, limiter: BudgetLimiter | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * All the permits of `names` (sorted) if every one is free now, else none.
   * The warm path: no promise, and no allocation beyond the hold itself.
   */
  tryAcquire(names: readonly string[]): BudgetHold | null {
    const limiters = this.#resolve(names);
    if (limiters.length === 0) return new BudgetHold(NO_LIMITERS, 0, this.#clock.monotonic(), NO_COUNTS);
    const taken = this.#tryAll(limiters);
    if (taken < limiters.length) {
      for (let i = 0; i < taken; i++) limiters[i]!.giveBack();
      return null;
    }
    return this.#hold(limiters, 0);
  }

  /**
   * Every permit of `names`, waiting as long as `options` allow. Order rule
   * (deadlock-free with little idle holding):
   *
   * 1. Wait, holding nothing, for the first budget that is not free (the anchor).
   * 2. Holding the anchor, take the budgets before it only if they are free at
   *    once; if one is not, give everything back and make it the new anchor.
   *    The anchor only moves to an earlier name, so this ends within as many
   *    rounds as there are budgets.
   * 3. Budgets after the anchor are waited for while holding: everyone waits
   *    while holding only for names later than all it holds, so no cycle of
   *    waiters can form. Permits idle only during this step.
   */
  async acquire(names: readonly string[], who: BudgetClaimant, options: AcquireOptions = {}): Promise<BudgetHold> {
    return this.tryAcquire(names) ?? this.waitFor(names, who, options);
  }

  /** `acquire` past its fast path: for a caller that has just tried `tryAcquire` itself (without an await). */
  async waitFor(names: readonly string[], who: BudgetClaimant, options: AcquireOptions = {}): Promise<BudgetHold> {
    const started = this.#clock.monotonic();
    const limiters = this.#resolve(names);
    const deadline = options.timeoutMs === undefined ? undefined : started + options.timeoutMs;
    const waitFor = async (limiter: BudgetLimiter): Promise<void> => {
      if (limiter.tryTake()) return;
      if (options.countHeld) limiter.countHeld();
      const wait: WaitOptions = {};
      if (deadline !== undefined) wait.timeoutMs = Math.max(0, deadline - this.#clock.monotonic());
      if (options.signal) wait.signal = options.signal;
      await limiter.wait(who.owner, who.priority, wait);
    };
    let anchor = this.#firstBusy(limiters);
    const held = new Array<boolean>(limiters.length).fill(false);
    const giveBackAll = (): void => {
      for (let i = 0; i < limiters.length; i++) {
        if (held[i]) limiters[i]!.giveBack();
        held[i] = false;
      }
    };
    try {
      for (;;) {
        await waitFor(limiters[anchor]!);
        held[anchor] = true;
        let restart = -1;
        for (let i = 0; i < anchor; i++) {
          if (!limiters[i]!.tryTake()) {
            restart = i;
            break;
          }
          held[i] = true;
        }
        if (restart >= 0) {
          giveBackAll();
          anchor = restart;
          continue;
        }
        for (let i = anchor + 1; i < limiters.length; i++) {
          await waitFor(limiters[i]!);
          held[i] = true;
        }
        const waitedMs = this.#clock.monotonic() - started;
        for (const limiter of limiters) this.#observeWait(limiter.name, waitedMs);
        return this.#hold(limiters, waitedMs);
      }
    } catch (error) {
      giveBackAll();
      if (!(error instanceof BudgetWaitEnded) || error.reason !== 'removed') throw error;
      // A budget was removed while we waited for it: its limit is lifted, the others still hold.
      const rest: AcquireOptions = { ...options };
      if (deadline !== undefined) rest.timeoutMs = Math.max(0, deadline - this.#clock.monotonic());
      const hold = await this.acquire(names, who, rest);
      return hold;
    }
  }

  /** Every waiter stops waiting (the node is closing). */
  close(): void {
    for (const limiter of this.#limiters.values()) limiter.close('aborted');
  }

  #hold(limiters: readonly BudgetLimiter[], waitedMs: number): BudgetHold {
    const counts = limiters.length === 1 ? [limiters[0]!.inUse] : limiters.map((l) => l.inUse);
    return new BudgetHold(limiters, waitedMs, this.#clock.monotonic(), counts);
  }

  /** Takes permits in order until one is not free; returns how many were taken. */
  #tryAll(limiters: readonly BudgetLimiter[]): number {
    for (let i = 0; i < limiters.length; i++) {
      if (!limiters[i]!.tryTake()) return i;
    }
    return limiters.length;
  }

  #firstBusy(limiters: readonly BudgetLimiter[]): number {
    for (let i = 0; i < limiters.length; i++) {
      const l = limiters[i]!;
      if (l.waiting > 0 || l.inUse >= l.capacity) return i;
    }
    // All looked free but a rate limit said no: the first with a bucket (or the first) is waited for.
    const rated = limiters.findIndex((l) => l.settings.rate !== null);
    return rated < 0 ? 0 : rated;
  }

  /** One array per budget name, so the names → limiters cache below hits for single-budget takes (ctx.budgets.run). */
  namesOf(name: string): readonly string[] {
    let names = this.#singleNames.get(name);
    if (!names) {
      names = Object.freeze([name]);
      this.#singleNames.set(name, names);
    }
    return names;
  }

  #resolve(names: readonly string[]): readonly BudgetLimiter[] {
    const cached = this.#resolved.get(names);
    if (cached && cached.generation === this.#generation) return cached.limiters;
    const limiters: BudgetLimiter[] = [];
    for (const name of names) {
      const limiter = this.#limiters.get(name);
      if (limiter) limiters.push(limiter);
    }
    this.#resolved.set(names, { generation: this.#generation, limiters });
    return limiters;
  }

  #apply(name: string, settings: BudgetSettings | undefined): void {
    const current = this.#limiters.get(name);
    if (!settings) {
      if (!current) return;
      this.#limiters.delete(name);
      this.#singleNames.delete(name);
      // Waiters go on without it: removing a budget lifts its limit.
      current.close('removed');
      this.#generation++;
      this.#log.info({ budget: name }, 'budget removed');
    } else if (current) {
      current.configure(settings);
    } else {
      this.#limiters.set(name, new BudgetLimiter(settings, this.#clock, (budget, change) => this.#limitChanged(budget, change)));
      this.#generation++;
    }
    const limiter = this.#limiters.get(name);
    for (const listener of this.#listeners) listener(name, limiter);
  }

  #limitChanged(budget: string, change: LimitChange): void {
    const details = { budget, from: change.from, to: change.to, reason: change.reason };
    if (change.to < change.from) this.#log.warn(details, `budget ${budget}: adaptive limit lowered from ${change.from} to ${change.to}: ${change.reason}`);
    else this.#log.info(details, `budget ${budget}: adaptive limit raised from ${change.from} to ${change.to}: ${change.reason}`);
  }
}

export { BudgetWaitEnded };
