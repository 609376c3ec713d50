import type { Logger } from 'pino';
import type { AdminRouter } from '../gateway/admin-router.js';
import type { EventInvoker } from '../runtime/event-invoker.js';
import type { TimerSettings, TimerTick } from '../sdk/definition.js';
import type { Clock } from '../shared/clock.js';
import { isStorageFault } from '../store/storage-errors.js';
import type { TimerStore } from '../store/timer-store.js';
import { TimerScheduler, type TimerDefinitionRef, type TimerLogger } from '../triggers/timer/scheduler.js';
import { handleTimerApi } from '../triggers/timer/timer-api.js';
import type { DeploymentRegistry } from './deployments.js';

/** Timer functions of every live version, as the scheduler takes them. */
function liveTimers(deployments: DeploymentRegistry): TimerDefinitionRef[] {
  return deployments.live().flatMap((version) =>
    version.functions
      .filter((f) => f.kind === 'timer')
      .map((f) => ({ app: version.app, functionName: f.name, version: version.version, settings: f.trigger as unknown as TimerSettings })),
  );
}

/** Starts the timer scheduler on the live versions and keeps it in step with deploys. */
export async function wireTimers(deps: {
  store: TimerStore; invoker: EventInvoker; nodeId: string; clock: Clock; log: Logger; drainTimeoutMs: number;
  deployments: DeploymentRegistry; router: AdminRouter;
  /** Told how late each timer fired after its scheduled time (ms). */
  observeLag: (ms: number) => void;
}): Promise<{ close: () => Promise<void> }> {
  const invoker: EventInvoker = {
    invokeEvent(event) {
      const tick = event.payload as Partial<TimerTick> | null;
      if (tick?.scheduledAt && tick.firedAt) deps.observeLag(Date.parse(tick.firedAt) - Date.parse(tick.scheduledAt));
      return deps.invoker.invokeEvent(event);
    },
    prepare: (target) => deps.invoker.prepare?.(target),
  };
  // Storage faults were logged once where they arose; a timer firing every second would repeat them.
  const logger: TimerLogger = {
    warn: (fields, message) => deps.log.warn(fields, message),
    error: (fields, message) => {
      if (!isStorageFault(fields['err'])) deps.log.error(fields, message);
    },
  };
  const scheduler = new TimerScheduler({
    store: deps.store, invoker, nodeId: deps.nodeId, clock: deps.clock, logger, drainTimeoutMs: deps.drainTimeoutMs,
  });
  await scheduler.sync(liveTimers(deps.deployments));
  await scheduler.start();
  deps.deployments.onChange(() => {
    scheduler.sync(liveTimers(deps.deployments)).catch((err: unknown) => deps.log.error({ err }, 'timer rescheduling failed'));
  });
  for (const method of ['GET', 'POST']) {
    deps.router.add(method, '/timers', 'Timers: schedules, next times, last runs', async ({ query }) => handleTimerApi(scheduler, method, ['timers'], query));
    deps.router.add(method, '/timers/:rest*', 'Timer runs (GET …/runs) and run-now (POST …/run)', async ({ query, params }) =>
      handleTimerApi(scheduler, method, ['timers', ...params['rest']!.split('/')], query));
  }
  return { close: () => scheduler.close() };
}
