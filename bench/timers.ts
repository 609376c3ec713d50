import { openDatabase, type SqliteDatabase } from '../src/store/sqlite/sqlite-database.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TimerTick } from '../src/sdk/definition.js';
import type { EventInvocation, EventInvoker, EventResult } from '../src/runtime/event-invoker.js';
import { systemClock } from '../src/shared/clock.js';
import { SqliteTimerStore } from '../src/store/sqlite/sqlite-timer-store.js';
import { TimerScheduler, type TimerDefinitionRef } from '../src/triggers/timer/scheduler.js';
import { measureFiringJitter } from './timers/firing-jitter.js';

/** 30+ firings: p99 over them is the slowest one. */
const JITTER_FIRINGS = 30;
const IDLE_TIMERS = 10_000;
const IDLE_SECONDS = 5;

export interface TimerBenchOptions {
  jitterFirings?: number;
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

function openScheduler(dir: string, invoker: EventInvoker): { scheduler: TimerScheduler; db: SqliteDatabase } {
  const db = openDatabase(join(dir, 'state.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const scheduler = new TimerScheduler({ store: new SqliteTimerStore(db, systemClock), invoker, nodeId: 'bench' });
  return { scheduler, db };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

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
export async function benchTimers(options: TimerBenchOptions = {}): Promise<{ rows: Record<string, string | number>[]; notes: string[] }> {
  const jitter = await measureFiringJitter(options.jitterFirings ?? positive(process.env['BENCH_TIMER_FIRINGS'], JITTER_FIRINGS));
  const idle = await measureIdle(options.idleTimers ?? IDLE_TIMERS, options.idleSeconds ?? IDLE_SECONDS);
  return { rows: [...jitter.rows, idle], notes: jitter.notes };
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : fallback;
}
