/** Per-function settings shared by every trigger kind. Defaults are applied by the platform. */
export interface FunctionSettings {
  /** Memory for one instance, in MiB. Default 128; 64–8192. */
  memoryMb?: number;
  /** Wall-clock limit for one invocation. Default 30 000 ms; 1 ms–15 min. */
  timeoutMs?: number;
  /** In-flight invocations one instance handles at once. Default 1 for events, 8 for HTTP; at most 1000. */
  concurrency?: number;
  /** Instances kept running even when idle. Default 0 (scale to zero); at most 1000. */
  minInstances?: number;
  /** Hard cap on instances: protects what the function calls. Default 10; 1–1000. */
  maxInstances?: number;
  /** An instance idle this long is stopped. Default 300 000 ms; at most 24 h. */
  idleTimeoutMs?: number;
  /** Invocations allowed to wait for a free slot once the cap is reached. Default 100; at most 100 000. */
  queueLimit?: number;
  /** How long an invocation may wait for a slot before it is refused (HTTP 429). Default 10 000 ms; at most 15 min; 0: nothing waits at the cap. */
  queueTimeoutMs?: number;
  /** Plain environment variables for the function's instances: at most 1000, values ≤ 64 KiB, 1 MiB in all. */
  env?: Record<string, string>;
  /** Outbound network policy (enforced by the strict sandbox). Default 'outbound'. */
  network?: NetworkPolicy;
  /** CPU share relative to other functions; default proportional to memoryMb. */
  cpuShares?: number;
  /**
   * Downstream budgets every invocation holds while it runs (see `nimbus budgets`): shared
   * concurrency and rate limits across functions, apps, triggers and nodes. At most 16.
   */
  uses?: string[];
  /** Among waiters for a budget, higher goes first; default 0, -100–100. Equal priorities share fairly. */
  budgetPriority?: number;
  /** Set by the adapters: the platform the function's code was written for (shown by `nimbus ls`). */
  origin?: FunctionOrigin;
}

/** Another platform's code run unchanged: AWS Lambda, Cloudflare Workers, Azure Functions (v4). */
export type FunctionOrigin = 'lambda' | 'workers' | 'azure';

export type NetworkPolicy = 'none' | 'outbound' | { allow: string[] };

/** Settings with every default applied, as the platform runs them. */
export interface ResolvedSettings {
  memoryMb: number;
  timeoutMs: number;
  concurrency: number;
  minInstances: number;
  maxInstances: number;
  idleTimeoutMs: number;
  queueLimit: number;
  queueTimeoutMs: number;
  env: Record<string, string>;
  network: NetworkPolicy;
  cpuShares: number;
  /** Absent when the function names no budget (and in versions deployed before budgets existed). */
  uses?: string[];
  /** Absent means 0. */
  budgetPriority?: number;
  /** Absent for native functions. */
  origin?: FunctionOrigin;
}
