/**
 * The seam that makes a function's maxInstances hold for the whole cluster.
 * A slot is held per running instance, never per request: it is taken when
 * an instance starts (the cold path) and given back when it ends, so the warm
 * path never asks anyone.
 */

/** One granted slot; handed back to `release` exactly once. */
export interface SlotLease {
  readonly functionKey: string;
}

export interface SlotRequest {
  /** How long to wait for a slot held elsewhere to come free (handoff, a dead node's share); 0: ask once. */
  waitMs: number;
  /** Stops waiting (the pool was retired). */
  signal?: AbortSignal;
}

export interface InstanceSlots {
  /**
   * A slot of `functionKey` if fewer than `max` are held cluster-wide, now or
   * within `waitMs`; undefined if none came free. A lease returned directly
   * (not a promise) means no one else is asked: the pool starts at once.
   * Rejects when the slots cannot be read (the database is unreachable).
   */
  acquire(functionKey: string, max: number, request: SlotRequest): SlotLease | Promise<SlotLease | undefined>;
  /** Gives a slot back once its instance has ended (idle, crash, OOM, timeout, undeploy, shutdown). */
  release(lease: SlotLease): void;
  /**
   * Called when another node waits for a slot of `functionKey`: a node with
   * an idle instance of it should stop one (which releases its slot).
   * Returns the unsubscribe function.
   */
  onSlotWanted(handler: (functionKey: string) => void): () => void;
}

/** The cluster-wide name of one version of one function: the pool's identity, safe as a NOTIFY payload. */
export function instanceSlotKey(app: string, version: number, functionName: string): string {
  return `${app}/${functionName}@${version}`;
}
