import type { TriggerKind } from '../sdk/definition.js';
import type { ResolvedSettings } from '../sdk/settings.js';
import type { BlobIndex } from '../blobs/blob-index.js';
import type { BudgetStore } from '../budgets/budget.js';
import type { AsyncResultStore } from './async-result-store.js';
import type { KeyStore } from './key-store.js';
import type { QueueStore } from './queue-store.js';
import type { LogStore } from './log-store.js';
import type { MeteringStore } from './metering-store.js';
import type { SecretStore } from './secret-store.js';
import type { TimerStore } from './timer-store.js';

/**
 * Nimbus state behind one asynchronous interface. SQLite (embedded, default)
 * and PostgreSQL (cluster) implement it; callers never know which. Each area
 * is its own sub-interface so its implementation stays in its own file.
 */
export interface Store {
  readonly apps: AppStore;
  readonly secrets: SecretStore;
  readonly keys: KeyStore;
  readonly timers: TimerStore;
  readonly metering: MeteringStore;
  readonly logs: LogStore;
  readonly queues: QueueStore;
  readonly asyncResults: AsyncResultStore;
  /** Blob metadata and the blob event log (the bytes live in a blob backend). */
  readonly blobIndex: BlobIndex;
  /** Downstream budgets: named limits shared by the functions that name them (docs/budgets.md). */
  readonly budgets: BudgetStore;
  close(): Promise<void>;
}

/** What the platform read from one exported definition at deploy time. */
export interface FunctionManifest {
  name: string;
  kind: TriggerKind;
  settings: ResolvedSettings;
  /** Trigger-specific settings (route, queue, cron, bucket…), validated by the trigger's own schema. */
  trigger: Record<string, unknown>;
}

export interface AppRecord {
  name: string;
  liveVersion: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface VersionRecord {
  app: string;
  version: number;
  /** sha256 of the bundle: bundles are stored content-addressed. */
  bundleHash: string;
  sourceMapHash: string | null;
  bundleSize: number;
  functions: FunctionManifest[];
  createdAt: number;
}

export interface NewVersion {
  bundleHash: string;
  sourceMapHash: string | null;
  bundleSize: number;
  functions: FunctionManifest[];
}

export interface AppStore {
  list(): Promise<AppRecord[]>;
  get(app: string): Promise<AppRecord | undefined>;
  /** Numbers the version, records it and makes it live, in one transaction. */
  createVersion(app: string, version: NewVersion): Promise<VersionRecord>;
  listVersions(app: string): Promise<VersionRecord[]>;
  getVersion(app: string, version: number): Promise<VersionRecord | undefined>;
  /** Live versions of every app, for building the route table at start. */
  listLive(): Promise<VersionRecord[]>;
  setLive(app: string, version: number): Promise<void>;
  /** Removes the app and its versions; its bundles are swept once no version references them. */
  remove(app: string): Promise<boolean>;
  /** Every bundle and source map hash some version of some app references. */
  referencedBundleHashes(): Promise<Set<string>>;
}
