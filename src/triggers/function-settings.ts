import { z } from 'zod';
import type { TriggerKind } from '../sdk/definition.js';
import type { ResolvedSettings } from '../sdk/settings.js';
import { CPU_SHARES_PER_MB } from '../runtime/sandbox/cgroups/limits.js';

/*
 * Upper bounds of every setting, checked at deploy. Durations stay far below
 * Node's timer limit (2^31-1 ms, about 24.8 days): past it a timer fires after
 * 1 ms, which turned a long queueTimeoutMs into a 429 for every call.
 */
export const MIN_MEMORY_MB = 64;
export const MAX_MEMORY_MB = 8192;
export const MAX_TIMEOUT_MS = 15 * 60_000;
export const MAX_CONCURRENCY = 1000;
export const MAX_INSTANCES_CAP = 1000;
/** An idle instance is stopped after at most a day: longer is minInstances' job. */
export const MAX_IDLE_TIMEOUT_MS = 24 * 60 * 60_000;
export const MAX_QUEUE_LIMIT = 100_000;
/** Waiting for a slot longer than an invocation may run helps nobody. */
export const MAX_QUEUE_TIMEOUT_MS = MAX_TIMEOUT_MS;
export const MIN_CPU_SHARES = 2;
export const MAX_CPU_SHARES = 262_144;
export const MAX_ENV_VARIABLES = 1000;
export const MAX_ENV_NAME_LENGTH = 256;
export const MAX_ENV_VALUE_BYTES = 64 * 1024;
/** Names and values together, in UTF-8 bytes. */
export const MAX_ENV_TOTAL_BYTES = 1024 * 1024;
export const MAX_NETWORK_ALLOW_ENTRIES = 256;
export const MAX_NETWORK_ALLOW_ENTRY_LENGTH = 300;
export const MAX_BUDGETS_PER_FUNCTION = 16;
export const MAX_BUDGET_PRIORITY = 100;
/** Budget names appear in URLs, metrics labels and error messages. */
export const BUDGET_NAME = /^[a-z][a-z0-9-]{0,62}$/;

const networkPolicy = z.union([
  z.literal('none'),
  z.literal('outbound'),
  z.object({ allow: z.array(z.string().min(1).max(MAX_NETWORK_ALLOW_ENTRY_LENGTH)).max(MAX_NETWORK_ALLOW_ENTRIES) }).strict(),
]);

const envName = z.string().max(MAX_ENV_NAME_LENGTH).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env names are letters, digits and _');
const envValue = z.string()
  .refine((value) => Buffer.byteLength(value) <= MAX_ENV_VALUE_BYTES, { message: `env values are at most ${MAX_ENV_VALUE_BYTES} bytes` })
  // An environment variable ends at its first NUL: the function would see less than was deployed.
  .refine((value) => !value.includes('\u0000'), { message: 'env values cannot hold a NUL character' });
const env = z.record(envName, envValue).superRefine((vars, ctx) => {
  const names = Object.keys(vars);
  if (names.length > MAX_ENV_VARIABLES) ctx.addIssue({ code: 'custom', message: `at most ${MAX_ENV_VARIABLES} variables, got ${names.length}` });
  let bytes = 0;
  for (const name of names) bytes += Buffer.byteLength(name) + Buffer.byteLength(vars[name]!);
  if (bytes > MAX_ENV_TOTAL_BYTES) ctx.addIssue({ code: 'custom', message: `at most ${MAX_ENV_TOTAL_BYTES} bytes in all, got ${bytes}` });
});

/** The settings every kind shares; each trigger's own schema adds its fields. */
export const functionSettingsSchema = z.object({
  memoryMb: z.number().int().min(MIN_MEMORY_MB).max(MAX_MEMORY_MB).optional(),
  timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS).optional(),
  concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).optional(),
  minInstances: z.number().int().min(0).max(MAX_INSTANCES_CAP).optional(),
  maxInstances: z.number().int().min(1).max(MAX_INSTANCES_CAP).optional(),
  idleTimeoutMs: z.number().int().min(0).max(MAX_IDLE_TIMEOUT_MS).optional(),
  queueLimit: z.number().int().min(0).max(MAX_QUEUE_LIMIT).optional(),
  queueTimeoutMs: z.number().int().min(0).max(MAX_QUEUE_TIMEOUT_MS).optional(),
  env: env.optional(),
  network: networkPolicy.optional(),
  cpuShares: z.number().int().min(MIN_CPU_SHARES).max(MAX_CPU_SHARES).optional(),
  uses: z.array(z.string().regex(BUDGET_NAME, 'budget names are 1-63 lower-case letters, digits and dashes, starting with a letter'))
    .max(MAX_BUDGETS_PER_FUNCTION)
    .refine((names) => new Set(names).size === names.length, { message: 'a budget is named twice' })
    .optional(),
  budgetPriority: z.number().int().min(-MAX_BUDGET_PRIORITY).max(MAX_BUDGET_PRIORITY).optional(),
  origin: z.enum(['lambda', 'workers', 'azure']).optional(),
});

/** The shared settings' names, and within `network: { allow }` its own, for a deploy to refuse any other. */
export const FUNCTION_SETTINGS_FIELDS: readonly string[] = Object.keys(functionSettingsSchema.shape);
export const NETWORK_POLICY_FIELDS: readonly string[] = ['allow'];

export const DEFAULTS = {
  memoryMb: 128,
  timeoutMs: 30_000,
  minInstances: 0,
  maxInstances: 10,
  idleTimeoutMs: 300_000,
  queueLimit: 100,
  queueTimeoutMs: 10_000,
} as const;

/** HTTP handlers mostly wait on I/O, so an instance takes several at once; event handlers one by default. */
const DEFAULT_CONCURRENCY: Record<TriggerKind, number> = { http: 8, queue: 1, blob: 1, timer: 1 };

/**
 * Applies the platform defaults. CPU share is proportional to memory, as the big
 * clouds do, at the rate the sandbox uses for a warm instance of that size (128 MiB:
 * the kernel's default 1024), so assigning a function rewrites no CPU limit.
 */
export function resolveSettings(kind: TriggerKind, input: z.infer<typeof functionSettingsSchema>): ResolvedSettings {
  const memoryMb = input.memoryMb ?? DEFAULTS.memoryMb;
  const minInstances = input.minInstances ?? DEFAULTS.minInstances;
  return {
    memoryMb,
    timeoutMs: input.timeoutMs ?? DEFAULTS.timeoutMs,
    concurrency: input.concurrency ?? DEFAULT_CONCURRENCY[kind],
    minInstances,
    maxInstances: Math.max(input.maxInstances ?? DEFAULTS.maxInstances, minInstances),
    idleTimeoutMs: input.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
    queueLimit: input.queueLimit ?? DEFAULTS.queueLimit,
    queueTimeoutMs: input.queueTimeoutMs ?? DEFAULTS.queueTimeoutMs,
    env: input.env ?? {},
    network: input.network ?? 'outbound',
    cpuShares: input.cpuShares ?? memoryMb * CPU_SHARES_PER_MB,
    ...(input.uses && input.uses.length > 0 ? { uses: [...input.uses].sort() } : {}),
    ...(input.budgetPriority ? { budgetPriority: input.budgetPriority } : {}),
    ...(input.origin ? { origin: input.origin } : {}),
  };
}

/** "field: problem" lines from a zod error, for deploy answers that name the field. */
export function describeIssues(functionName: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => `${functionName}.${issue.path.join('.') || '(settings)'}: ${issue.message}`)
    .join('; ');
}
