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

/** The installed bullmq, or why it cannot run: BullMQ 6 talks to Redis through ioredis, an optional peer of its own. */
export async function loadBullMq(): Promise<BullMqModule | { skipped: string }> {
  // Variable specifiers: optional devDependencies that tsc must not look for.
  const names = ['ioredis', 'bullmq'];
  try {
    await import(names[0]!);
  } catch (error) {
    return { skipped: `ioredis is not installed, which BullMQ needs for Redis (npm i -D ioredis): ${firstLine(error)}` };
  }
  try {
    return (await import(names[1]!)) as BullMqModule;
  } catch (error) {
    return { skipped: `bullmq is not installed (npm i -D bullmq ioredis): ${firstLine(error)}` };
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
