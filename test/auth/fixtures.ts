import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import type { Clock, TimerHandle } from '../../src/shared/clock.js';

/** A clock that moves only when the test says so. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  setTimeout(): TimerHandle {
    throw new Error('ManualClock: these tests need no timers');
  }

  clearTimeout(): void {}
}

/** A fresh folder under the OS temp dir, removed by `cleanup`. */
export function tempDir(): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'nimbus-auth-'));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A real SQLite file in a temp folder. */
export function tempDatabase(): { db: SqliteDatabase; file: string; cleanup: () => void } {
  const dir = tempDir();
  const file = join(dir.path, 'state.db');
  const db = openDatabase(file);
  return {
    db,
    file,
    cleanup: () => {
      if (db.open) db.close();
      dir.cleanup();
    },
  };
}
