import { z } from 'zod';
import type { TriggerKind } from '../sdk/definition.js';
import type { ResolvedSettings } from '../sdk/settings.js';
import { ERRORS, NimbusError } from '../shared/errors.js';
import { validateBlobSettings } from './blob/blob-settings.js';
import { resolveQueueSettings } from './queue/settings.js';
import { validateTimerSettings } from './timer/timer-settings.js';
import { describeIssues, functionSettingsSchema, resolveSettings } from './function-settings.js';
import { httpSettingsSchema, httpTriggerConfig } from './http/definition.js';

/** A validated definition: the shared settings with defaults, and the trigger's own configuration. */
export interface ValidatedDefinition {
  settings: ResolvedSettings;
  trigger: Record<string, unknown>;
}

type Validator = (functionName: string, raw: unknown) => ValidatedDefinition;

/** Shared settings plus whatever the trigger adds; the trigger's folder owns the schema. */
function fromSchema<S extends z.ZodType<z.infer<typeof functionSettingsSchema>>>(
  kind: TriggerKind,
  schema: S,
  toTrigger: (parsed: z.infer<S>) => Record<string, unknown>,
): Validator {
  return (functionName, raw) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', describeIssues(functionName, parsed.error));
    return { settings: resolveSettings(kind, parsed.data), trigger: toTrigger(parsed.data) };
  };
}

/**
 * Shared settings checked here, the trigger's own fields by its folder's
 * validator; errors are re-worded to name the function as well as the field.
 */
function withOwnValidator(kind: TriggerKind, validateOwn: (raw: unknown) => Record<string, unknown>): Validator {
  const shared = functionSettingsSchema.passthrough();
  return (functionName, raw) => {
    const parsed = shared.safeParse(raw);
    if (!parsed.success) throw new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', describeIssues(functionName, parsed.error));
    try {
      return { settings: resolveSettings(kind, parsed.data), trigger: validateOwn(raw) };
    } catch (err) {
      if (!(err instanceof NimbusError)) throw err;
      const detail = err.message.replace(`${ERRORS[err.code].message}: `, '');
      throw new NimbusError(err.code, `${functionName}.${detail}`, err.details);
    }
  };
}

const validators = new Map<TriggerKind, Validator>([
  ['http', fromSchema('http', httpSettingsSchema, (s) => ({ ...httpTriggerConfig(s) }))],
  ['queue', withOwnValidator('queue', (raw) => ({ ...resolveQueueSettings(raw as Record<string, unknown>) }))],
  ['blob', withOwnValidator('blob', (raw) => {
    const { bucket, path, events, maxAttempts, backoff } = validateBlobSettings(raw);
    return { bucket, path, events, maxAttempts, backoff };
  })],
  ['timer', withOwnValidator('timer', (raw) => ({ ...validateTimerSettings(raw) }))],
]);

/** Lets a trigger register a stricter validator for its kind. */
export function registerTriggerValidator(kind: TriggerKind, validator: Validator): void {
  validators.set(kind, validator);
}

export function validateDefinition(functionName: string, kind: string, raw: unknown): ValidatedDefinition {
  const validator = validators.get(kind as TriggerKind);
  if (!validator) throw new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', `${functionName}: unknown trigger kind "${kind}"`);
  return validator(functionName, raw ?? {});
}
