import { z } from 'zod';
import type { TriggerKind } from '../sdk/definition.js';
import type { ResolvedSettings } from '../sdk/settings.js';

export const MAX_MEMORY_MB = 8192;
export const MAX_TIMEOUT_MS = 15 * 60_000;
export const MAX_INSTANCES_CAP = 1000;

const networkPolicy = z.union([
  z.literal('none'),
  z.literal('outbound'),
  z.object({ allow: z.array(z.string().min(1)).max(256) }).strict(),
]);

/** The settings every kind shares; each trigger's own schema adds its fields. */
export const functionSettingsSchema = z.object({
  memoryMb: z.number().int().min(64).max(MAX_MEMORY_MB).optional(),
  timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS).optional(),
  concurrency: z.number().int().min(1).max(1000).optional(),
  minInstances: z.number().int().min(0).max(MAX_INSTANCES_CAP).optional(),
  maxInstances: z.number().int().min(1).max(MAX_INSTANCES_CAP).optional(),
  idleTimeoutMs: z.number().int().min(0).optional(),
  queueLimit: z.number().int().min(0).max(100_000).optional(),
  queueTimeoutMs: z.number().int().min(0).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env names are letters, digits and _'), z.string()).optional(),
  network: networkPolicy.optional(),
  cpuShares: z.number().int().min(2).max(262_144).optional(),
});

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

/** Applies the platform defaults; CPU share is proportional to memory, as the big clouds do. */
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
    cpuShares: input.cpuShares ?? Math.max(2, Math.round((memoryMb / 128) * 128)),
  };
}

/** "field: problem" lines from a zod error, for deploy answers that name the field. */
export function describeIssues(functionName: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => `${functionName}.${issue.path.join('.') || '(settings)'}: ${issue.message}`)
    .join('; ');
}
