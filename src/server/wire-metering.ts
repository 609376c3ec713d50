import type { Logger } from 'pino';
import { APP_NAME } from '../auth/names.js';
import { NimbusError } from '../shared/errors.js';
import type { GatewayExtensions } from '../gateway/gateway.js';
import type { AdminRouter } from '../gateway/admin-router.js';
import { meteringRoutes } from '../gateway/admin-routes/metering.js';
import { FunctionLogs } from '../metering/function-logs.js';
import { InvocationRecorder } from '../metering/invocation-recorder.js';
import { handleLogsRequest } from '../metering/logs-api.js';
import { handleMetricsRequest, NodeMetrics, type QueueDepth } from '../metering/metrics.js';
import type { PriceTable } from '../metering/prices.js';
import { createInvocationTracer } from '../metering/tracing/invocation-tracer.js';
import { handleInvocationsApi, handleUsageApi } from '../metering/usage-api.js';
import { InstanceSampler } from '../metering/instance-sampler.js';
import { handleStatsApi } from '../metering/stats-api.js';
import type { Dispatcher } from '../runtime/dispatcher.js';
import type { InvocationLifecycle } from '../runtime/lifecycle.js';
import type { Clock } from '../shared/clock.js';
import type { LogStore } from '../store/log-store.js';
import type { KnownNames } from './known-names.js';
import type { MeteringStore } from '../store/metering-store.js';
import { isStorageFault } from '../store/storage-errors.js';

export interface MeteringWiring {
  metrics: NodeMetrics;
  extension: NonNullable<GatewayExtensions['metrics']>;
  /** Flushes what is buffered; call before closing the store. */
  close(): Promise<void>;
}

/**
 * Attaches metering, function logs, metrics and tracing to the invocation
 * lifecycle: the hooks only buffer; writes happen in batches off the hot path.
 */
export function wireMetering(deps: {
  lifecycle: InvocationLifecycle; dispatcher: Dispatcher; router: AdminRouter; clock: Clock; log: Logger;
  meteringStore: MeteringStore; logStore: LogStore; prices?: PriceTable; metricsOpen: boolean; enabled: boolean;
  /** Says 404 for an app or function that does not exist; without it, any name is answered (with nothing). */
  names?: KnownNames;
  /** Queue depths, read when /metrics is scraped (not on a timer, not on the hot path). */
  queueDepths: () => Promise<QueueDepth[]>;
}): MeteringWiring {
  // Storage faults were logged once where they arose; every flush would repeat them.
  const onError = (error: unknown, context?: string) => {
    if (!isStorageFault(error)) deps.log.error({ err: error, context }, 'metering write failed');
  };
  const metrics = new NodeMetrics({});
  metrics.setInstanceSource(() => deps.dispatcher.instanceStates());
  let queueDepths: QueueDepth[] = [];
  metrics.setQueueSource(() => queueDepths);
  const recorder = new InvocationRecorder({ store: deps.meteringStore, clock: deps.clock, onError });
  const logs = new FunctionLogs({ store: deps.logStore, clock: deps.clock, onError });
  const tracer = createInvocationTracer(process.env, deps.clock, onError);
  if (deps.enabled) {
    recorder.attach(deps.lifecycle);
    logs.attach(deps.lifecycle);
    metrics.attach(deps.lifecycle);
    tracer?.attach(deps.lifecycle);
  }

  const meteringDeps = { store: deps.meteringStore, clock: deps.clock, ...(deps.prices ? { prices: deps.prices } : {}) };
  deps.router.add(meteringRoutes.usage, async ({ query }) => {
    const app = query.get('app');
    if (app && APP_NAME.test(app)) deps.names?.requireApp(app);
    return handleUsageApi(query, meteringDeps);
  });
  deps.router.add(meteringRoutes.invocationRecords, async ({ query }) => handleInvocationsApi(query, meteringDeps));
  const instances = new InstanceSampler(deps.clock, () => {
    let running = 0;
    for (const f of deps.dispatcher.instances()) running += f.instances;
    return running;
  });
  instances.start();
  deps.router.add(meteringRoutes.stats, async ({ query }) => {
    const app = query.get('app');
    if (app && APP_NAME.test(app)) {
      const fn = query.get('fn');
      await (fn ? deps.names?.requireFunction(app, fn) : deps.names?.requireApp(app));
    }
    return handleStatsApi(query, { ...meteringDeps, instances });
  });
  deps.router.add(meteringRoutes.logs, async ({ req, res, query, params }) => {
    // The query's app filter is read loosely; a path names one app, so it must be a name an app can have.
    if (!APP_NAME.test(params['app']!)) throw new NimbusError('NIMBUS_ERR_APP_NOT_FOUND', JSON.stringify(params['app']));
    const fn = query.get('fn');
    if (deps.names) await (fn ? deps.names.requireFunction(params['app']!, fn) : deps.names.requireApp(params['app']!));
    query.set('app', params['app']!);
    await handleLogsRequest(req, res, query, logs, { clock: deps.clock });
    return undefined;
  });

  return {
    metrics,
    extension: {
      async handle(res) {
        queueDepths = await deps.queueDepths().catch(() => queueDepths);
        await handleMetricsRequest(res, metrics);
      },
      open: deps.metricsOpen,
    },
    async close() {
      instances.stop();
      await recorder.close();
      await logs.close();
      await tracer?.close();
    },
  };
}
