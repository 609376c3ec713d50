import { openDatabase, type SqliteDatabase } from '../../../src/store/sqlite/sqlite-database.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TimerTick } from '../../../src/sdk/definition.js';
import type { Clock } from '../../../src/shared/clock.js';
import type { EventInvocation, EventInvoker, EventResult } from '../../../src/runtime/event-invoker.js';
import type { Outcome } from '../../../src/runtime/invocation.js';
import { SqliteTimerStore } from '../../../src/store/sqlite/sqlite-timer-store.js';

/** A SQLite file in its own temp folder; `open` gives another connection to it, as a restarted node would. */
export class TempDatabase {
  readonly dir = mkdtempSync(join(tmpdir(), 'nimbus-timers-'));
  readonly path = join(this.dir, 'state.db');
  readonly #open: SqliteDatabase[] = [];

  open(): SqliteDatabase {
    const db = openDatabase(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    this.#open.push(db);
    return db;
  }

  store(clock: Clock): SqliteTimerStore {
    return new SqliteTimerStore(this.open(), clock);
  }

  cleanup(): void {
    for (const db of this.#open) if (db.open) db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface RecordedCall {
  event: EventInvocation;
  tick: TimerTick;
  finish(outcome?: Outcome, error?: string): void;
  done: boolean;
}

/**
 * Stands in for the dispatcher. By default every invocation answers `ok` at
 * once; `respond` can answer otherwise, or return 'hold' to keep the run going
 * until the test calls `finish` on it.
 */
export class RecordingInvoker implements EventInvoker {
  readonly calls: RecordedCall[] = [];
  /** `app/function@version` of every prepare: an invocation announced ahead. */
  readonly prepared: string[] = [];
  respond: (call: RecordedCall) => Outcome | 'hold' = () => 'ok';

  invokeEvent(event: EventInvocation): Promise<EventResult> {
    return new Promise((resolve) => {
      const call: RecordedCall = {
        event,
        tick: event.payload as TimerTick,
        done: false,
        finish: (outcome = 'ok', error) => {
          if (call.done) return;
          call.done = true;
          resolve({ id: `inv-${this.calls.indexOf(call) + 1}`, outcome, ...(outcome === 'ok' ? {} : { error: error ?? `failed: ${outcome}` }) });
        },
      };
      this.calls.push(call);
      const answer = this.respond(call);
      if (answer !== 'hold') call.finish(answer, answer === 'ok' ? undefined : `handler said ${answer}`);
    });
  }

  prepare(target: { app: string; functionName: string; version?: number }): void {
    this.prepared.push(`${target.app}/${target.functionName}@${target.version}`);
  }

  get running(): number {
    return this.calls.filter((c) => !c.done).length;
  }

  scheduledTimes(): string[] {
    return this.calls.map((c) => c.tick.scheduledAt);
  }
}
