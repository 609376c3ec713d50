import { createHash } from 'node:crypto';
import type { QueueBatch, QueueResult } from '../../definition.js';
import type { LambdaFunctionInfo } from './function-info.js';
import { isObject } from './http-api-event.js';

/** One SQS record as documented in docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (example event). */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    SenderId: string;
    ApproximateFirstReceiveTimestamp: string;
  };
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

/** A Nimbus message body is JSON; an SQS body is text: strings pass as they are, other values as their JSON. */
export function sqsEvent(batch: QueueBatch, info: LambdaFunctionInfo, receivedAt: number): SqsEvent {
  return {
    Records: batch.messages.map((message) => {
      const body = typeof message.body === 'string' ? message.body : JSON.stringify(message.body);
      return {
        messageId: message.id,
        receiptHandle: Buffer.from(`${batch.queue} ${message.id} ${message.attempt}`).toString('base64'),
        body,
        attributes: {
          ApproximateReceiveCount: String(message.attempt),
          SentTimestamp: String(message.enqueuedAt),
          SenderId: info.accountId,
          ApproximateFirstReceiveTimestamp: String(receivedAt),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${info.region}:${info.accountId}:${batch.queue}`,
        awsRegion: info.region,
      };
    }),
  };
}

/**
 * Partial batch responses (docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html):
 * with ReportBatchItemFailures, `{ batchItemFailures: [{ itemIdentifier }] }` retries those
 * messages only; an empty list or none is success. A failure naming no message of the batch
 * fails the whole batch, as Lambda does. Without ReportBatchItemFailures the return value
 * is ignored: only a thrown error retries (the whole batch).
 */
export function sqsResult(result: unknown, batch: QueueBatch, reportsItemFailures: boolean): QueueResult {
  if (!reportsItemFailures || !isObject(result) || !Array.isArray(result['batchItemFailures'])) return undefined;
  const ids = new Set(batch.messages.map((m) => m.id));
  const failed: string[] = [];
  for (const item of result['batchItemFailures']) {
    const id = isObject(item) ? item['itemIdentifier'] : undefined;
    if (typeof id !== 'string' || !ids.has(id)) return { failed: [...ids] };
    failed.push(id);
  }
  return { failed };
}
