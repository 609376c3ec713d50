import type { BlobEventType } from '../../../../sdk/definition.js';
import { resolveString, type TemplateScope } from './cfn-values.js';
import { isRecord } from './lambda-model.js';

/**
 * Pieces both readers share: which Nimbus queue an SQS event source names,
 * what its queue resource says about retries, and which blob events an S3
 * event list asks for.
 */

/** Nimbus queue names are lower-case (`[a-z0-9][a-z0-9._-]*`, ≤ 100); SQS names may mix case. */
export function nimbusQueueName(sqsName: string): string {
  const lowered = sqsName.toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '');
  return (lowered === '' ? 'queue' : lowered).slice(0, 100);
}

/** The SQS queue name an event source's ARN (or Ref/GetAtt, or queue URL) names. */
export function sqsNameOf(source: unknown, scope: TemplateScope): { name: string } | { unresolved: string } {
  const resolved = resolveString(source, scope);
  if ('unresolved' in resolved) return resolved;
  const value = resolved.value;
  if (value.startsWith('arn:')) {
    const parts = value.split(':');
    if (parts.length < 6 || parts[2] !== 'sqs' || parts[5] === '') return { unresolved: `"${value}" is not an SQS queue ARN` };
    return { name: parts[5]! };
  }
  if (/^https?:\/\//.test(value)) return { name: value.replace(/\/+$/, '').split('/').pop()! };
  return { name: value };
}

export interface QueueResourceSettings {
  maxAttempts?: number;
  deadLetterQueue?: string;
  visibilityTimeoutMs?: number;
  unsupported: string[];
}

/**
 * What the template's own AWS::SQS::Queue of that name says: `RedrivePolicy`
 * (maxReceiveCount → maxAttempts, the target → deadLetterQueue) and
 * `VisibilityTimeout`. A queue defined elsewhere keeps Nimbus's defaults.
 */
export function queueResourceSettings(sqsName: string, scope: TemplateScope): QueueResourceSettings {
  const settings: QueueResourceSettings = { unsupported: [] };
  const entry = Object.entries(scope.resources).find(([logicalId, resource]) => {
    if (!isRecord(resource) || resource['Type'] !== 'AWS::SQS::Queue') return false;
    const name = resolveString({ Ref: logicalId }, scope);
    return 'value' in name && name.value === sqsName;
  });
  if (!entry) return settings;
  const properties = isRecord((entry[1] as Record<string, unknown>)['Properties']) ? (entry[1] as Record<string, Record<string, unknown>>)['Properties']! : {};
  if (properties['FifoQueue'] === true || properties['FifoQueue'] === 'true') settings.unsupported.push('FifoQueue: Nimbus queues have no message groups or exactly-once FIFO delivery');
  if (properties['DelaySeconds'] !== undefined && Number(properties['DelaySeconds']) > 0) settings.unsupported.push('DelaySeconds: Nimbus delays single messages (delayMs on send), not whole queues');
  if (properties['VisibilityTimeout'] !== undefined) {
    const seconds = Number(properties['VisibilityTimeout']);
    if (Number.isFinite(seconds) && seconds >= 1) settings.visibilityTimeoutMs = seconds * 1000;
  }
  const redrive = properties['RedrivePolicy'];
  if (isRecord(redrive)) {
    const count = Number(redrive['maxReceiveCount']);
    if (Number.isInteger(count) && count >= 1) settings.maxAttempts = count;
    if (redrive['deadLetterTargetArn'] !== undefined) {
      const target = sqsNameOf(redrive['deadLetterTargetArn'], scope);
      if ('name' in target) settings.deadLetterQueue = nimbusQueueName(target.name);
      else settings.unsupported.push(`RedrivePolicy.deadLetterTargetArn: ${target.unresolved}`);
    }
  }
  return settings;
}

/**
 * S3 notification event names as Nimbus blob events. Every Nimbus write is a
 * PUT (new object or overwrite) and every removal a DELETE, so only those
 * kinds have an equivalent.
 */
export function blobEventsOf(names: readonly string[]): { events: BlobEventType[]; unsupported: string[] } {
  const events = new Set<BlobEventType>();
  const unsupported: string[] = [];
  for (const name of names) {
    if (name === 's3:ObjectCreated:*' || name === 's3:ObjectCreated:Put') {
      events.add('created');
      events.add('updated');
    } else if (name === 's3:ObjectRemoved:*' || name === 's3:ObjectRemoved:Delete') {
      events.add('deleted');
    } else if (/^s3:ObjectCreated:(Post|Copy|CompleteMultipartUpload)$/.test(name)) {
      unsupported.push(`${name}: Nimbus writes every object with a PUT, so this event never happens; use s3:ObjectCreated:* or :Put`);
    } else {
      unsupported.push(`${name}: Nimbus blob storage has no such event (it has object created/overwritten and deleted)`);
    }
  }
  return { events: [...events], unsupported };
}
