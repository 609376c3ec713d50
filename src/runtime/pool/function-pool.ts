import type { ResolvedSettings } from '../../sdk/settings.js';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { NetworkPolicy } from '../../sdk/settings.js';
import { InvocationFailure, VersionRetired } from '../invocation.js';
import { instanceSlotKey, type InstanceSlots, type SlotLease } from '../../cluster/instance-slots.js';
import { LOCAL_INSTANCE_SLOTS } from '../../cluster/local-instance-slots.js';
import { isStorageFault } from '../../store/storage-errors.js';
import type { Instance } from './instance.js';
import type { MemoryBudget } from './memory-budget.js';
import type { WarmPool } from './warm-pool.js';

/** Everything needed to start instances of one version of one function. */
export interface PoolTarget {
  app: string;
  version: number;
  functionName: string;
  settings: ResolvedSettings;
  bundlePath: string;
  sourceMapPath?: string;
  network: NetworkPolicy;
  /** App env, function env and decrypted secrets. */
  env: Record<string, string>;
}

export interface Lease {
  instance: Instance;
  /** ms spent starting an instance for this invocation; null when a running one took it. */
  coldStartMs: number | null;
}

interface Waiter {
  resolve: (lease: Lease) => void;
  reject: (failure: InvocationFailure) => void;
  enqueuedAt: number;
  /** null until armed, just after the waiter joins the queue. */
  timer: TimerHandle | null;
}

export interface PoolHooks {
  /** Frees memory for a new instance by stopping other functions' idle ones; true if it did. */
  makeRoom(memoryMb: number, requester: FunctionPool): boolean;
  onInstanceStartFailed(pool: FunctionPool, error: Error): void;
}

/**
 * The instances of one version of one function, and its autoscaler: adds an
 * instance only when in-flight work exceeds instances × concurrency, never
 * past maxInstances; work beyond that waits in a bounded queue, then is
 * refused; idle instances stop after idleTimeoutMs (down to minInstances).
 */
export class FunctionPool {
  readonly instances = new Set<Instance>();
  #starting = 0;
  readonly #waiters: Waiter[] = [];
  #retired = false;
  #lastError: Error | null = null;
  /** Instances whose memory was already given back (evicted) before they exited. */
  readonly #released = new WeakSet<Instance>();
  /** The cluster-wide slot each instance holds; given back when it has exited. */
  readonly #slots = new Map<Instance, SlotLease>();
  /** True while the last start found every slot of the function held by other nodes. */
  #clusterFull = false;
  /** Ends waits for a slot when the pool is retired. */
  readonly #retiring = new AbortController();
  /** This function's name among the cluster's instance slots. */
  readonly slotKey: string;

  constructor(
    readonly target: PoolTarget,
    private readonly warmPool: WarmPool,
    private readonly budget: MemoryBudget,
    private readonly clock: Clock,
    private readonly hooks: PoolHooks,
    private readonly slots: InstanceSlots = LOCAL_INSTANCE_SLOTS,
  ) {
    this.slotKey = instanceSlotKey(target.app, target.version, target.functionName);
  }

  get settings(): ResolvedSettings {
    return this.target.settings;
  }

  /** Instances running or starting now. */
  get size(): number {
    return this.instances.size + this.#starting;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  get inflight(): number {
    let n = 0;
    for (const i of this.instances) n += i.inflight;
    return n;
  }

  get retired(): boolean {
    return this.#retired;
  }

  /** A lease on a ready instance with room, at once; null when acquire() would have to wait (or refuse). */
  tryAcquire(): Lease | null {
    const instance = this.#leastLoaded();
    if (!instance) return null;
    instance.inflight++;
    return { instance, coldStartMs: null };
  }

  acquire(): Promise<Lease> {
    const lease = this.tryAcquire();
    if (lease) return Promise.resolve(lease);
    // Work the cap can still absorb (instances not yet started or not yet full) waits for them;
    // beyond that, `queueLimit` more may wait for a slot; the rest is refused.
    const { maxInstances, concurrency, queueLimit, queueTimeoutMs } = this.settings;
    const headroom = Math.max(0, maxInstances * concurrency - this.inflight);
    if (this.#waiters.length >= headroom + queueLimit) {
      return Promise.reject(this.#throttled(`is at its cap of ${this.#cap()} and its wait queue is full (queueLimit ${queueLimit})`));
    }
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, enqueuedAt: this.clock.monotonic(), timer: null };
      this.#waiters.push(waiter);
      this.#scaleUp();
      // A start that failed at once has already settled it.
      if (!this.#waiters.includes(waiter)) return;
      const waitsForStart = this.#waitsForStart(waiter);
      if (queueTimeoutMs === 0 && !waitsForStart) {
        // Nothing waits for a slot; an invocation that started an instance still waits for it (a cold start).
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(this.#throttled(`${this.#busy()}, and its queueTimeoutMs is 0, so nothing waits for a slot`));
        return;
      }
      // A cold start with queueTimeoutMs 0 is bounded by the invocation's own limit.
      const waitMs = queueTimeoutMs === 0 ? this.settings.timeoutMs : queueTimeoutMs;
      waiter.timer = this.clock.setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i < 0) return;
        const starting = this.#waitsForStart(waiter);
        this.#waiters.splice(i, 1);
        reject(this.#throttled(starting
          ? `waited ${waitMs} ms for a new instance to start and none was ready`
          : `waited ${waitMs} ms (its queueTimeoutMs) for a free slot and none came free: ${this.#busy()}`));
      }, waitMs);
    });
  }

  release(instance: Instance): void {
    instance.inflight--;
    instance.lastUsedAt = this.clock.monotonic();
    if (instance.state === 'draining' && instance.inflight === 0) {
      instance.kill('crashed', 'the instance was retired');
      return;
    }
    this.#serveWaiters();
  }

  /**
   * Starts instances until `count` run (never past maxInstances or the memory
   * budget) and resolves once each has loaded its bundle or failed: a version
   * about to go live gets its instances before the first request needs them.
   */
  async prestart(count: number): Promise<void> {
    const starts: Promise<void>[] = [];
    while (!this.#retired && this.size < Math.min(count, this.settings.maxInstances)) {
      const started = this.#tryStart(null);
      if (!started) break;
      starts.push(started);
    }
    await Promise.all(starts);
  }

  /** Starts instances up to minInstances. */
  ensureMinimum(): void {
    while (!this.#retired && this.size < this.settings.minInstances && this.#tryStart(null)) {
      /* started one */
    }
  }

  /** Stops instances idle longer than idleTimeoutMs, keeping minInstances. */
  stopIdle(): void {
    const now = this.clock.monotonic();
    let running = [...this.instances].filter((i) => i.state !== 'stopped').length;
    for (const instance of this.instances) {
      if (running <= this.settings.minInstances && !this.#retired) return;
      if (instance.state === 'ready' && instance.inflight === 0 && now - instance.lastUsedAt >= this.settings.idleTimeoutMs) {
        this.#stop(instance, 'idle');
        running--;
      }
    }
  }

  /** Idle instances, least recently used first, that may be stopped to make room for another function. */
  evictable(): Instance[] {
    const idle = [...this.instances].filter((i) => i.state === 'ready' && i.inflight === 0);
    const keep = this.#retired ? 0 : this.settings.minInstances;
    return idle.sort((a, b) => a.lastUsedAt - b.lastUsedAt).slice(0, Math.max(0, idle.length - keep));
  }

  /**
   * Another node waits for a slot of this function: stops the least recently
   * used idle instance (never a busy one, never below minInstances), whose
   * slot comes free once it has exited. True if one was stopped.
   */
  handOff(): boolean {
    const idle = this.evictable()[0];
    if (!idle) return false;
    this.#stop(idle, 'its slot was handed to another node');
    return true;
  }

  /** Stops an idle instance for another function's sake; its memory is free at once. */
  evict(instance: Instance): void {
    this.#releaseMemory(instance);
    this.#stop(instance, 'evicted to make room');
  }

  /** No new work (a newer version went live, or the app was removed); running work finishes. */
  retire(): void {
    this.#retired = true;
    this.#retiring.abort();
    for (const waiter of this.#waiters.splice(0)) {
      this.#disarm(waiter);
      waiter.reject(new VersionRetired());
    }
    for (const instance of this.instances) {
      if (instance.inflight === 0) this.#stop(instance, 'retired');
      else instance.state = 'draining';
    }
  }

  /** Called when an instance must not take new work (it timed out an invocation). */
  drain(instance: Instance): void {
    if (instance.state !== 'stopped') instance.state = 'draining';
    if (instance.inflight === 0) instance.kill('crashed', 'the instance was retired');
    this.#scaleUp();
  }

  #disarm(waiter: Waiter): void {
    if (waiter.timer) this.clock.clearTimeout(waiter.timer);
  }

  #leastLoaded(): Instance | undefined {
    let best: Instance | undefined;
    for (const instance of this.instances) {
      if (instance.state !== 'ready' || instance.inflight >= this.settings.concurrency) continue;
      if (!best || instance.inflight < best.inflight) best = instance;
    }
    return best;
  }

  #throttled(what: string): InvocationFailure {
    return new InvocationFailure('throttled', `${this.target.app}/${this.target.functionName} ${what}`, 1000);
  }

  #cap(): string {
    return `${this.settings.maxInstances} instance(s) × ${this.settings.concurrency}`;
  }

  /** Why no slot is free: the cap, or (below it) no memory on this node for another instance. */
  #busy(): string {
    if (this.size >= this.settings.maxInstances) return `it is at its cap of ${this.#cap()}, all busy`;
    return this.#clusterFull
      ? `it runs ${this.size} of its ${this.settings.maxInstances} instance(s) on this node and other nodes of the cluster hold the rest, all busy`
      : `it runs ${this.size} of its ${this.settings.maxInstances} instance(s) and the node has no memory for another (memoryMb ${this.settings.memoryMb})`;
  }

  /** True while an instance being started will take this waiter (it is among the first starting × concurrency). */
  #waitsForStart(waiter: Waiter): boolean {
    const i = this.#waiters.indexOf(waiter);
    return i >= 0 && i < this.#starting * this.settings.concurrency;
  }

  #serveWaiters(): void {
    while (this.#waiters.length > 0) {
      const instance = this.#leastLoaded();
      if (!instance) break;
      const waiter = this.#waiters.shift()!;
      this.#disarm(waiter);
      instance.inflight++;
      waiter.resolve({ instance, coldStartMs: null });
    }
  }

  /** Adds instances while waiting work exceeds what starting instances will absorb. */
  #scaleUp(): void {
    while (!this.#retired && this.#waiters.length > this.#starting * this.settings.concurrency) {
      if (!this.#tryStart(this.#waiters[this.#starting * this.settings.concurrency] ?? null)) break;
    }
  }

  /** Starts one instance if the cap and the memory budget allow: the start, settled once it loaded or failed (never rejects); null if not. */
  #tryStart(waiter: Waiter | null): Promise<void> | null {
    if (this.size >= this.settings.maxInstances) return null;
    const memoryMb = this.settings.memoryMb;
    if (!this.budget.tryReserve(memoryMb)) {
      if (!this.hooks.makeRoom(memoryMb, this) || !this.budget.tryReserve(memoryMb)) return null;
    }
    this.#starting++;
    const { maxInstances, queueTimeoutMs, timeoutMs } = this.settings;
    // A start on behalf of an invocation may wait for another node's slot as long as the invocation may wait; a prestart asks once.
    const waitMs = waiter ? Math.max(0, (queueTimeoutMs === 0 ? timeoutMs : queueTimeoutMs) - (this.clock.monotonic() - waiter.enqueuedAt)) : 0;
    const granted = this.slots.acquire(this.slotKey, maxInstances, { waitMs, signal: this.#retiring.signal });
    // The local slots grant at once: the start goes on in this turn, as it always did.
    if (!(granted instanceof Promise)) return this.#start(granted, waiter);
    return granted.then(
      (lease) => (lease ? this.#start(lease, waiter) : this.#slotRefused()),
      (err: unknown) => this.#startFailed(null, null, err),
    );
  }

  /** Every slot of the function stayed held elsewhere: the start is called off; waiters keep waiting until their own timeout. */
  #slotRefused(): void {
    this.#starting--;
    // Refused because the pool was retired (or the node closes) is no news about the cluster.
    if (!this.#retired) this.#clusterFull = true;
    this.budget.release(this.settings.memoryMb);
  }

  async #start(slot: SlotLease, firstWaiter: Waiter | null): Promise<void> {
    const { target } = this;
    this.#clusterFull = false;
    let instance: Instance | null = null;
    try {
      instance = await this.warmPool.take({ memoryMb: target.settings.memoryMb });
      this.#slots.set(instance, slot);
      instance.assignment = { app: target.app, version: target.version, functionName: target.functionName };
      const seen = await instance.sandbox.assign({
        app: target.app, version: target.version, functionName: target.functionName,
        bundlePath: target.bundlePath, ...(target.sourceMapPath ? { sourceMapPath: target.sourceMapPath } : {}),
        memoryMb: target.settings.memoryMb, cpuShares: target.settings.cpuShares, network: target.network, env: target.env,
      });
      const loaded = instance.load({ bundlePath: seen.bundlePath, app: target.app, version: target.version, functionName: target.functionName, env: target.env });
      // Invocations may follow LOAD at once: the instance runs them as soon as the bundle is imported,
      // which saves a cold start a round trip to the instance (each a process wake-up).
      instance.state = this.#retired ? 'draining' : 'ready';
      instance.lastUsedAt = this.clock.monotonic();
      this.instances.add(instance);
      this.#starting--;
      this.#handOver(instance, firstWaiter);
      await loaded;
      this.#lastError = null;
      const started = instance;
      void started.exited.then(() => this.#onExit(started));
      // Retired while it started: no one can use it, and it would hold its slot for ever.
      if (this.#retired && started.inflight === 0) this.#stop(started, 'retired');
    } catch (err) {
      this.#startFailed(instance, slot, err);
    }
  }

  /** A start failed (taking a slot, spawning, assigning or loading): undoes what it had taken and tells the waiters if nothing else can serve them. */
  #startFailed(instance: Instance | null, slot: SlotLease | null, err: unknown): void {
    const { target } = this;
    // Still counted as starting unless it had joined the pool (the two happen together).
    if (!instance || !this.instances.has(instance)) this.#starting--;
    this.#lastError = err instanceof Error ? err : new Error(String(err));
    const message = `the function's instance failed to start: ${this.#lastError.message}`;
    if (instance) {
      // What was handed to it fails with the reason; it never counts as a running instance again.
      instance.kill('crashed', message);
      this.instances.delete(instance);
      const failed = instance;
      void failed.exited.then(() => this.#releaseSlot(failed));
    } else if (slot) this.slots.release(slot);
    if (instance) this.#releaseMemory(instance);
    else this.budget.release(target.settings.memoryMb);
    this.hooks.onInstanceStartFailed(this, this.#lastError);
    if (![...this.instances].some((i) => i.state === 'ready') && this.#starting === 0) {
      // Nothing can serve the queue: fail it rather than let it wait for a start that keeps failing.
      // The cluster's slots could not be read: nothing ran, and the caller may retry once the database is back (503).
      const unreachable = isStorageFault(err);
      for (const waiter of this.#waiters.splice(0)) {
        this.#disarm(waiter);
        waiter.reject(unreachable
          ? new InvocationFailure('throttled', message, 1000, err.code)
          : new InvocationFailure('crashed', message));
      }
    }
  }

  /** Gives a new instance to the invocation that caused its start (counted as cold), then to whoever else waits. */
  #handOver(instance: Instance, firstWaiter: Waiter | null): void {
    const i = firstWaiter ? this.#waiters.indexOf(firstWaiter) : -1;
    if (i >= 0 && instance.state === 'ready') {
      this.#waiters.splice(i, 1);
      this.#disarm(firstWaiter!);
      instance.inflight++;
      firstWaiter!.resolve({ instance, coldStartMs: this.clock.monotonic() - firstWaiter!.enqueuedAt });
    }
    this.#serveWaiters();
  }

  #stop(instance: Instance, why: string): void {
    instance.state = 'stopped';
    instance.kill('crashed', `the instance was stopped (${why})`);
  }

  /** An instance's memory goes back to the budget once, however many of exit, eviction and a failed start report it. */
  #releaseMemory(instance: Instance): void {
    if (this.#released.has(instance)) return;
    this.#released.add(instance);
    this.budget.release(this.settings.memoryMb);
  }

  /** The instance's slot goes back to the cluster once, after its process has exited. */
  #releaseSlot(instance: Instance): void {
    const slot = this.#slots.get(instance);
    if (!slot) return;
    this.#slots.delete(instance);
    this.slots.release(slot);
  }

  #onExit(instance: Instance): void {
    this.instances.delete(instance);
    this.#releaseMemory(instance);
    this.#releaseSlot(instance);
    this.ensureMinimum();
    this.#scaleUp();
  }
}
