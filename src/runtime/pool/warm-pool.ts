import type { SandboxDriver, SandboxShape } from '../sandbox/driver.js';
import type { LogRecord } from '../instance/protocol.js';
import type { HostServices } from '../host-services.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { Instance } from './instance.js';

export interface WarmPoolOptions {
  /** Booted, unassigned sandboxes kept ready per shape. */
  sizePerShape: number;
  /** Shapes prepared at start (memory sizes in MiB). */
  initialShapes: number[];
}

/** How long a refill waits after a take while the pool still has ready sandboxes. */
export const REFILL_DELAY_MS = 100;

export const DEFAULT_WARM_POOL: WarmPoolOptions = { sizePerShape: 2, initialShapes: [128] };

/**
 * Pre-spawned generic sandboxes, so a cold start costs assigning and
 * importing a bundle, not booting Node. The V8 heap size is fixed when a
 * process starts, so sandboxes are kept per memory shape.
 */
export class WarmPool {
  readonly #ready = new Map<number, Instance[]>();
  readonly #spawning = new Map<number, number>();
  /** Sandboxes whose process runs but which have not said READY yet: close() stops them too. */
  readonly #booting = new Set<Instance>();
  /** Aborted by close(): ends the wait before the start's fill, and says the pool is closed. */
  readonly #closing = new AbortController();
  /** Refills under way: close() waits for them, so no sandbox it started outlives it. */
  readonly #refills = new Set<Promise<void>>();

  constructor(
    readonly driver: SandboxDriver,
    private readonly options: WarmPoolOptions,
    private readonly onLog: (line: LogRecord, instance: Instance) => void,
    private readonly onSpawnError: (error: Error) => void = () => {},
    private readonly hostServices?: HostServices,
    /** Times the refills' waits. */
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Fills the pool for the initial shapes: one sandbox of each first, then the others (REFILL_DELAY_MS after, as a
   * refill waits after a take), so that on a small machine the first boots without the others competing with it and
   * with the node's own start-up. `launched` settles once the first sandboxes' processes have started, `serving` once
   * each shape has a sandbox ready for a cold start (or its first could not start), `filled` once the pool is full.
   * None rejects: a sandbox that fails to start is reported to onSpawnError.
   */
  start(): { launched: Promise<void>; serving: Promise<void>; filled: Promise<void> } {
    const launches: Promise<unknown>[] = [];
    const firsts = this.options.initialShapes.map((memoryMb) => this.#refill({ memoryMb }, { launches, size: Math.min(1, this.options.sizePerShape) }));
    const serving = Promise.all(firsts).then(() => {});
    const filled = serving.then(() => this.#pause(REFILL_DELAY_MS))
      .then(() => Promise.all(this.options.initialShapes.map((memoryMb) => this.#refill({ memoryMb }))))
      .then(() => {});
    return { launched: Promise.allSettled(launches).then(() => {}), serving, filled };
  }

  /** A booted sandbox of this shape: from the pool if one is ready, else freshly spawned. */
  async take(shape: SandboxShape): Promise<Instance> {
    const ready = this.#ready.get(shape.memoryMb);
    let instance: Instance | undefined;
    while (ready && ready.length > 0 && !instance) {
      const candidate = ready.shift()!;
      if (candidate.state === 'starting') instance = candidate;
    }
    // Spawning blocks this event loop for a fork + exec (~10 ms): while sandboxes are still
    // ready, wait until this cold start is done rather than stall it; when none are, refill now.
    const delay = ready && ready.length > 0 ? REFILL_DELAY_MS : 0;
    this.clock.setTimeout(() => void this.#refill(shape), delay);
    if (instance) return instance;
    const fresh = await this.#spawn(shape);
    await fresh.ready();
    return fresh;
  }

  /** Ready sandboxes per shape, for metrics and `nimbus doctor`. */
  stats(): { memoryMb: number; ready: number }[] {
    return [...this.#ready].map(([memoryMb, list]) => ({ memoryMb, ready: list.length }));
  }

  /** Stops every pooled sandbox, ready or still booting, and waits until each has exited (one whose process is still being made, once it is). */
  async close(): Promise<void> {
    this.#closing.abort();
    const all = [...[...this.#ready.values()].flat(), ...this.#booting];
    this.#ready.clear();
    this.#booting.clear();
    for (const instance of all) instance.kill('crashed', 'the node is shutting down');
    await Promise.all([...all.map((i) => i.exited), ...this.#refills]);
  }

  /** Resolves `ms` later on the pool's clock, or at once when the pool closes. */
  #pause(ms: number): Promise<void> {
    const signal = this.#closing.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const onClose = (): void => {
        this.clock.clearTimeout(timer);
        resolve();
      };
      const timer = this.clock.setTimeout(() => {
        signal.removeEventListener('abort', onClose);
        resolve();
      }, ms);
      signal.addEventListener('abort', onClose, { once: true });
    });
  }

  /** Tops the shape up to `size` sandboxes; `launches`, when given, receives each spawn as it begins (before this returns). */
  #refill(shape: SandboxShape, options: { launches?: Promise<unknown>[]; size?: number } = {}): Promise<void> {
    const refill = this.#fill(shape, options);
    this.#refills.add(refill);
    void refill.finally(() => this.#refills.delete(refill));
    return refill;
  }

  async #fill(shape: SandboxShape, { launches, size = this.options.sizePerShape }: { launches?: Promise<unknown>[]; size?: number }): Promise<void> {
    const list = this.#ready.get(shape.memoryMb) ?? [];
    this.#ready.set(shape.memoryMb, list);
    const spawning = this.#spawning.get(shape.memoryMb) ?? 0;
    const missing = size - list.length - spawning;
    if (missing <= 0 || this.#closing.signal.aborted) return;
    this.#spawning.set(shape.memoryMb, spawning + missing);
    await Promise.all(
      Array.from({ length: missing }, async () => {
        try {
          const spawned = this.#spawn(shape);
          launches?.push(spawned);
          const instance = await spawned;
          if (!this.#closing.signal.aborted) {
            this.#booting.add(instance);
            await instance.ready().finally(() => this.#booting.delete(instance));
          }
          if (this.#closing.signal.aborted) {
            instance.kill('crashed', 'the node is shutting down');
            await instance.exited;
          } else {
            list.push(instance);
            // A pooled sandbox that dies (OOM-killed host, stray signal) leaves the pool.
            void instance.exited.then(() => {
              const i = list.indexOf(instance);
              if (i >= 0) list.splice(i, 1);
            });
          }
        } catch (err) {
          // A sandbox stopped because the pool closed did not fail.
          if (!this.#closing.signal.aborted) this.onSpawnError(err instanceof Error ? err : new Error(String(err)));
        } finally {
          this.#spawning.set(shape.memoryMb, (this.#spawning.get(shape.memoryMb) ?? 1) - 1);
        }
      }),
    );
  }

  async #spawn(shape: SandboxShape): Promise<Instance> {
    const sandbox = await this.driver.spawn(shape);
    return new Instance(sandbox, this.onLog, this.hostServices);
  }
}
