import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.js';
import type { BudgetLimiter } from '../../budgets/budget-limiter.js';
import type { BudgetRegistry } from '../../budgets/budget-registry.js';
import type { PgDatabase } from '../../store/postgres/pg-database.js';
import type { BudgetShares } from '../budget-shares.js';

/** Every share is renewed this often (one short transaction per budget per node), and at once when waiters need more. */
export const DEFAULT_SHARE_RENEW_MS = 1_000;
/** A share not renewed for this long lapses: a dead node's permits return to the others within it. */
export const DEFAULT_SHARE_TTL_MS = 5_000;
/** Waiters ask for a bigger share at most this often per budget: a starved node must not turn into a query per invocation. */
const STARVED_RENEW_GAP_MS = 100;
/** First key of the per-budget advisory locks (two-key form, apart from the instance slots' "NS"). */
const SHARE_LOCK_CLASS = 0x4e42; // "NB"

export interface PgBudgetSharesOptions {
  nodeId: string;
  clock?: Clock;
  renewMs?: number;
  ttlMs?: number;
  onError?: (error: unknown) => void;
}

interface OtherShare {
  held: number;
  wanted: number;
}

/** What one renewal decides for this node. */
export interface ShareGrant {
  /** Permits this node may hold. */
  permits: number;
  /** Its part of the rate (0..1). */
  rateShare: number;
}

/**
 * This node's share of a budget, from what it wants and what the others hold
 * and want. Without contention a node takes what it wants plus a chunk of
 * headroom (bursts start without a round trip) out of what nobody wants; with contention each node's
 * target is its demand-proportional part of the limit. Never more than the
 * others leave free: the sum of the rows never exceeds the limit.
 */
export function decideShare(limit: number, wanted: number, others: readonly OtherShare[]): ShareGrant {
  let othersHeld = 0;
  let othersWanted = 0;
  for (const o of others) {
    othersHeld += o.held;
    othersWanted += o.wanted;
  }
  const free = Math.max(0, limit - othersHeld);
  const totalWanted = wanted + othersWanted;
  const chunk = Math.max(1, Math.ceil(limit / 10));
  let target: number;
  // Headroom comes out of what nobody wants, split between the nodes: an idle node's headroom never blocks a busy one.
  if (totalWanted <= limit) target = wanted + Math.min(chunk, Math.floor((limit - totalWanted) / (others.length + 1)));
  else target = Math.max(wanted > 0 ? 1 : 0, Math.floor((limit * wanted) / totalWanted));
  const permits = Math.min(target, free);
  // The rate is split by demand too; an idle node keeps a bucket of one token, and its first waiter asks for more.
  const rateShare = totalWanted > 0 ? wanted / totalWanted : 1 / (others.length + 1);
  return { permits, rateShare };
}

/**
 * Budgets across a cluster on one PostgreSQL store (table budget_shares).
 * Each node leases a share of every budget, renewed every `renewMs` and at
 * once when its waiters need more, in a short transaction under a per-budget
 * advisory lock. The warm path never touches the database: a permit is taken
 * from the local share. Idle shares shrink to a small headroom on the next
 * renewal; a node that stops renewing (dead, or cut off from the database)
 * loses its share after `ttlMs`, and stops granting itself once its share
 * may have lapsed.
 */
export class PgBudgetShares implements BudgetShares {
  readonly #db: PgDatabase;
  readonly #nodeId: string;
  readonly #clock: Clock;
  readonly #renewMs: number;
  readonly #ttlMs: number;
  readonly #onError: (error: unknown) => void;
  #registry: BudgetRegistry | null = null;
  #timer: TimerHandle | null = null;
  /** Renewals under way, by budget; `again` asks for one more right after. */
  readonly #renewing = new Map<string, { again: boolean; done: Promise<void> }>();
  /** When each budget's share was last written: past that plus the TTL it may have lapsed. */
  readonly #renewedAt = new Map<string, number>();
  /** When each budget's last renewal started, and renewals asked for by waiters that wait for the gap. */
  readonly #attemptedAt = new Map<string, number>();
  readonly #soon = new Map<string, TimerHandle>();
  #unsubscribe: (() => void) | null = null;
  #closed = false;

  constructor(db: PgDatabase, options: PgBudgetSharesOptions) {
    this.#db = db;
    this.#nodeId = options.nodeId;
    this.#clock = options.clock ?? systemClock;
    this.#renewMs = options.renewMs ?? DEFAULT_SHARE_RENEW_MS;
    this.#ttlMs = options.ttlMs ?? DEFAULT_SHARE_TTL_MS;
    this.#onError = options.onError ?? (() => {});
  }

  async start(registry: BudgetRegistry): Promise<void> {
    this.#registry = registry;
    this.#unsubscribe = registry.onChange((name, limiter) => {
      if (!limiter) void this.#drop(name);
      else if (!this.#adopt(limiter)) void this.#renew(limiter);
    });
    for (const limiter of registry.limiters()) this.#adopt(limiter);
    await Promise.all(registry.limiters().map((l) => this.#renew(l)));
    this.#schedule();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    for (const timer of this.#soon.values()) this.#clock.clearTimeout(timer);
    await Promise.allSettled([...this.#renewing.values()].map((r) => r.done));
    await this.#db.query('DELETE FROM budget_shares WHERE node_id = $1', [this.#nodeId]).catch(() => {});
  }

  /** Shares held now across the cluster, by node (what the cluster tests check the split against). */
  async shares(budget: string): Promise<{ nodeId: string; held: number; wanted: number }[]> {
    return this.#db.query<{ nodeId: string; held: number; wanted: number }>(
      'SELECT node_id AS "nodeId", held, wanted FROM budget_shares WHERE budget = $1 AND expires_at > $2 ORDER BY node_id',
      [budget, this.#clock.now()],
    );
  }

  /** A limiter starts with nothing and asks for its share at once; false when it was adopted before. */
  #adopt(limiter: BudgetLimiter): boolean {
    if (this.#renewedAt.has(limiter.name)) return false;
    limiter.setShare(0, 0);
    limiter.onStarved((l) => this.#renewSoon(l));
    this.#renewedAt.set(limiter.name, Number.NEGATIVE_INFINITY);
    void this.#renew(limiter);
    return true;
  }

  /** Waiters need more: renew now, or once the gap since the last renewal has passed. */
  #renewSoon(limiter: BudgetLimiter): void {
    if (this.#closed || this.#soon.has(limiter.name)) return;
    const wait = (this.#attemptedAt.get(limiter.name) ?? Number.NEGATIVE_INFINITY) + STARVED_RENEW_GAP_MS - this.#clock.monotonic();
    if (wait <= 0) {
      void this.#renew(limiter);
      return;
    }
    const timer = this.#clock.setTimeout(() => {
      this.#soon.delete(limiter.name);
      void this.#renew(limiter);
    }, wait);
    timer.unref();
    this.#soon.set(limiter.name, timer);
  }

  async #drop(name: string): Promise<void> {
    this.#renewedAt.delete(name);
    await this.#db.query('DELETE FROM budget_shares WHERE budget = $1 AND node_id = $2', [name, this.#nodeId]).catch(this.#onError);
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => {
      const registry = this.#registry;
      const renewals = registry ? registry.limiters().map((l) => this.#renew(l)) : [];
      void Promise.allSettled(renewals).then(() => this.#schedule());
    }, this.#renewMs);
    this.#timer.unref();
  }

  /** One renewal per budget at a time; asks made meanwhile are served by one more right after. */
  #renew(limiter: BudgetLimiter): Promise<void> {
    const running = this.#renewing.get(limiter.name);
    if (running) {
      running.again = true;
      return running.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        do {
          entry.again = false;
          if (this.#closed || this.#registry?.limiter(limiter.name) !== limiter) return;
          await this.#renewOnce(limiter);
        } while (entry.again);
      } finally {
        this.#renewing.delete(limiter.name);
      }
    })();
    this.#renewing.set(limiter.name, entry);
    return entry.done;
  }

  async #renewOnce(limiter: BudgetLimiter): Promise<void> {
    const name = limiter.name;
    this.#attemptedAt.set(name, this.#clock.monotonic());
    try {
      const grant = await this.#db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SHARE_LOCK_CLASS, name]);
        const now = this.#clock.now();
        await tx.query('DELETE FROM budget_shares WHERE budget = $1 AND expires_at <= $2', [name, now]);
        const others = await tx.query<OtherShare>('SELECT held, wanted FROM budget_shares WHERE budget = $1 AND node_id <> $2', [name, this.#nodeId]);
        const wanted = limiter.inUse + limiter.waiting;
        const decided = decideShare(limiter.limit, wanted, others);
        // Shrinking takes effect here before the row says so (growing only once the row is committed): at no
        // moment may this node start more than its row admits. The row never says less than it holds now.
        if (decided.permits < limiter.share) limiter.setShare(decided.permits, Math.min(decided.rateShare, limiter.rateShare));
        await tx.query(
          `INSERT INTO budget_shares (budget, node_id, held, wanted, expires_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (budget, node_id) DO UPDATE SET held = EXCLUDED.held, wanted = EXCLUDED.wanted, expires_at = EXCLUDED.expires_at`,
          [name, this.#nodeId, Math.max(limiter.inUse, decided.permits), wanted, now + this.#ttlMs],
        );
        return decided;
      });
      this.#renewedAt.set(name, this.#clock.monotonic());
      limiter.setShare(grant.permits, grant.rateShare);
    } catch (error) {
      this.#onError(error);
      // Cut off from the database: once the share may have lapsed for the others, this node starts nothing more.
      const renewedAt = this.#renewedAt.get(name) ?? Number.NEGATIVE_INFINITY;
      if (this.#clock.monotonic() - renewedAt > this.#ttlMs / 2) limiter.setShare(0, 0);
    }
  }
}
