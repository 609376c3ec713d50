import type { BlobEvent } from '../../definition.js';
import type { LambdaFunctionInfo } from './function-info.js';

/** One record of an S3 event notification, as documented in docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html */
export interface S3Record {
  eventVersion: '2.1';
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; sequencer: string };
  };
}

export interface S3Event {
  Records: S3Record[];
}

/** S3 notifications carry the key URL-encoded as in a form (a space is `+`), with `/` left as it is. */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/**
 * Every Nimbus write is a PUT (a new object or an overwrite: both `ObjectCreated:Put`
 * in S3); a delete is `ObjectRemoved:Delete`, whose record has no size or ETag.
 */
export function s3Event(event: BlobEvent, info: LambdaFunctionInfo, configurationId: string, requestId: string, at: Date): S3Event {
  const removed = event.eventType === 'deleted';
  const owner = { principalId: info.accountId };
  return {
    Records: [{
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: info.region,
      eventTime: at.toISOString(),
      eventName: removed ? 'ObjectRemoved:Delete' : 'ObjectCreated:Put',
      userIdentity: owner,
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': requestId, 'x-amz-id-2': requestId },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId,
        bucket: { name: event.bucket, ownerIdentity: owner, arn: `arn:aws:s3:::${event.bucket}` },
        object: removed
          ? { key: encodeS3Key(event.key), sequencer: event.sequencer }
          : { key: encodeS3Key(event.key), size: event.size, eTag: event.etag.replace(/^"|"$/g, ''), sequencer: event.sequencer },
      },
    }],
  };
}
