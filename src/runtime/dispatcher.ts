import { newInvocationId } from './invocation-id.js';
import { setMaxListeners } from 'node:events';
import type { Clock, TimerHandle } from '../shared/clock.js';
import { cleanStack } from './clean-stack.js';
import { NimbusError } from '../shared/errors.js';
import type { InstanceSlots } from '../cluster/instance-slots.js';
import { LOCAL_INSTANCE_SLOTS } from '../cluster/local-instance-slots.js';
import type { Admission, EventInvocation, EventInvoker, EventResult } from './event-invoker.js';
import { BudgetHold } from '../budgets/budget-hold.js';
import { BudgetWaitEnded, type BudgetClaimant, type BudgetRegistry } from '../budgets/budget-registry.js';
import { InvocationFailure, VersionRetired, type Invocation, type InvocationResponse, type Outcome } from './invocation.js';
import type { InvocationEnd, InvocationLifecycle, InvocationStart } from './lifecycle.js';
import type { LogRecord } from './instance/protocol.js';
import { FunctionPool, type Lease, type PoolTarget } from './pool/function-pool.js';
import type { Instance } from './pool/instance.js';
import { MemoryBudget } from './pool/memory-budget.js';
import type { TriggerTag } from './invocation.js';
import type { WarmPool } from './pool/warm-pool.js';

/** Where the dispatcher learns what to run; kept in memory by the deployment registry. */
export interface FunctionResolver {
  liveVersion(app: string): number | undefined;
  target(app: string, version: number, functionName: string): Promise<PoolTarget | undefined>;
}

export interface DispatcherOptions {
  /** Node-wide memory budget for instances, in MiB. */
  memoryBudgetMb: number;
  /** How often idle instances are stopped and memory is sampled. */
  sweepIntervalMs: number;
  /** After a timeout, other invocations on the instance get this long before it is killed. */
  timeoutGraceMs: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = { memoryBudgetMb: 4096, sweepIntervalMs: 250, timeoutGraceMs: 1000 };

export interface FunctionInstances {
  app: string;
  version: number;
  functionName: string;
  instances: number;
  inflight: number;
  waiting: number;
}

/** At most this many instances per function are started before a new version goes live; more follow on demand. */
export const PRESTART_LIMIT = 4;

/** How many times one waiting invocation follows a newer live version (deploys in quick succession). */
const MAX_VERSION_MOVES = 3;

/** Callers who wait at most their queueTimeoutMs for a budget and are then refused (429); the rest are held. */
function waitsBounded(trigger: TriggerTag): boolean {
  return trigger === 'http' || trigger === 'manual';
}

/** An invocation refused after its budget wait is told to come back after about this long. */
const BUDGET_RETRY_AFTER_MS = 1_000;

/**
 * The one path every trigger takes: resolve the function, take an instance
 * from its pool (scaling it), run the invocation under its deadline, and
 * report the lifecycle. Knows a trigger only as a tag.
 */
export class Dispatcher implements EventInvoker {
  readonly #pools = new Map<string, FunctionPool>();
  readonly #creating = new Map<string, Promise<FunctionPool>>();
  readonly #memory: MemoryBudget;
  /** Permits held through `uses` by invocations running now: ctx.budgets.run inside them re-enters instead of taking a second. */
  readonly #budgetHolds = new Map<string, BudgetHold>();
  /** Aborts every budget wait when the node closes. */
  readonly #closing = new AbortController();
  #sweep: TimerHandle | null = null;
  #closed = false;
  /**
   * Ends of invocations, reported (metered) once the turn that settled them
   * is over: an HTTP answer is written first, and the ends of one busy turn
   * are reported together.
   */
  #ended: InvocationEnd[] = [];
  readonly #stopHandingOff: () => void;

  /** `slots`: where instances take their cluster-wide slot (maxInstances); the local default grants at once. */
  constructor(
    private readonly resolver: FunctionResolver,
    private readonly warmPool: WarmPool,
    private readonly lifecycle: InvocationLifecycle,
    private readonly clock: Clock,
    private readonly options: DispatcherOptions = DEFAULT_DISPATCHER_OPTIONS,
    private readonly slots: InstanceSlots = LOCAL_INSTANCE_SLOTS,
    /** Downstream budgets (`uses`); null: every function runs unbudgeted. */
    private readonly budgets: BudgetRegistry | null = null,
    /** Told when an invocation ends, for permits its ctx.budgets.run sections still hold. */
    private readonly onInvocationEnd: ((invocationId: string) => void) | null = null,
  ) {
    this.#memory = new MemoryBudget(options.memoryBudgetMb);
    // Every budget wait listens for the node closing: thousands may wait at once.
    setMaxListeners(0, this.#closing.signal);
    this.#stopHandingOff = slots.onSlotWanted((key) => this.#handOff(key));
  }

  start(): void {
    const tick = (): void => {
      void this.#sweepInstances().finally(() => {
        if (!this.#closed) {
          this.#sweep = this.clock.setTimeout(tick, this.options.sweepIntervalMs);
          this.#sweep.unref();
        }
      });
    };
    tick();
  }

  /** A log line from an instance, attributed to its function and invocation. */
  onInstanceLog = (line: LogRecord, instance: Instance): void => {
    const who = instance.assignment;
    if (!who) return;
    this.lifecycle.emit('log', {
      app: who.app, functionName: who.functionName, version: who.version, invocationId: line.inv,
      instanceId: instance.id, stream: line.stream, level: line.level, time: line.t, message: line.msg,
    });
  };

  /**
   * Runs an invocation; resolves with the response head and streaming body.
   * Throws InvocationFailure (error, timeout, crashed, out-of-memory, throttled)
   * or NimbusError (unknown app or function).
   */
  async dispatch(invocation: Invocation): Promise<InvocationResponse> {
    if (this.#closed) throw this.#refuse(invocation, new NimbusError('NIMBUS_ERR_NODE_SHUTTING_DOWN'));
    const version = invocation.version ?? this.resolver.liveVersion(invocation.app);
    if (version === undefined) throw this.#refuse(invocation, new NimbusError('NIMBUS_ERR_APP_NOT_FOUND', invocation.app));
    // The pool exists for every warm function: no await (no extra turn) on the common path.
    let pool = this.#pools.get(poolKey(invocation.app, version, invocation.functionName));
    if (pool === undefined) {
      try {
        pool = await this.#pool(invocation.app, version, invocation.functionName);
      } catch (err) {
        throw this.#refuse(invocation, err);
      }
    }
    // One fixed object shape on the hot path (no conditional spreads): V8 keeps it fast.
    const start: InvocationStart = {
      id: invocation.id, app: invocation.app, functionName: invocation.functionName, version,
      trigger: invocation.trigger, memoryMb: pool.settings.memoryMb, admittedAt: this.clock.now(),
      traceparent: invocation.traceparent,
    };
    this.lifecycle.emit('admitted', start);
    // The budget comes before the instance: a waiter holding an instance slot would make the pool scale out for nothing.
    const uses = pool.settings.uses;
    let hold: BudgetHold | null = null;
    const admission = invocation.admission;
    if (admission instanceof BudgetHold) hold = admission;
    else if (uses !== undefined && this.budgets !== null) {
      hold = this.budgets.tryAcquire(uses) ?? (await this.#waitForBudgets(invocation, pool, uses, start));
    }
    let servedBy = pool;
    for (let moves = 0; ; moves++) {
      let lease: Lease;
      try {
        // A warm instance with room is taken without an await: the INVOKE leaves before the turn's other work runs.
        lease = servedBy.tryAcquire() ?? (await servedBy.acquire());
      } catch (err) {
        const failure = err instanceof InvocationFailure ? err : new InvocationFailure('crashed', String(err));
        // Queued when a new version went live: it never ran, so the live version serves it.
        const moved = failure instanceof VersionRetired && invocation.version === undefined && !this.#closed && moves < MAX_VERSION_MOVES
          ? await this.#livePool(invocation.app, invocation.functionName)
          : undefined;
        if (moved) {
          servedBy = moved;
          start.version = moved.target.version;
          start.memoryMb = moved.settings.memoryMb;
          continue;
        }
        hold?.cancel();
        this.#finished(start, null, failure.outcome, failure.message, 0, null, 0, 0, hold?.waitedMs ?? 0);
        throw failure;
      }
      if (hold !== null) this.#budgetHolds.set(invocation.id, hold);
      return this.#run(invocation, servedBy, lease, start, hold);
    }
  }

  /** An invocation that never got as far as running: permits a trigger took for it go back unused. */
  #refuse(invocation: Invocation, error: unknown): unknown {
    invocation.admission?.cancel();
    return error;
  }

  /** Past the fast path: HTTP waits its queueTimeoutMs then is refused; events are held until a permit comes. */
  async #waitForBudgets(invocation: Invocation, pool: FunctionPool, uses: readonly string[], start: InvocationStart): Promise<BudgetHold> {
    const bounded = waitsBounded(invocation.trigger);
    try {
      return await this.budgets!.waitFor(uses, budgetClaimant(pool), bounded
        ? { timeoutMs: pool.settings.queueTimeoutMs, signal: this.#closing.signal }
        : { countHeld: true, signal: this.#closing.signal });
    } catch (err) {
      if (!(err instanceof BudgetWaitEnded)) throw err;
      const failure = err.reason === 'timeout'
        ? new InvocationFailure('throttled', err.message, BUDGET_RETRY_AFTER_MS, 'NIMBUS_ERR_BUDGET_EXHAUSTED', { budget: err.budget })
        // Only a closing node ends a wait otherwise: a held event is not an attempt (throttled), an HTTP caller hears why.
        : new InvocationFailure('throttled', `the node is shutting down: ${err.message}`, BUDGET_RETRY_AFTER_MS, bounded ? 'NIMBUS_ERR_NODE_SHUTTING_DOWN' : undefined);
      this.#finished(start, null, failure.outcome, failure.message, 0, null, 0, 0, this.clock.now() - start.admittedAt);
      throw failure;
    }
  }

  /**
   * Queue-fed triggers (queue, blob, async) take the function's budget
   * permits before they lease work: a message never waits for a budget
   * while its lease runs, so being held is never an attempt.
   */
  async admit(target: { app: string; functionName: string; version?: number }, signal: AbortSignal): Promise<Admission | null> {
    if (this.budgets === null || this.#closed) return null;
    const version = target.version ?? this.resolver.liveVersion(target.app);
    if (version === undefined) return null;
    const pool = this.#pools.get(poolKey(target.app, version, target.functionName))
      ?? (await this.#pool(target.app, version, target.functionName).catch(() => undefined));
    const uses = pool?.settings.uses;
    if (!pool || uses === undefined) return null;
    // acquire takes free permits at once, without waiting.
    return this.budgets.acquire(uses, budgetClaimant(pool), {
      countHeld: true, signal: AbortSignal.any([signal, this.#closing.signal]),
    });
  }

  /** A function's budgetPriority (0 when it has no pool here). */
  budgetPriorityOf(app: string, functionName: string, version: number): number {
    return this.#pools.get(poolKey(app, version, functionName))?.settings.budgetPriority ?? 0;
  }

  /** The permits an invocation running now holds through `uses`, if any. */
  budgetHoldOf(invocationId: string): BudgetHold | undefined {
    return this.#budgetHolds.get(invocationId);
  }

  /** The pool of the app's live version of this function, if there still is one. */
  async #livePool(app: string, functionName: string): Promise<FunctionPool | undefined> {
    const version = this.resolver.liveVersion(app);
    return version === undefined ? undefined : this.#pool(app, version, functionName).catch(() => undefined);
  }

  /** Queue, blob, timer and async triggers: a JSON payload in, the handler's JSON value out. */
  async invokeEvent(event: EventInvocation): Promise<EventResult> {
    const id = event.id ?? newInvocationId();
    try {
      const response = await this.dispatch({
        id, app: event.app, functionName: event.functionName, trigger: event.trigger, head: {},
        body: Buffer.from(JSON.stringify(event.payload ?? null)),
        ...(event.version !== undefined ? { version: event.version } : {}),
        ...(event.admission !== undefined ? { admission: event.admission } : {}),
      });
      let bytes: Buffer;
      if (Buffer.isBuffer(response.body)) bytes = response.body;
      else {
        const chunks: Buffer[] = [];
        for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
        bytes = Buffer.concat(chunks);
      }
      const text = bytes.toString('utf8');
      return { id, outcome: 'ok', value: text.length > 0 ? JSON.parse(text) : null };
    } catch (err) {
      if (err instanceof InvocationFailure) return { id, outcome: err.outcome, error: err.message };
      return { id, outcome: 'error', error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Starts an instance of the function if none runs, for an invocation known to come (a timer's next time). */
  prepare(target: { app: string; functionName: string; version?: number }): void {
    if (this.#closed) return;
    const version = target.version ?? this.resolver.liveVersion(target.app);
    if (version === undefined) return;
    const pool = this.#pools.get(poolKey(target.app, version, target.functionName));
    // A pool at its cap, or one that cannot start, is the invocation's business when it comes.
    (pool ? pool.prestart(1) : this.#pool(target.app, version, target.functionName).then((p) => p.prestart(1))).catch(() => {});
  }

  /** Running instances per function version, for `nimbus ls` and metrics. */
  instances(): FunctionInstances[] {
    return [...this.#pools.values()].map((pool) => ({
      app: pool.target.app, version: pool.target.version, functionName: pool.target.functionName,
      instances: [...pool.instances].filter((i) => i.state !== 'stopped').length,
      inflight: pool.inflight, waiting: pool.waiting,
    }));
  }

  /** Instances by function and state (ready, draining, starting), and the warm pool, for metrics. */
  instanceStates(): { app: string; functionName: string; state: string; count: number }[] {
    const out: { app: string; functionName: string; state: string; count: number }[] = [];
    for (const pool of this.#pools.values()) {
      const counts = new Map<string, number>();
      for (const instance of pool.instances) counts.set(instance.state, (counts.get(instance.state) ?? 0) + 1);
      for (const [state, count] of counts) out.push({ app: pool.target.app, functionName: pool.target.functionName, state, count });
    }
    for (const { memoryMb, ready } of this.warmPool.stats()) out.push({ app: '', functionName: '', state: `warm-${memoryMb}mb`, count: ready });
    return out;
  }

  /** Starts minInstances for every function of a version that just went live. */
  async warm(app: string, version: number, functionNames: string[]): Promise<void> {
    for (const name of functionNames) {
      const pool = await this.#pool(app, version, name).catch(() => undefined);
      pool?.ensureMinimum();
    }
  }

  /**
   * Before a version goes live: starts, per function, as many instances as the
   * serving version runs now (up to PRESTART_LIMIT, at least minInstances) and
   * waits until they have loaded, so requests arriving at the switch neither
   * wait for a cold start nor pile onto one. Bounded by `timeoutMs`; what is
   * not ready by then keeps starting and serves when it is.
   */
  async prestart(app: string, version: number, functionNames: readonly string[], timeoutMs: number): Promise<void> {
    const running = new Map<string, number>();
    for (const pool of this.#pools.values()) {
      if (pool.target.app !== app || pool.target.version === version || pool.retired) continue;
      const count = [...pool.instances].filter((i) => i.state === 'ready').length;
      running.set(pool.target.functionName, (running.get(pool.target.functionName) ?? 0) + count);
    }
    const starts = functionNames.map(async (name) => {
      const pool = await this.#pool(app, version, name).catch(() => undefined);
      if (!pool) return;
      await pool.prestart(Math.max(pool.settings.minInstances, Math.min(running.get(name) ?? 0, PRESTART_LIMIT)));
    });
    let timer: TimerHandle | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = this.clock.setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(starts), limit]);
    if (timer) this.clock.clearTimeout(timer);
  }

  /** Stops taking new work for an app's versions other than `keepVersion`; in-flight work finishes. */
  retire(app: string, keepVersion: number | null): void {
    for (const [key, pool] of this.#pools) {
      if (pool.target.app !== app || pool.target.version === keepVersion) continue;
      pool.retire();
      this.#pools.delete(key);
    }
  }

  /** Stops accepting, waits (bounded) for in-flight work, stops every instance. */
  async close(drainMs: number): Promise<void> {
    this.#closed = true;
    this.#closing.abort();
    this.#stopHandingOff();
    if (this.#sweep) this.clock.clearTimeout(this.#sweep);
    const deadline = Date.now() + drainMs;
    while (Date.now() < deadline && [...this.#pools.values()].some((p) => p.inflight > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exits: Promise<unknown>[] = [];
    for (const pool of this.#pools.values()) {
      pool.retire();
      for (const instance of pool.instances) {
        instance.kill('crashed', 'the node is shutting down');
        exits.push(instance.exited);
      }
    }
    await Promise.all(exits);
    this.#reportEnded();
  }

  readonly #reportEnded = (): void => {
    const ended = this.#ended;
    if (ended.length === 0) return;
    this.#ended = [];
    for (const end of ended) this.lifecycle.emit('finished', end);
  };

  async #run(
    invocation: Invocation, pool: FunctionPool, lease: Lease, start: InvocationStart, hold: BudgetHold | null,
  ): Promise<InvocationResponse> {
    const { instance, coldStartMs } = lease;
    const startedAt = this.clock.now();
    const startedMono = this.clock.monotonic();
    const { timeoutMs } = pool.settings;
    const { response, done } = instance.invoke(invocation, startedAt + timeoutMs);
    const timer = this.clock.setTimeout(() => {
      instance.failInvocation(invocation.id, new InvocationFailure('timeout', `${invocation.app}/${invocation.functionName} did not finish within ${timeoutMs} ms`));
      // The handler may be stuck in a loop: the instance is replaced.
      pool.drain(instance);
      const grace = this.clock.setTimeout(() => instance.kill('crashed', 'the instance was replaced after a timeout'), this.options.timeoutGraceMs);
      grace.unref();
    }, timeoutMs);
    done.then(
      // A cold start's first invocation may have waited inside the instance for the bundle to load: cold start, not handler time.
      (result) => this.#settle(
        pool, instance, timer, start, startedAt + result.waitedMs, 'ok', undefined,
        coldStartMs === null ? null : coldStartMs + result.waitedMs, startedMono + result.waitedMs, result.cpuMicros, hold,
      ),
      (failure: InvocationFailure) => {
        // The caller gets a short answer; the function's logs get the whole story (stack, OOM, timeout, crash).
        const message = failure.outcome === 'error' && failure.stack ? cleanStack(failure.stack) : `${failure.outcome}: ${failure.message}`;
        this.lifecycle.emit('log', {
          app: start.app, functionName: start.functionName, version: start.version, invocationId: start.id,
          instanceId: instance.id, stream: 'stderr', level: 'error', time: this.clock.now(), message,
        });
        this.#settle(pool, instance, timer, start, startedAt, failure.outcome, failure.message, coldStartMs, startedMono, 0, hold);
      },
    );
    return response;
  }

  #settle(
    pool: FunctionPool, instance: Instance, timer: TimerHandle, start: InvocationStart, startedAt: number,
    outcome: Outcome, error: string | undefined, coldStartMs: number | null, startedMono: number, cpuMicros: number,
    hold: BudgetHold | null,
  ): void {
    this.clock.clearTimeout(timer);
    pool.release(instance);
    const now = this.clock.monotonic();
    if (hold !== null) {
      // Success, error, timeout, crash: every end releases, and tells the adaptive limit how the downstream fared.
      hold.release(now, outcome === 'ok');
      this.#budgetHolds.delete(start.id);
    }
    const durationMs = now - startedMono;
    this.#finished(start, instance, outcome, error, durationMs, coldStartMs, cpuMicros, startedAt, hold === null ? 0 : hold.waitedMs);
  }

  #finished(
    start: InvocationStart, instance: Instance | null, outcome: Outcome, error: string | undefined,
    durationMs: number, coldStartMs: number | null, cpuMicros: number, startedAt: number, budgetWaitMs: number,
  ): void {
    if (this.onInvocationEnd !== null) this.onInvocationEnd(start.id);
    const end: InvocationEnd = {
      id: start.id, app: start.app, functionName: start.functionName, version: start.version, trigger: start.trigger,
      memoryMb: start.memoryMb, admittedAt: start.admittedAt, traceparent: start.traceparent,
      startedAt: startedAt || start.admittedAt, durationMs, coldStartMs, cpuMicros,
      peakRssBytes: instance ? instance.peakRssBytes : 0, outcome, error, instanceId: instance ? instance.id : undefined,
      budgetWaitMs,
    };
    this.#ended.push(end);
    // Closing: reported at once, behind any still waiting, so ends stay in order.
    if (this.#closed) this.#reportEnded();
    else if (this.#ended.length === 1) setImmediate(this.#reportEnded);
  }

  async #pool(app: string, version: number, functionName: string): Promise<FunctionPool> {
    const key = poolKey(app, version, functionName);
    const existing = this.#pools.get(key);
    if (existing) return existing;
    let creating = this.#creating.get(key);
    if (!creating) {
      creating = (async () => {
        const target = await this.resolver.target(app, version, functionName);
        if (!target) throw new NimbusError('NIMBUS_ERR_FUNCTION_NOT_FOUND', `${app}/${functionName}`);
        const pool = new FunctionPool(target, this.warmPool, this.#memory, this.clock, {
          makeRoom: (mb, requester) => this.#makeRoom(mb, requester),
          onInstanceStartFailed: (_pool, error) => {
            this.lifecycle.emit('log', {
              app, functionName, version, invocationId: null, instanceId: '-', stream: 'stderr', level: 'error',
              time: this.clock.now(), message: `instance failed to start: ${cleanStack(error.stack ?? error.message)}`,
            });
          },
        }, this.slots);
        this.#pools.set(key, pool);
        return pool;
      })().finally(() => this.#creating.delete(key));
      this.#creating.set(key, creating);
    }
    return creating;
  }

  /** Another node waits for a slot of this function: one idle instance here stops so its slot comes free. */
  #handOff(slotKey: string): void {
    for (const pool of this.#pools.values()) {
      if (pool.slotKey === slotKey && pool.handOff()) return;
    }
  }

  #makeRoom(memoryMb: number, requester: FunctionPool): boolean {
    const candidates: { pool: FunctionPool; instance: Instance }[] = [];
    for (const pool of this.#pools.values()) {
      if (pool === requester) continue;
      for (const instance of pool.evictable()) candidates.push({ pool, instance });
    }
    candidates.sort((a, b) => a.instance.lastUsedAt - b.instance.lastUsedAt);
    let freed = 0;
    for (const { pool, instance } of candidates) {
      if (this.#memory.totalMb - this.#memory.usedMb + freed >= memoryMb) break;
      pool.evict(instance);
      freed += pool.settings.memoryMb;
    }
    return this.#memory.totalMb - this.#memory.usedMb >= memoryMb;
  }

  async #sweepInstances(): Promise<void> {
    const checks: Promise<void>[] = [];
    for (const pool of this.#pools.values()) {
      pool.stopIdle();
      for (const instance of pool.instances) {
        if (instance.state === 'stopped') continue;
        checks.push(instance.sandbox.usage().then((usage) => {
          instance.peakRssBytes = Math.max(instance.peakRssBytes, usage.rssBytes);
          const limit = pool.settings.memoryMb * 1024 * 1024;
          if (usage.rssBytes > limit) {
            instance.kill('out-of-memory', `the instance used ${Math.round(usage.rssBytes / 1048576)} MiB, over its memoryMb of ${pool.settings.memoryMb}`);
          }
        }));
      }
    }
    await Promise.all(checks);
  }
}

/** Waiters of one function (any version) take turns with other functions'. */
function budgetClaimant(pool: FunctionPool): BudgetClaimant {
  return { owner: `${pool.target.app}/${pool.target.functionName}`, priority: pool.settings.budgetPriority ?? 0 };
}

function poolKey(app: string, version: number, functionName: string): string {
  return `${app}\u0000${version}\u0000${functionName}`;
}
