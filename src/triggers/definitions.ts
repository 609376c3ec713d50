import { z } from 'zod';
import type { BlobSettings, TriggerKind } from '../sdk/definition.js';
import type { ResolvedSettings } from '../sdk/settings.js';
import { ERRORS, NimbusError } from '../shared/errors.js';
import { blobDeliverySettings } from './blob/blob-delivery.js';
import { BLOB_TRIGGER_FIELDS, validateBlobSettings } from './blob/blob-settings.js';
import { asyncBindingOf, asyncQueueSettings } from './queue/async-invocations.js';
import { QUEUE_TRIGGER_FIELDS, resolveQueueSettings } from './queue/settings.js';
import { BACKOFF_FIELDS } from './retry-policy.js';
import { refuseUnknownSettings, type SettingsFields } from './settings-fields.js';
import { TIMER_TRIGGER_FIELDS, validateTimerSettings } from './timer/timer-settings.js';
import { describeIssues, FUNCTION_SETTINGS_FIELDS, functionSettingsSchema, NETWORK_POLICY_FIELDS, resolveSettings } from './function-settings.js';
import { httpSettingsSchema, httpTriggerConfig } from './http/definition.js';

/**
 * Function names are export names; they appear in `/fn/<app>/<function>`, in
 * internal queue names (`_async.<app>.<fn>`, at most 200 characters) and in
 * logs, so they are plain ASCII identifiers of bounded length.
 */
export const FUNCTION_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,99}$/;
export const FUNCTION_NAME_RULE = 'function names are JavaScript identifiers of 1-100 ASCII letters, digits, _ and $';

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

const validators: ReadonlyMap<TriggerKind, Validator> = new Map<TriggerKind, Validator>([
  ['http', fromSchema('http', httpSettingsSchema, (s) => ({ ...httpTriggerConfig(s) }))],
  ['queue', withOwnValidator('queue', (raw) => ({ ...resolveQueueSettings(raw as Record<string, unknown>) }))],
  ['blob', withOwnValidator('blob', (raw) => {
    const { bucket, path, events, maxAttempts, backoff } = validateBlobSettings(raw);
    return { bucket, path, events, maxAttempts, backoff };
  })],
  ['timer', withOwnValidator('timer', (raw) => ({ ...validateTimerSettings(raw) }))],
]);

/**
 * Every field a deploy's settings may hold, by kind: the shared ones and the
 * trigger's own. The triggers' validators read only what they know and also
 * read stored manifests, so the refusal of anything else is made here, where
 * only a new deploy's definitions pass.
 */
const settingsFields: Record<TriggerKind, SettingsFields> = {
  http: { kind: 'HTTP', names: Object.keys(httpSettingsSchema.shape), nested: { network: NETWORK_POLICY_FIELDS } },
  queue: { kind: 'queue', names: [...FUNCTION_SETTINGS_FIELDS, ...QUEUE_TRIGGER_FIELDS], nested: { network: NETWORK_POLICY_FIELDS, backoff: BACKOFF_FIELDS } },
  blob: { kind: 'blob', names: [...FUNCTION_SETTINGS_FIELDS, ...BLOB_TRIGGER_FIELDS], nested: { network: NETWORK_POLICY_FIELDS, backoff: BACKOFF_FIELDS } },
  timer: { kind: 'timer', names: [...FUNCTION_SETTINGS_FIELDS, ...TIMER_TRIGGER_FIELDS], nested: { network: NETWORK_POLICY_FIELDS, backoff: BACKOFF_FIELDS } },
};

/**
 * The internal queues a kind's invocations travel through (async HTTP calls,
 * blob events) derive their consumer settings from the function's: checked
 * here so nothing a trigger needs can fail once the version is live.
 */
const deliveryChecks: Partial<Record<TriggerKind, (app: string, functionName: string, definition: ValidatedDefinition) => void>> = {
  http: (app, functionName, { settings }) => void asyncQueueSettings(asyncBindingOf(app, functionName, settings)),
  blob: (app, functionName, { settings, trigger }) => void blobDeliverySettings({ app, functionName, settings: trigger as unknown as BlobSettings }, settings),
};

/**
 * The whole definition of one function of `app`: its name, the shared
 * settings, the trigger's own and whatever its delivery derives from them.
 * Throws NIMBUS_ERR_DEPLOY_INVALID_DEFINITION naming the function and field.
 */
export function validateDefinition(app: string, functionName: string, kind: string, raw: unknown): ValidatedDefinition {
  if (typeof functionName !== 'string' || !FUNCTION_NAME.test(functionName)) {
    // Names come from the bundle's sandbox: untrusted and of any length, so only the start is echoed.
    throw new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', `${String(JSON.stringify(functionName)).slice(0, 120)}: ${FUNCTION_NAME_RULE}`, { field: 'name' });
  }
  const validator = validators.get(kind as TriggerKind);
  if (!validator) throw new NimbusError('NIMBUS_ERR_DEPLOY_INVALID_DEFINITION', `${functionName}: unknown trigger kind ${String(JSON.stringify(kind)).slice(0, 40)}`);
  refuseUnknownSettings(functionName, raw, settingsFields[kind as TriggerKind]);
  const definition = validator(functionName, raw ?? {});
  try {
    deliveryChecks[kind as TriggerKind]?.(app, functionName, definition);
  } catch (err) {
    if (!(err instanceof NimbusError)) throw err;
    const detail = err.message.replace(`${ERRORS[err.code].message}: `, '');
    throw new NimbusError(err.code, `${functionName}: its invocations cannot be delivered with these settings (${detail})`, err.details);
  }
  return definition;
}
