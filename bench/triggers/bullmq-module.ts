/**
 * BullMQ, loaded only when the queues bench runs, so the bench type-checks and
 * runs (skipping the baseline with a note) where the package is not installed.
 * Only the few calls the baseline makes are typed here.
 */

export interface RedisConnection {
  host: string;
  port: number;
}

export interface BullQueue {
  addBulk(jobs: { name: string; data: unknown }[]): Promise<unknown[]>;
  getJobCountByTypes(...types: string[]): Promise<number>;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

export interface BullWorker {
  waitUntilReady(): Promise<unknown>;
  on(event: 'failed' | 'error', listener: (...args: unknown[]) => void): unknown;
  close(force?: boolean): Promise<void>;
}

export interface BullMqModule {
  Queue: new (name: string, options: { connection: RedisConnection; defaultJobOptions?: { removeOnComplete?: boolean; removeOnFail?: boolean } }) => BullQueue;
  Worker: new (name: string, processor: () => Promise<void>, options: { connection: RedisConnection; concurrency: number }) => BullWorker;
}

/** The installed bullmq, or why it is not there. */
export async function loadBullMq(): Promise<BullMqModule | { skipped: string }> {
  // A variable specifier: bullmq is an optional devDependency that tsc must not look for.
  const name = 'bullmq';
  try {
    return (await import(name)) as BullMqModule;
  } catch (error) {
    return { skipped: `bullmq is not installed (npm i -D bullmq ioredis): ${(error as Error).message.split('\n')[0]}` };
  }
}
