import type { BlobEventType } from '../../../../sdk/definition.js';
import type { UnsupportedItem } from '../app-format.js';

/**
 * What both readers (serverless.yml, SAM template) make of a description:
 * functions with their settings and events in one shape, before they become
 * Nimbus definitions. Values are resolved (variables, intrinsics); whatever
 * could not be is already in `unsupported`.
 */
export interface LambdaService {
  /** The description file, relative to the app folder. */
  source: string;
  appName?: string;
  region: string;
  stage: string;
  functions: LambdaFunctionSpec[];
  unsupported: UnsupportedItem[];
  /** REST API media types passed base64-encoded. */
  binaryMediaTypes: string[];
}

export interface LambdaFunctionSpec {
  /** The key in `functions:` or the SAM logical id. */
  key: string;
  /** Where it is in the description, for messages: `functions.hello`, `Resources.HelloFunction`. */
  where: string;
  /** The deployed name AWS would give it. */
  functionName: string;
  /** `src/handler.hello`, relative to the app folder (SAM's CodeUri already joined). */
  handler: string;
  /** Where `handler` came from, for messages. */
  handlerWhere: string;
  memoryMb: number;
  timeoutSeconds: number;
  env: Record<string, string>;
  reservedConcurrency?: number;
  provisionedConcurrency?: number;
  events: LambdaEventSpec[];
}

export type LambdaEventSpec = (
  | { kind: 'httpApi'; method: string; path: string; payload: '1.0' | '2.0'; privateKey: false }
  | { kind: 'rest'; method: string; path: string; privateKey: boolean }
  | {
    kind: 'sqs';
    /** The Nimbus queue name, and the SQS name it came from when they differ. */
    queue: string;
    sqsName: string;
    batchSize?: number;
    maxBatchWaitMs?: number;
    maxConcurrency?: number;
    reportBatchItemFailures: boolean;
    maxAttempts?: number;
    deadLetterQueue?: string;
    visibilityTimeoutMs?: number;
  }
  | { kind: 's3'; bucket: string; events: BlobEventType[]; prefix: string; suffix: string }
  | { kind: 'schedule'; expression: string; timezone?: string; input?: unknown; ruleName: string }
) & {
  /** `functions.hello.events[0] (httpApi)`. */
  where: string;
};

/** Lambda's Node.js runtimes; anything else is another language's code. */
export function isNodeRuntime(runtime: unknown): boolean {
  return runtime === undefined || (typeof runtime === 'string' && /^nodejs/.test(runtime));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
