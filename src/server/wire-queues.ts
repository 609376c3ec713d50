import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CredentialFilter } from '../auth/credential-filter.js';
import type { AdminRouter } from '../gateway/admin-router.js';
import { asyncRecordFor } from '../gateway/failure-audience.js';
import type { GatewayExtensions } from '../gateway/gateway.js';
import { queueRoutes } from '../gateway/admin-routes/queues.js';
import { readBody, sendJson } from '../gateway/json.js';
import type { RouteTarget } from '../gateway/route-table.js';
import type { EventInvoker } from '../runtime/event-invoker.js';
import type { QueueSettings } from '../sdk/definition.js';
import type { Clock } from '../shared/clock.js';
import { NimbusError } from '../shared/errors.js';
import type { AsyncResultStore } from '../store/async-result-store.js';
import { MAX_MESSAGE_BYTES, type QueueStore } from '../store/queue-store.js';
import { isStorageFault } from '../store/storage-errors.js';
import { asyncBindingOf, AsyncInvocations } from '../triggers/queue/async-invocations.js';
import { addQueueApi } from '../triggers/queue/queue-api.js';
import { QueueTriggerManager } from '../triggers/queue/queue-trigger.js';
import type { DeploymentRegistry } from './deployments.js';

/** An async call's request travels as one queue message (body in base64), so no more is read than could fit. */
const MAX_ASYNC_BODY_BYTES = MAX_MESSAGE_BYTES;

export interface QueueWiring {
  invokeAsync: NonNullable<GatewayExtensions['invokeAsync']>;
  close(): Promise<void>;
}

/**
 * Queue triggers and async invocations follow what is deployed; the queue
 * API accepts producer keys for sending, the admin key for everything else.
 */
export function wireQueues(deps: {
  queues: QueueStore; asyncResults: AsyncResultStore; invoker: EventInvoker; clock: Clock; log: Logger;
  deployments: DeploymentRegistry; router: AdminRouter; drainTimeoutMs: number; credentials: CredentialFilter;
}): QueueWiring {
  // Storage faults were logged once where they arose; consumers retrying every second would repeat them.
  const onError = (err: unknown) => {
    if (!isStorageFault(err)) deps.log.error({ err }, 'queue delivery problem');
  };
  const triggers = new QueueTriggerManager({ queues: deps.queues, invoker: deps.invoker, clock: deps.clock, onError });
  const asyncInvocations = new AsyncInvocations({ queues: deps.queues, results: deps.asyncResults, invoker: deps.invoker, clock: deps.clock, onError });

  const asyncBinding = (app: string, functionName: string) => {
    const fn = deps.deployments.liveFunction(app, functionName);
    return fn?.kind === 'http' ? asyncBindingOf(app, functionName, fn.settings) : undefined;
  };
  const sync = () => {
    const live = deps.deployments.live();
    triggers.sync(live.flatMap((v) => v.functions.filter((f) => f.kind === 'queue').map((f) => ({
      app: v.app, functionName: f.name, version: v.version, settings: f.trigger as unknown as QueueSettings,
    }))));
    asyncInvocations.sync(asyncBinding);
  };
  sync();
  deps.deployments.onChange(sync);

  addQueueApi(deps.router, deps.queues, {
    consumed: () => deps.deployments.live().flatMap((v) => v.functions.filter((f) => f.kind === 'queue').map((f) => (f.trigger as unknown as QueueSettings).queue)),
  });

  deps.router.add(queueRoutes.asyncResult, async ({ params, caller }) => {
    const record = await asyncInvocations.get(params.id);
    if (!record) throw new NimbusError('NIMBUS_ERR_INVOCATION_NOT_FOUND', params.id);
    return { status: 200, body: asyncRecordFor(caller, record) };
  }, {
    auth: async (params) => {
      // Whoever may invoke the function may read its results.
      const record = await asyncInvocations.get(params['id']!);
      return record ? { kind: 'invoke', app: record.app, fn: record.functionName, level: 'key' } : { kind: 'admin' };
    },
  });

  return {
    async invokeAsync(req: IncomingMessage, res: ServerResponse, target: RouteTarget) {
      const bytes = await readBody(req, MAX_ASYNC_BODY_BYTES).catch(explainAsyncBodyTooLarge);
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        if (name.toLowerCase() !== 'x-nimbus-async' && name.toLowerCase() !== 'connection') headers.push([name, req.rawHeaders[i + 1]!]);
      }
      // Stripped before storing: the queue keeps what the function will see, never the caller's key.
      const authenticated = target.auth !== 'anonymous';
      deps.credentials.stripHeaders(headers, req.headers, authenticated);
      const invocationId = await asyncInvocations.enqueue(target.app, target.functionName, {
        method: req.method ?? 'POST', url: `http://${req.headers.host ?? 'localhost'}${deps.credentials.stripUrl(req.url ?? '/', authenticated)}`, headers, body: bytes,
      }).catch(explainAsyncBodyTooLarge);
      sendJson(res, 202, { invocationId }, { location: `/_nimbus/api/v1/invocations/${invocationId}` });
    },
    async close() {
      await triggers.close(deps.drainTimeoutMs);
      await asyncInvocations.close(deps.drainTimeoutMs);
    },
  };
}

/**
 * A body too large for an asynchronous call, whether refused on reading (past the
 * message's own bytes) or on storing (past them once in base64 with its headers):
 * both say how much body fits, where the first alone would name a byte limit the
 * body can never reach.
 */
function explainAsyncBodyTooLarge(err: unknown): never {
  if (!(err instanceof NimbusError) || err.code !== 'NIMBUS_ERR_BODY_TOO_LARGE') throw err;
  throw new NimbusError('NIMBUS_ERR_BODY_TOO_LARGE', `an asynchronous call is stored as one queue message of at most ${MAX_MESSAGE_BYTES} bytes with its body in base64: about ${Math.floor((MAX_MESSAGE_BYTES * 3) / 4 / 1024) - 2} KiB of body, less its headers`);
}
