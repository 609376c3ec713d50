import type { Clock } from '../../shared/clock.js';
import type { Store } from '../store.js';
import type { PgDatabase } from './pg-database.js';

export interface PostgresStoreOptions {
  /** How long async invocation results stay fetchable (ms); default 24 h. */
  asyncResultRetentionMs?: number;
}

/**
 * The cluster store: every area on one PostgreSQL database (migrated by the
 * caller). One line per area; an area not in this build yet answers every
 * call with an error that says so.
 */
export function openPostgresStore(db: PgDatabase, clock: Clock, nodeId: string, options: PostgresStoreOptions = {}): Store {
  void clock; void nodeId; void options;
  return {
    apps: notYetAvailable('apps'),
    secrets: notYetAvailable('secrets'),
    keys: notYetAvailable('keys'),
    timers: notYetAvailable('timers'),
    metering: notYetAvailable('metering'),
    logs: notYetAvailable('logs'),
    queues: notYetAvailable('queues'),
    asyncResults: notYetAvailable('asyncResults'),
    blobIndex: notYetAvailable('blobIndex'),
    async close() {
      await db.close();
    },
  };
}

/** A stand-in for an area whose PostgreSQL implementation is not in this build: any method call throws. */
function notYetAvailable<T extends object>(area: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      // Not a thenable: awaiting the area itself must not call the trap's function.
      if (property === 'then' || typeof property === 'symbol') return undefined;
      return () => {
        throw new Error(`the PostgreSQL store area "${area}" is not yet available in this build (${String(property)})`);
      };
    },
  });
}
