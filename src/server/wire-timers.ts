import type { Logger } from 'pino';
import type { AdminRouter } from '../gateway/admin-router.js';
import type { EventInvoker } from '../runtime/event-invoker.js';
import type { TimerSettings, TimerTick } from '../sdk/definition.js';
import type { Clock } from '../shared/clock.js';
import { NimbusError } from '../shared/errors.js';
import { isStorageFault } from '../store/storage-errors.js';
import type { TimerStore } from '../store/timer-store.js';
import { TimerScheduler, type TimerDefinitionRef, type TimerLogger } from '../triggers/timer/scheduler.js';
import { addTimerApi } from '../triggers/timer/timer-api.js';
import type { DeploymentRegistry } from './deployments.js';

/** Timer functions of every live version, as the scheduler takes them. */
function liveTimers(deployments: DeploymentRegistry): TimerDefinitionRef[] {
  return deployments.live().flatMap((version) =>
    version.functions
      .filter((f) => f.kind === 'timer')
      .map((f) => ({ app: version.app, functionName: f.name, version: version.version, settings: f.trigger as unknown as TimerSettings })),
  );
}

/** First wait before arming the timers again after a failed start; it doubles up to the longest. */
const ARM_RETRY_FIRST_MS = 1_000;
const ARM_RETRY_MAX_MS = 30_000;

/** Starts the timer scheduler on the live versions and keeps it in step with deploys. */

export async function wireTimers(deps: {
  store: TimerStore; invoker: EventInvoker; nodeId: string; clock: Clock; log: Logger; drainTimeoutMs: number;
  deployments: DeploymentRegistry; router: AdminRouter;
  /** Told how late each timer fired after its scheduled time (ms). */
  observeLag: (ms: number) => void;
}): Promise<{ armed: Promise<void>; prepare: () => void; arm: () => void; close: () => Promise<void> }> {
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
  // Arming reads and schedules every stored timer, which grows with the timers deployed. prepare() starts that
  // while the node boots its sandboxes, in chunks, so a node with thousands of timers listens as soon as an empty
  // one would, and serves between the chunks of what is left; arm() lets timers fire, once the node listens.
  // A timer that falls due meanwhile fires as soon as it is armed, as one due while the node was down does.
  // Deploys made before the read are in it; those made meanwhile queue behind it. A failure (the store away
  // for a moment) is tried again, sooner at first, until the node closes: timers never stay unarmed without a
  // word. Both steps may be repeated: a sync rewrites only what changed, a start runs once.
  let closing = false;
  let wakeRetry: (() => void) | undefined;
  let prepareAsked = false;
  let prepare!: () => void;
  const mayPrepare = new Promise<void>((resolve) => (prepare = () => {
    prepareAsked = true;
    resolve();
  }));
  let arm!: () => void;
  const mayArm = new Promise<void>((resolve) => (arm = resolve));
  const armed = (async () => {
    await mayPrepare;
    for (let attempt = 0; !closing; attempt++) {
      try {
        await scheduler.sync(liveTimers(deps.deployments));
        await mayArm;
        await scheduler.start();
        return;
      } catch (err) {
        if (closing || (err instanceof NimbusError && err.code === 'NIMBUS_ERR_NODE_SHUTTING_DOWN')) return;
        const retryMs = Math.min(ARM_RETRY_MAX_MS, ARM_RETRY_FIRST_MS * 2 ** attempt);
        deps.log.error({ err, retryMs }, 'timers could not be armed at start; trying again');
        await new Promise<void>((resolve) => {
          const timer = deps.clock.setTimeout(resolve, retryMs);
          timer.unref();
          wakeRetry = () => {
            deps.clock.clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  })();
  deps.deployments.onChange(() => {
    // Before the arming's own sync, it reads the live versions as they are by then: nothing to do here.
    if (!prepareAsked) return;
    scheduler.sync(liveTimers(deps.deployments)).catch((err: unknown) => deps.log.error({ err }, 'timer rescheduling failed'));
  });
  addTimerApi(deps.router, scheduler, armed);
  return {
    armed,
    prepare,
    arm,
    close: () => {
      closing = true;
      prepare();
      arm();
      wakeRetry?.();
      return scheduler.close();
    },
  };
}
