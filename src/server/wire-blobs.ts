import type { Logger } from 'pino';
import type { BlobBackend } from '../blobs/blob-backend.js';
import type { BlobIndex } from '../blobs/blob-index.js';
import type { AdminRouter } from '../gateway/admin-router.js';
import { addBlobApi } from '../gateway/blob-api/add-blob-api.js';
import type { EventInvoker } from '../runtime/event-invoker.js';
import type { BlobSettings } from '../sdk/definition.js';
import type { Clock } from '../shared/clock.js';
import type { QueueStore } from '../store/queue-store.js';
import { isStorageFault } from '../store/storage-errors.js';
import { blobDeliverySpec } from '../triggers/blob/blob-delivery.js';
import { BlobEventFanout, type BlobTriggerBinding } from '../triggers/blob/blob-event-fanout.js';
import { ConsumerGroup, type ConsumerSpec } from '../triggers/queue/consumer-group.js';
import type { DeploymentRegistry } from './deployments.js';

export interface BlobWiring {
  backend: BlobBackend;
  close(): Promise<void>;
}

/**
 * The node's blob API on the configured backend, and blob triggers: every write's
 * event is fanned out into the matching functions' internal queues, from
 * which they are delivered like queue messages.
 */
export async function wireBlobs(deps: {
  backend: BlobBackend; index: BlobIndex; queues: QueueStore; invoker: EventInvoker; clock: Clock; log: Logger;
  deployments: DeploymentRegistry; drainTimeoutMs: number; router: AdminRouter;
  observeEventLag: (ms: number) => void;
}): Promise<BlobWiring> {
  const { backend } = deps;
  // Storage faults were logged once where they arose; a retry loop would repeat them every pass.
  const onError = (err: unknown) => {
    if (!isStorageFault(err)) deps.log.error({ err }, 'blob event delivery problem');
  };
  const fanout = new BlobEventFanout({
    events: deps.index, clock: deps.clock, onError,
    enqueue: async (queue, bodies) => {
      await deps.queues.send(queue, bodies.map((body) => ({ body })), { internal: true });
    },
  });
  const deliveries = new ConsumerGroup({ queues: deps.queues, clock: deps.clock, onError });

  const sync = () => {
    const bindings: BlobTriggerBinding[] = [];
    const specs: ConsumerSpec[] = [];
    for (const version of deps.deployments.live()) {
      for (const f of version.functions) {
        if (f.kind !== 'blob') continue;
        const binding = { app: version.app, functionName: f.name, version: version.version, settings: f.trigger as unknown as BlobSettings };
        // Deploys check this; a version stored before a rule existed must not stop the other functions' events.
        try {
          specs.push(blobDeliverySpec(deps.invoker, binding, f.settings, deps.observeEventLag, () => deps.clock.now()));
          bindings.push(binding);
        } catch (err) {
          onError(err);
        }
      }
    }
    fanout.sync(bindings);
    deliveries.sync(specs);
  };
  sync();
  fanout.start();
  deps.deployments.onChange(sync);
  addBlobApi(deps.router, backend, (err) => deps.log.error({ err }, 'blob request failed'));

  return {
    backend,
    async close() {
      await fanout.stop();
      // The backend is closed by whoever opened it (open-storage.ts), after everything that writes to it.
      await deliveries.close(deps.drainTimeoutMs);
    },
  };
}
