import { lookup as dnsLookup } from 'node:dns/promises';
import { parseAllowEntry } from '../runtime/sandbox/network/destination.js';
import { NimbusError } from '../shared/errors.js';
import type { FunctionManifest } from '../store/store.js';

/** How long one name may take to resolve before the deploy stops waiting for it. */
export const HOST_LOOKUP_TIMEOUT_MS = 2_000;
/** How long the whole check may hold a deploy; names not answered by then are reported unchecked. */
export const HOST_CHECK_BUDGET_MS = 5_000;
/**
 * Lookups running at once, counted until each really settles (getaddrinfo
 * cannot be cancelled and runs on libuv's small thread pool, which file
 * access needs too): a slow resolver never takes more than this many threads.
 */
const MAX_LOOKUPS_IN_FLIGHT = 2;
/** Resolver answers that say the name has no IPv4 address (sandboxes are IPv4-only), as opposed to no answer. */
const DEFINITE_FAILURES = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);

/** Resolves a name to its IPv4 addresses, as the network slots do at assign. */
export type HostLookup = (hostname: string) => Promise<readonly string[]>;

export interface AllowListCheckOptions {
  lookup?: HostLookup;
  timeoutMs?: number;
  budgetMs?: number;
}

const systemLookup: HostLookup = async (hostname) => (await dnsLookup(hostname, { family: 4, all: true })).map((a) => a.address);

/** One limiter per lookup function: the system resolver's is shared by every deploy of the node. */
const limiters = new WeakMap<HostLookup, LookupLimiter>();

/**
 * Checks every host name in the functions' `network.allow` lists before a
 * version is created: each is resolved the way a sandbox's rules will be at
 * assign. Refuses the deploy (400 NIMBUS_ERR_DEPLOY_UNRESOLVABLE_HOST, naming
 * the function and host) when the resolver answers that a name does not
 * exist or has no IPv4 address — every call would fail. A resolver that does
 * not answer (timeout, SERVFAIL, unreachable) only gives a warning: a
 * temporary DNS fault must not block deploys (docs/security.md). Also refuses
 * entries that are not valid allow-list syntax. Resolves with the warnings.
 */
export async function checkAllowListHosts(functions: readonly FunctionManifest[], options: AllowListCheckOptions = {}): Promise<string[]> {
  const users = new Map<string, string[]>();
  for (const fn of functions) {
    const network = fn.settings.network;
    if (typeof network !== 'object') continue;
    network.allow.forEach((text, index) => {
      let entry: ReturnType<typeof parseAllowEntry>;
      try {
        entry = parseAllowEntry(text);
      } catch (error) {
        throw new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', `${fn.name}.network.allow[${index}]: ${(error as Error).message}`, { field: `network.allow[${index}]` });
      }
      if (entry.kind !== 'hostname') return;
      const host = entry.hostname.toLowerCase();
      const listing = users.get(host) ?? [];
      if (!listing.includes(fn.name)) listing.push(fn.name);
      users.set(host, listing);
    });
  }
  if (users.size === 0) return [];

  const lookup = options.lookup ?? systemLookup;
  const limiter = limiters.get(lookup) ?? new LookupLimiter();
  limiters.set(lookup, limiter);
  const timeoutMs = options.timeoutMs ?? HOST_LOOKUP_TIMEOUT_MS;
  const deadline = Date.now() + (options.budgetMs ?? HOST_CHECK_BUDGET_MS);
  const outcomes = await Promise.all([...users.keys()].map((host) => resolveWithin(lookup, limiter, host, timeoutMs, deadline)));

  const warnings: string[] = [];
  [...users.entries()].forEach(([host, fns], i) => {
    const outcome = outcomes[i]!;
    const who = `function${fns.length > 1 ? 's' : ''} ${fns.join(', ')}`;
    if (outcome.kind === 'missing') {
      throw new NimbusError(
        'NIMBUS_ERR_DEPLOY_UNRESOLVABLE_HOST',
        `${host} (network.allow of ${who}) has no IPv4 address (${outcome.code}): every call that needs it would fail`,
        { function: fns[0], host },
      );
    }
    if (outcome.kind === 'unknown') {
      warnings.push(`${host} (network.allow of ${who}) could not be checked: ${outcome.reason}; calls fail until it resolves`);
    }
  });
  return warnings;
}

type Outcome = { kind: 'resolved' } | { kind: 'missing'; code: string } | { kind: 'unknown'; reason: string };

async function resolveWithin(lookup: HostLookup, limiter: LookupLimiter, host: string, timeoutMs: number, deadline: number): Promise<Outcome> {
  const slot = await limiter.acquire(deadline);
  if (!slot) return { kind: 'unknown', reason: 'the deploy-time check ran out of time' };
  const running = lookup(host).then(
    (addresses): Outcome => (addresses.length > 0 ? { kind: 'resolved' } : { kind: 'missing', code: 'ENODATA' }),
    (error: unknown): Outcome => {
      const code = (error as { code?: string }).code ?? 'ERROR';
      return DEFINITE_FAILURES.has(code) ? { kind: 'missing', code } : { kind: 'unknown', reason: `the resolver answered ${code}` };
    },
  );
  void running.finally(() => limiter.release());
  let timer: NodeJS.Timeout | undefined;
  const wait = Math.max(0, Math.min(timeoutMs, deadline - Date.now()));
  const timedOut = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'unknown', reason: `no answer within ${wait} ms` }), wait);
  });
  try {
    return await Promise.race([running, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** At most MAX_LOOKUPS_IN_FLIGHT lookups at once, a slot held until its lookup settles. */
class LookupLimiter {
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  /** Resolves true with a slot, or false when the deadline passes first. */
  acquire(deadline: number): Promise<boolean> {
    if (this.#inFlight < MAX_LOOKUPS_IN_FLIGHT) {
      this.#inFlight++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = (): void => {
        clearTimeout(timer);
        this.#inFlight++;
        resolve(true);
      };
      const timer = setTimeout(() => {
        const at = this.#waiting.indexOf(grant);
        if (at >= 0) this.#waiting.splice(at, 1);
        resolve(false);
      }, Math.max(0, deadline - Date.now()));
      this.#waiting.push(grant);
    });
  }

  release(): void {
    this.#inFlight--;
    this.#waiting.shift()?.();
  }
}
