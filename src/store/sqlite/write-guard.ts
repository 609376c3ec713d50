import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js';

/** What a connection tells its guard about writes (StorageHealth implements it). */
export interface SqliteWriteGuard {
  /** Throws when writes must be refused: the store was lost. */
  beforeWrite(): void;
  /**
   * A write committed; throws when what it was written to is no longer the store, so it is never acknowledged.
   * `faulted`: a write of the same transaction failed (in its savepoint), so the commit does not show the fault has passed.
   */
  afterCommit(faulted: boolean): void;
  /** The error to throw for a failure: a storage fault's NimbusError, or the error unchanged. */
  fault(error: unknown): unknown;
  /**
   * An fsync of writes that had committed failed (WalSync): they may not be on the disk, and the log holding them
   * cannot be trusted, so writes are refused until a restart. Returns the error to give those waiting for them.
   */
  unsynced(error: unknown): unknown;
}

type Run = (...args: unknown[]) => unknown;

const guards = new WeakMap<SqliteDatabase, SqliteWriteGuard>();

/** The guard on this connection's writes, for what reaches the disk outside SQLite (an fsync of its WAL, see WalSync). */
export function writeGuardOf(db: SqliteDatabase): SqliteWriteGuard | undefined {
  return guards.get(db);
}

/**
 * Puts `guard` on every write of this connection, so no store has to
 * remember to: the one place all SQLite writes go through is the connection's
 * `prepare`, `transaction` and `exec`, and this wraps them.
 *
 * - Read-only statements are left untouched: no cost, and reads go on working
 *   after the store is lost.
 * - A write outside a transaction commits by itself: checked before and after.
 * - Inside a transaction, a write statement only marks the transaction as
 *   writing; the outermost transaction checks once after it committed. The
 *   group commit runs a whole batch of queue writes in one transaction, so a
 *   batch costs one check (one stat), not one per message.
 * - Failures become storage faults where they are (SQLITE_FULL → 507…).
 * - A write statement's `get` runs to the end, so a failed commit is reported
 *   instead of returning the row of a write that was rolled back.
 */
export function guardWrites(db: SqliteDatabase, guard: SqliteWriteGuard): void {
  guards.set(db, guard);
  /** A write statement ran in the current outermost transaction. */
  let wroteInTransaction = false;
  /** A write of the current outermost transaction failed with a storage fault, and its savepoint was rolled back. */
  let faultedInTransaction = false;

  const guardStatement = (statement: SqliteStatement): SqliteStatement => {
    if (statement.readonly) return statement;
    const all = statement.all as Run;
    const originals: Record<'run' | 'get' | 'all' | 'iterate', Run> = {
      run: statement.run as Run,
      // `get` steps once and resets: a commit that fails at the reset (SQLITE_FULL on the WAL) goes
      // unreported, and the caller gets the RETURNING row of a write that was rolled back.
      // Stepping to the end reports it; a RETURNING write makes all its changes on the first step anyway.
      get: (...args) => (all.apply(statement, args) as unknown[])[0],
      all,
      // A lazy iteration would commit after the check could run.
      iterate: (...args) => (all.apply(statement, args) as unknown[])[Symbol.iterator](),
    };
    for (const [method, original] of Object.entries(originals)) {
      const guarded: Run = (...args) => {
        if (db.inTransaction) {
          guard.beforeWrite();
          wroteInTransaction = true;
          try {
            return original.apply(statement, args);
          } catch (error) {
            faultedInTransaction = true;
            throw guard.fault(error);
          }
        }
        guard.beforeWrite();
        let result: unknown;
        try {
          result = original.apply(statement, args);
        } catch (error) {
          throw guard.fault(error);
        }
        guard.afterCommit(false);
        return result;
      };
      Object.defineProperty(statement, method, { value: guarded, configurable: true, writable: true });
    }
    return statement;
  };

  const guardTransaction = (variant: Run): Run => function guardedTransaction(this: unknown, ...args: unknown[]): unknown {
    if (db.inTransaction) {
      // A savepoint inside a transaction this wrapper already watches.
      try {
        return variant.apply(this, args);
      } catch (error) {
        throw guard.fault(error);
      }
    }
    wroteInTransaction = false;
    faultedInTransaction = false;
    let result: unknown;
    try {
      result = variant.apply(this, args);
    } catch (error) {
      throw guard.fault(error);
    }
    if (wroteInTransaction) {
      wroteInTransaction = false;
      guard.afterCommit(faultedInTransaction);
    }
    return result;
  };

  const prepare = db.prepare.bind(db);
  const transaction = db.transaction.bind(db);
  const exec = db.exec.bind(db);

  db.prepare = ((source: string) => guardStatement(prepare(source))) as typeof db.prepare;

  db.transaction = ((fn: Run) => {
    const made = transaction(fn) as unknown as Run & Record<'deferred' | 'immediate' | 'exclusive', Run>;
    const guarded = guardTransaction(made) as Run & Record<'default' | 'deferred' | 'immediate' | 'exclusive', Run>;
    const variants = {
      default: guarded,
      deferred: guardTransaction(made.deferred),
      immediate: guardTransaction(made.immediate),
      exclusive: guardTransaction(made.exclusive),
    };
    for (const fnOfVariant of Object.values(variants)) {
      Object.defineProperties(fnOfVariant, {
        default: { value: variants.default },
        deferred: { value: variants.deferred },
        immediate: { value: variants.immediate },
        exclusive: { value: variants.exclusive },
        database: { value: db, enumerable: true },
      });
    }
    return guarded;
  }) as typeof db.transaction;

  db.exec = ((source: string) => {
    if (db.inTransaction) {
      guard.beforeWrite();
      wroteInTransaction = true;
      try {
        exec(source);
      } catch (error) {
        throw guard.fault(error);
      }
      return db;
    }
    guard.beforeWrite();
    try {
      exec(source);
    } catch (error) {
      throw guard.fault(error);
    }
    guard.afterCommit(false);
    return db;
  }) as typeof db.exec;
}
