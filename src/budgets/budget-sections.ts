import type { HostCall } from '../runtime/host-services.js';
import type { Clock } from '../shared/clock.js';
import { NimbusError } from '../shared/errors.js';
import { BUDGET_NAME } from '../triggers/function-settings.js';
import type { BudgetHold } from './budget-hold.js';
import { BudgetWaitEnded, type BudgetRegistry } from './budget-registry.js';

/** ctx.budgets.run sections open at once in one invocation, at most: each holds a permit, and the code asking is untrusted. */
export const MAX_SECTIONS_PER_INVOCATION = 16;

interface OpenSections {
  /** Section id → its permits (null: a budget the invocation already holds through `uses`, nothing taken). */
  held: Map<number, BudgetHold | null>;
  /** Waits still pending count toward the cap too. */
  waiting: number;
  next: number;
  /** The invocation ended: every wait stops. */
  ended: AbortController;
}

/**
 * The host side of `ctx.budgets.run`: an instance asks for a permit over its
 * host-call channel, runs its section, and releases it. Everything it sends
 * is checked; whatever an invocation still holds or waits for when it ends
 * (success, error, timeout, crash: the dispatcher says so) is released, so a
 * crashed instance leaks nothing.
 */
export class BudgetSections {
  readonly #open = new Map<string, OpenSections>();

  constructor(
    private readonly registry: BudgetRegistry,
    private readonly clock: Clock,
    /** The permits the invocation holds through `uses`: a section of one of those re-enters. */
    private readonly heldThroughUses: (invocationId: string) => BudgetHold | undefined,
    /** The function's budgetPriority, for the fair queue. */
    private readonly priorityOf: (app: string, functionName: string, version: number) => number,
  ) {}

  /** `budgets.acquire [name]` → a section id, once the permit is held. */
  async acquire(call: HostCall): Promise<number> {
    const invocationId = call.invocationId;
    // A call that arrives after its invocation ended would take a permit nobody gives back.
    if (invocationId === null || call.invocationRunning !== true) throw new NimbusError('NIMBUS_ERR_BODY_INVALID', 'ctx.budgets.run works only while an invocation runs');
    const name = call.args[0];
    if (typeof name !== 'string' || !BUDGET_NAME.test(name)) {
      throw new NimbusError('NIMBUS_ERR_BODY_INVALID', 'budget: a budget name (lower-case letters, digits and dashes, starting with a letter)');
    }
    const limiter = this.registry.limiter(name);
    if (!limiter) throw new NimbusError('NIMBUS_ERR_BUDGET_NOT_FOUND', name, { budget: name });
    let open = this.#open.get(invocationId);
    if (!open) {
      open = { held: new Map(), waiting: 0, next: 1, ended: new AbortController() };
      this.#open.set(invocationId, open);
    }
    if (open.held.size + open.waiting >= MAX_SECTIONS_PER_INVOCATION) {
      throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `at most ${MAX_SECTIONS_PER_INVOCATION} ctx.budgets.run sections may be open at once in one invocation`);
    }
    const id = open.next++;
    if (this.heldThroughUses(invocationId)?.limiters.includes(limiter)) {
      open.held.set(id, null);
      return id;
    }
    const names = this.registry.namesOf(name);
    let hold: BudgetHold;
    open.waiting++;
    try {
      // acquire takes free permits at once, without waiting.
      hold = await this.registry.acquire(names, { owner: `${call.app}/${call.functionName}`, priority: this.priorityOf(call.app, call.functionName, call.version) }, { signal: open.ended.signal });
    } catch (err) {
      if (err instanceof BudgetWaitEnded) throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `the invocation ended while waiting for budget "${name}"`);
      throw err;
    } finally {
      open.waiting--;
    }
    if (open.ended.signal.aborted) {
      hold.cancel();
      throw new NimbusError('NIMBUS_ERR_BODY_INVALID', 'the invocation ended while waiting for a budget');
    }
    open.held.set(id, hold);
    return id;
  }

  /** `budgets.release [id, ok]`: an unknown id (released already, or never given) is ignored. */
  release(call: HostCall): void {
    const open = call.invocationId === null ? undefined : this.#open.get(call.invocationId);
    const id = call.args[0];
    if (!open || typeof id !== 'number') return;
    const hold = open.held.get(id);
    if (hold === undefined) return;
    open.held.delete(id);
    hold?.release(this.clock.monotonic(), call.args[1] === true);
    if (open.held.size === 0 && open.waiting === 0) this.#open.delete(call.invocationId!);
  }

  /** The invocation ended on any path: its waits stop and its permits go back (a section cut short counts as failed). */
  end(invocationId: string): void {
    const open = this.#open.get(invocationId);
    if (!open) return;
    this.#open.delete(invocationId);
    open.ended.abort();
    const now = this.clock.monotonic();
    for (const hold of open.held.values()) hold?.release(now, false);
  }

  /** Invocations with sections open or waiting (for tests and the node's view). */
  get openInvocations(): number {
    return this.#open.size;
  }
}
