import { Readable } from 'node:stream';
import type { BlobBackend, BlobObjectMeta } from '../blobs/blob-backend.js';
import type { HostCall, HostReply, HostServices } from '../runtime/host-services.js';
import type { BlobInfo } from '../sdk/context.js';
import { NimbusError } from '../shared/errors.js';
import type { NewMessage, QueueStore } from '../store/queue-store.js';
import type { BudgetSections } from '../budgets/budget-sections.js';

/** Messages one ctx.queues call may send. */
export const MAX_MESSAGES_PER_CALL = 1_000;

/**
 * What functions reach through ctx.queues and ctx.blobs. Arguments come from
 * untrusted code: every one is checked before it touches a store.
 */
export function createHostServices(deps: { queues: QueueStore; blobs: BlobBackend; budgets?: BudgetSections }): HostServices {
  return async (call: HostCall): Promise<HostReply> => {
    const [first, second, third] = call.args;
    switch (`${call.service}.${call.method}`) {
      case 'queues.send': {
        const queue = text(first, 'queue');
        if (!Array.isArray(second) || second.length === 0 || second.length > MAX_MESSAGES_PER_CALL) {
          throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `messages: 1 to ${MAX_MESSAGES_PER_CALL} messages per call`);
        }
        return { value: await deps.queues.send(queue, second as NewMessage[]) };
      }
      case 'blobs.get': {
        try {
          const { meta, body } = await deps.blobs.getObject(text(first, 'bucket'), text(second, 'key'));
          return { value: blobInfo(meta), body };
        } catch (err) {
          if (isMissing(err)) return { value: null };
          throw err;
        }
      }
      case 'blobs.head': {
        try {
          return { value: blobInfo(await deps.blobs.headObject(text(first, 'bucket'), text(second, 'key'))) };
        } catch (err) {
          if (isMissing(err)) return { value: null };
          throw err;
        }
      }
      case 'blobs.put': {
        const options = (third ?? {}) as { contentType?: unknown; metadata?: unknown };
        const result = await deps.blobs.putObject(text(first, 'bucket'), text(second, 'key'), call.body ?? Readable.from([]), {
          ...(typeof options.contentType === 'string' ? { contentType: options.contentType } : {}),
          ...(isStringRecord(options.metadata) ? { metadata: options.metadata } : {}),
        });
        return { value: { etag: result.etag, size: result.size } };
      }
      case 'blobs.delete': {
        const result = await deps.blobs.deleteObject(text(first, 'bucket'), text(second, 'key'));
        return { value: result.deleted };
      }
      case 'blobs.list': {
        const options = (second ?? {}) as Record<string, unknown>;
        const listing = await deps.blobs.list(text(first, 'bucket'), {
          ...(typeof options['prefix'] === 'string' ? { prefix: options['prefix'] } : {}),
          ...(typeof options['delimiter'] === 'string' ? { delimiter: options['delimiter'] } : {}),
          ...(typeof options['cursor'] === 'string' ? { cursor: options['cursor'] } : {}),
          ...(typeof options['limit'] === 'number' ? { limit: options['limit'] } : {}),
        });
        return { value: listing };
      }
      case 'budgets.acquire': {
        if (!deps.budgets) throw new NimbusError('NIMBUS_ERR_BUDGET_NOT_FOUND', 'this node enforces no budgets');
        return { value: await deps.budgets.acquire(call) };
      }
      case 'budgets.release': {
        deps.budgets?.release(call);
        return { value: null };
      }
      default:
        throw new NimbusError('NIMBUS_ERR_API_NOT_FOUND', `${call.service}.${call.method} is not a platform service`);
    }
  };
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new NimbusError('NIMBUS_ERR_BODY_INVALID', `${field}: must be a non-empty string`);
  return value;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}

function isMissing(err: unknown): boolean {
  return err instanceof NimbusError && (err.code === 'NIMBUS_ERR_BLOB_NOT_FOUND' || err.code === 'NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND');
}

function blobInfo(meta: BlobObjectMeta): BlobInfo {
  // What functions see is the stored metadata without its place in the event order.
  const { sequencer: _sequencer, ...info } = meta;
  return info;
}
