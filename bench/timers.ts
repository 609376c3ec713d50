import { openDatabase, type SqliteDatabase } from '../src/store/sqlite/sqlite-database.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TimerTick } from '../src/sdk/definition.js';
import type { EventInvocation, EventInvoker, EventResult } from '../src/runtime/event-invoker.js';
import { systemClock } from '../src/shared/clock.js';
import { SqliteTimerStore } from '../src/store/sqlite/sqlite-timer-store.js';
import { TimerScheduler, type TimerDefinitionRef } from '../src/triggers/timer/scheduler.js';

const JITTER_SECONDS = 10;
const IDLE_TIMERS = 10_000;
const IDLE_SECONDS = 5;

export interface TimerBenchOptions {
  jitterSeconds?: number;
  idleTimers?: number;
  idleSeconds?: number;
}

/** Answers at once and notes how late each tick started against its scheduled time. */
class LatenessInvoker implements EventInvoker {
  readonly latenessMs: number[] = [];
  async invokeEvent(event: EventInvocation): Promise<EventResult> {
    this.latenessMs.push(Date.now() - Date.parse((event.payload as TimerTick).scheduledAt));
    return { id: String(this.latenessMs.length), outcome: 'ok' };
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function openScheduler(dir: string, invoker: EventInvoker): { scheduler: TimerScheduler; db: SqliteDatabase } {
  const db = openDatabase(join(dir, 'state.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const scheduler = new TimerScheduler({ store: new SqliteTimerStore(db, systemClock), invoker, nodeId: 'bench' });
  return { scheduler, db };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

async function measureJitter(seconds: number): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-timers-'));
  const invoker = new LatenessInvoker();
  const { scheduler, db } = openScheduler(dir, invoker);
  try {
    await scheduler.sync([{ app: 'bench', functionName: 'tick', version: 1, settings: { cron: '* * * * * *' } }]);
    await scheduler.start();
    await sleep(seconds * 1000 + 500);
    await scheduler.close();
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...invoker.latenessMs].sort((a, b) => a - b);
  return {
    case: `firing jitter, every-second timer, ${seconds} s, real clock (start - scheduled)`,
    fires: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
  };
}

async function measureIdle(timers: number, seconds: number): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-timers-'));
  const invoker = new LatenessInvoker();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const { scheduler, db } = openScheduler(dir, invoker);
  // Once a month on a day two weeks away, at 1 440 different times of day: registered, never due during the bench.
  const dayOfMonth = ((new Date().getUTCDate() + 14) % 28) + 1;
  const definitions: TimerDefinitionRef[] = Array.from({ length: timers }, (_, i) => ({
    app: `app${i % 100}`,
    functionName: `timer${i}`,
    version: 1,
    settings: { cron: `${i % 60} ${Math.floor(i / 60) % 24} ${dayOfMonth} * *` },
  }));
  try {
    const syncStart = performance.now();
    await scheduler.sync(definitions);
    await scheduler.start();
    const syncMs = Math.round(performance.now() - syncStart);
    gc?.();
    const rssAfter = process.memoryUsage().rss;
    const heapAfter = process.memoryUsage().heapUsed;
    const cpuBefore = process.cpuUsage();
    await sleep(seconds * 1000);
    const cpu = process.cpuUsage(cpuBefore);
    await scheduler.close();
    return {
      case: `idle scheduler holding ${timers} timers, ${seconds} s`,
      syncAndStartMs: syncMs,
      rssDeltaMb: mb(rssAfter - rssBefore),
      heapDeltaMb: mb(heapAfter - heapBefore),
      cpuMsWhileIdle: Math.round((cpu.user + cpu.system) / 1000),
      fires: invoker.latenessMs.length,
      gcExposed: gc ? 'yes' : 'no (run node with --expose-gc for steadier memory numbers)',
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Timer scheduler micro benchmark: firing jitter with the real clock, and the cost of many idle timers. */
export async function benchTimers(options: TimerBenchOptions = {}): Promise<{ rows: Record<string, string | number>[] }> {
  const jitter = await measureJitter(options.jitterSeconds ?? JITTER_SECONDS);
  const idle = await measureIdle(options.idleTimers ?? IDLE_TIMERS, options.idleSeconds ?? IDLE_SECONDS);
  return { rows: [jitter, idle] };
}
