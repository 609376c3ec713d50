import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3BlobsConfig } from './s3-blobs-url.js';

/** The one bucket and key prefix everything of this Nimbus cluster lives under. */
export interface S3Location {
  client: S3Client;
  bucket: string;
  /** '' or ends in '/'. */
  prefix: string;
}

/**
 * An S3 client for the configured store. Credentials come from the SDK's
 * default chain (AWS_* variables, profiles, instance roles), never from us.
 * Checksums are sent and checked only where S3 requires them: many
 * S3-compatible stores do not know the newer CRC headers the SDK adds by
 * default, and our own MD5 covers every byte anyway.
 */
export function createS3Location(config: S3BlobsConfig): S3Location {
  const client = new S3Client({
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.region ? { region: config.region } : {}),
    forcePathStyle: config.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return { client, bucket: config.bucket, prefix: config.prefix };
}

/**
 * Fails with one readable line when the bucket cannot be used: run at start,
 * so a wrong endpoint, bucket or credential stops the node rather than its first write.
 */
export async function checkBucketReachable(location: S3Location, where: string): Promise<void> {
  try {
    await location.client.send(new HeadBucketCommand({ Bucket: location.bucket }));
  } catch (err) {
    throw new Error(`cannot use the S3 bucket "${location.bucket}" at ${where}: ${describeS3Error(err)}`, { cause: err });
  }
}

/** What went wrong, in words, from an SDK or network error (never a credential). */
export function describeS3Error(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status === 404 || e.name === 'NotFound' || e.name === 'NoSuchBucket') return 'no such bucket (create it first)';
  if (status === 403 || status === 401) return 'access denied (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket policy)';
  if (e.code) return `${e.code}${e.message ? ` (${e.message})` : ''}`;
  return `${e.name ?? 'error'}${status ? ` (HTTP ${status})` : ''}${e.message ? `: ${e.message}` : ''}`;
}
