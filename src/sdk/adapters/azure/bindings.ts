/**
 * Binding descriptions: what `trigger.*`, `input.*` and `output.*` return
 * (plain objects with a `type` and a `name`), as @azure/functions v4 builds
 * them. Names that are not given are derived from the binding, so the same
 * binding gets the same name in every instance.
 */
import { createHash } from 'node:crypto';

export interface FunctionTrigger extends Record<string, unknown> {
  type: string;
  name: string;
}
export interface FunctionInput extends Record<string, unknown> {
  type: string;
  name: string;
}
export interface FunctionOutput extends Record<string, unknown> {
  type: string;
  name: string;
}

export interface HttpTriggerOptions {
  /** Default 'anonymous'. */
  authLevel?: 'anonymous' | 'function' | 'admin';
  /** Default ['GET', 'POST']. */
  methods?: string[];
  /** Default: the function's name. */
  route?: string;
}
export interface TimerTriggerOptions {
  /** Six-field NCRONTAB: `{second} {minute} {hour} {day} {month} {day-of-week}`; `%NAME%` reads the NAME setting. */
  schedule: string;
  runOnStartup?: boolean;
  useMonitor?: boolean;
}
export interface StorageBlobOptions {
  /** `container/path`, with `{name}` captures. */
  path: string;
  /** An app setting naming a storage account: ignored, Nimbus blobs are the node's. */
  connection: string;
  sdkBinding?: boolean;
}
export interface StorageBlobTriggerOptions extends StorageBlobOptions {
  source?: 'EventGrid' | 'LogsAndContainerScan';
}
export interface StorageQueueOptions {
  queueName: string;
  /** An app setting naming a storage account: ignored, Nimbus queues are the node's. */
  connection: string;
}

function named<T extends { type: string; name?: string }>(binding: T, suffix: string): T & { name: string } {
  if (binding.name) return binding as T & { name: string };
  const type = binding.type.toLowerCase().endsWith(suffix.toLowerCase()) ? binding.type : `${binding.type}${suffix}`;
  const hash = createHash('sha256').update(JSON.stringify(binding)).digest('hex').slice(0, 8);
  return { ...binding, name: `${type}${hash}` };
}

type Named<T> = T & { name?: string };

export const trigger = {
  http: (options: Named<HttpTriggerOptions>): FunctionTrigger =>
    named({ ...options, authLevel: options.authLevel ?? 'anonymous', methods: options.methods ?? ['GET', 'POST'], type: 'httpTrigger' }, 'Trigger'),
  timer: (options: Named<TimerTriggerOptions>): FunctionTrigger => named({ ...options, type: 'timerTrigger' }, 'Trigger'),
  storageBlob: (options: Named<StorageBlobTriggerOptions>): FunctionTrigger => named({ ...options, type: 'blobTrigger' }, 'Trigger'),
  storageQueue: (options: Named<StorageQueueOptions>): FunctionTrigger => named({ ...options, type: 'queueTrigger' }, 'Trigger'),
  serviceBusQueue: (options: Record<string, unknown>): FunctionTrigger => named({ ...options, type: 'serviceBusTrigger' }, 'Trigger'),
  serviceBusTopic: (options: Record<string, unknown>): FunctionTrigger => named({ ...options, type: 'serviceBusTrigger' }, 'Trigger'),
  eventHub: (options: Record<string, unknown>): FunctionTrigger => named({ ...options, type: 'eventHubTrigger' }, 'Trigger'),
  eventGrid: (options: Record<string, unknown>): FunctionTrigger => named({ ...options, type: 'eventGridTrigger' }, 'Trigger'),
  cosmosDB: (options: Record<string, unknown>): FunctionTrigger => named({ ...options, type: 'cosmosDBTrigger' }, 'Trigger'),
  warmup: (options: Record<string, unknown>): FunctionTrigger => named({ ...options, type: 'warmupTrigger' }, 'Trigger'),
  sql: (options: Record<string, unknown>): FunctionTrigger => named({ ...options, type: 'sqlTrigger' }, 'Trigger'),
  mySql: (options: Record<string, unknown>): FunctionTrigger => named({ ...options, type: 'mysqlTrigger' }, 'Trigger'),
  webPubSub: (options: Record<string, unknown>): FunctionTrigger => named({ ...options, type: 'webPubSubTrigger' }, 'Trigger'),
  generic: (options: Named<{ type: string } & Record<string, unknown>>): FunctionTrigger => named({ ...options }, 'Trigger'),
};

export const input = {
  storageBlob: (options: Named<StorageBlobOptions>): FunctionInput => named({ ...options, type: 'blob' }, 'Input'),
  table: (options: Record<string, unknown>): FunctionInput => named({ ...options, type: 'table' }, 'Input'),
  cosmosDB: (options: Record<string, unknown>): FunctionInput => named({ ...options, type: 'cosmosDB' }, 'Input'),
  sql: (options: Record<string, unknown>): FunctionInput => named({ ...options, type: 'sql' }, 'Input'),
  mySql: (options: Record<string, unknown>): FunctionInput => named({ ...options, type: 'mysql' }, 'Input'),
  generic: (options: Named<{ type: string } & Record<string, unknown>>): FunctionInput => named({ ...options }, 'Input'),
};

export const output = {
  http: (options: Record<string, unknown> = {}): FunctionOutput => named({ ...options, type: 'http' }, 'Output'),
  storageBlob: (options: Named<StorageBlobOptions>): FunctionOutput => named({ ...options, type: 'blob' }, 'Output'),
  storageQueue: (options: Named<StorageQueueOptions>): FunctionOutput => named({ ...options, type: 'queue' }, 'Output'),
  table: (options: Record<string, unknown>): FunctionOutput => named({ ...options, type: 'table' }, 'Output'),
  serviceBusQueue: (options: Record<string, unknown>): FunctionOutput => named({ ...options, type: 'serviceBus' }, 'Output'),
  serviceBusTopic: (options: Record<string, unknown>): FunctionOutput => named({ ...options, type: 'serviceBus' }, 'Output'),
  eventHub: (options: Record<string, unknown>): FunctionOutput => named({ ...options, type: 'eventHub' }, 'Output'),
  eventGrid: (options: Record<string, unknown>): FunctionOutput => named({ ...options, type: 'eventGrid' }, 'Output'),
  cosmosDB: (options: Record<string, unknown>): FunctionOutput => named({ ...options, type: 'cosmosDB' }, 'Output'),
  sql: (options: Record<string, unknown>): FunctionOutput => named({ ...options, type: 'sql' }, 'Output'),
  mySql: (options: Record<string, unknown>): FunctionOutput => named({ ...options, type: 'mysql' }, 'Output'),
  webPubSub: (options: Record<string, unknown>): FunctionOutput => named({ ...options, type: 'webPubSub' }, 'Output'),
  generic: (options: Named<{ type: string } & Record<string, unknown>>): FunctionOutput => named({ ...options }, 'Output'),
};

