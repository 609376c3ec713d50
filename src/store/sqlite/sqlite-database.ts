import { DatabaseSync, type StatementSyncInstance } from '@photostructure/sqlite';

/**
 * The SQLite connection the stores use: the part of better-sqlite3's API they
 * were written against, on top of `@photostructure/sqlite` (Node's own
 * `node:sqlite` code built for Node 20, its binaries inside the npm package:
 * nothing to download or compile at install). Moving to `node:sqlite` itself
 * once Node 22 is the floor is a change to this file alone.
 *
 * Where the engine differs from better-sqlite3 this file makes it behave the
 * same: `undefined` binds as NULL, statements know whether they write, nested
 * transactions are savepoints. Two differences stay and are the callers' to
 * know: BLOB columns read back as Uint8Array (not Buffer), and a missing
 * parameter binds NULL instead of throwing.
 */

/** What running a statement changed. */
export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface SqliteStatement<Params extends unknown[] = unknown[], Row = unknown> {
  /** Running it cannot change the database file (SQLite's sqlite3_stmt_readonly). */
  readonly readonly: boolean;
  run(...params: Params): RunResult;
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
  iterate(...params: Params): IterableIterator<Row>;
  /** Rows become the value of their first column. */
  pluck(on?: boolean): this;
  /** Rows become arrays of their columns' values, in order: cheaper to make than objects. */
  raw(on?: boolean): this;
}

type TransactionBody = (...args: never[]) => unknown;

/** `fn` run in a transaction (a savepoint when one is already open); the variants choose how BEGIN locks. */
export interface SqliteTransaction<F extends TransactionBody> {
  (...args: Parameters<F>): ReturnType<F>;
  default(...args: Parameters<F>): ReturnType<F>;
  deferred(...args: Parameters<F>): ReturnType<F>;
  immediate(...args: Parameters<F>): ReturnType<F>;
  exclusive(...args: Parameters<F>): ReturnType<F>;
}

export interface SqliteDatabase {
  readonly open: boolean;
  readonly inTransaction: boolean;
  /** `Params` is the tuple of positional parameters, or the one object of named ones. */
  prepare<Params extends unknown[] | object = unknown[], Row = unknown>(sql: string): SqliteStatement<Params extends unknown[] ? Params : [Params], Row>;
  transaction<F extends TransactionBody>(fn: F): SqliteTransaction<F>;
  /** Runs one or more statements that return nothing. */
  exec(sql: string): this;
  /** `PRAGMA source`: its rows, or with `simple` the first column of the first row. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): void;
}

/** Opens (creating it if missing) the SQLite file at `location`, or `:memory:`. Nothing is set up: see openSqlite. */
export function openDatabase(location: string): SqliteDatabase {
  return new Connection(location);
}

/** A BLOB column's bytes (read back as Uint8Array) as a Buffer, without a copy. */
export function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Statement texts whose read-only answer is remembered; the code's SQL is a few hundred texts at most. */
const MAX_REMEMBERED_STATEMENTS = 1_000;
/** Opcodes that make sqlite3_stmt_readonly() false (besides a Transaction that opens a write). */
const WRITING_OPCODES = new Set(['Checkpoint', 'Vacuum', 'JournalMode']);

class Connection implements SqliteDatabase {
  readonly #db: InstanceType<typeof DatabaseSync>;
  readonly #readonlyBySql = new Map<string, boolean>();
  #control: TransactionControl | undefined;

  constructor(location: string) {
    // Named parameters are bound from objects that may carry more than the statement uses, as better-sqlite3 allowed.
    this.#db = new DatabaseSync(location, { allowUnknownNamedParameters: true });
  }

  get open(): boolean {
    return this.#db.isOpen;
  }

  get inTransaction(): boolean {
    return this.#db.isTransaction;
  }

  prepare<Params extends unknown[] | object = unknown[], Row = unknown>(sql: string): SqliteStatement<Params extends unknown[] ? Params : [Params], Row> {
    return new Statement(this.#db.prepare(sql), () => this.#isReadonly(sql));
  }

  transaction<F extends TransactionBody>(fn: F): SqliteTransaction<F> {
    const control = (this.#control ??= new TransactionControl(this.#db));
    const db = this.#db;
    const variant = (begin: StatementSyncInstance) => function inTransaction(this: unknown, ...args: Parameters<F>): ReturnType<F> {
      const nested = db.isTransaction;
      (nested ? control.savepoint : begin).run();
      try {
        const result = fn.apply(this, args) as ReturnType<F>;
        if (typeof (result as { then?: unknown } | null)?.then === 'function') throw new TypeError('a transaction function must not return a promise: it would commit before the promise settles');
        (nested ? control.release : control.commit).run();
        return result;
      } catch (error) {
        // A failed COMMIT, or an error like SQLITE_FULL that SQLite already rolled back, may leave no transaction to undo.
        if (db.isTransaction) {
          if (nested) {
            control.rollbackTo.run();
            control.release.run();
          } else {
            control.rollback.run();
          }
        }
        throw error;
      }
    };
    const variants = {
      default: variant(control.beginDeferred),
      deferred: variant(control.beginDeferred),
      immediate: variant(control.beginImmediate),
      exclusive: variant(control.beginExclusive),
    };
    for (const fnOfVariant of Object.values(variants)) Object.assign(fnOfVariant, variants);
    return variants.default as SqliteTransaction<F>;
  }

  exec(sql: string): this {
    this.#db.exec(sql);
    return this;
  }

  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    // Through `this.prepare`, as better-sqlite3 does, so a pragma that writes (user_version) meets the write guard.
    const statement = this.prepare(`PRAGMA ${source}`);
    return options.simple ? statement.pluck().get() : statement.all();
  }

  close(): void {
    this.#db.close();
  }

  /**
   * What sqlite3_stmt_readonly() answers, which node:sqlite does not expose:
   * SQLite decides it from the statement's bytecode, so read the same bytecode
   * with EXPLAIN. A statement that cannot be explained counts as a write.
   */
  #isReadonly(sql: string): boolean {
    let readonly = this.#readonlyBySql.get(sql);
    if (readonly !== undefined) return readonly;
    readonly = true;
    try {
      const explain = this.#db.prepare(`EXPLAIN ${sql}`);
      explain.setReturnArrays(true);
      // Columns: addr, opcode, p1, p2, …
      for (const [, opcode, , p2] of explain.iterate() as IterableIterator<[number, string, number, number]>) {
        if ((opcode === 'Transaction' && p2 !== 0) || WRITING_OPCODES.has(opcode)) {
          readonly = false;
          break;
        }
      }
    } catch {
      readonly = false;
    }
    if (this.#readonlyBySql.size < MAX_REMEMBERED_STATEMENTS) this.#readonlyBySql.set(sql, readonly);
    return readonly;
  }
}

/** BEGIN, COMMIT and savepoint statements, prepared once per connection. */
class TransactionControl {
  readonly beginDeferred: StatementSyncInstance;
  readonly beginImmediate: StatementSyncInstance;
  readonly beginExclusive: StatementSyncInstance;
  readonly commit: StatementSyncInstance;
  readonly rollback: StatementSyncInstance;
  readonly savepoint: StatementSyncInstance;
  readonly release: StatementSyncInstance;
  readonly rollbackTo: StatementSyncInstance;

  constructor(db: InstanceType<typeof DatabaseSync>) {
    this.beginDeferred = db.prepare('BEGIN DEFERRED');
    this.beginImmediate = db.prepare('BEGIN IMMEDIATE');
    this.beginExclusive = db.prepare('BEGIN EXCLUSIVE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    // One name for every level: RELEASE and ROLLBACK TO act on the innermost savepoint of that name.
    this.savepoint = db.prepare('SAVEPOINT nimbus_nested');
    this.release = db.prepare('RELEASE nimbus_nested');
    this.rollbackTo = db.prepare('ROLLBACK TO nimbus_nested');
  }
}

class Statement<Params extends unknown[], Row> implements SqliteStatement<Params, Row> {
  readonly #statement: StatementSyncInstance;
  readonly #isReadonly: () => boolean;
  #readonly: boolean | undefined;
  #pluck = false;

  constructor(statement: StatementSyncInstance, isReadonly: () => boolean) {
    this.#statement = statement;
    this.#isReadonly = isReadonly;
  }

  get readonly(): boolean {
    return (this.#readonly ??= this.#isReadonly());
  }

  pluck(on = true): this {
    this.#pluck = on;
    this.#statement.setReturnArrays(on);
    return this;
  }

  raw(on = true): this {
    this.#pluck = false;
    this.#statement.setReturnArrays(on);
    return this;
  }

  run(...params: Params): RunResult {
    return this.#statement.run(...bindable(params));
  }

  get(...params: Params): Row | undefined {
    const row: unknown = this.#statement.get(...bindable(params));
    return (this.#pluck && row !== undefined ? (row as unknown[])[0] : row) as Row | undefined;
  }

  all(...params: Params): Row[] {
    let rows: unknown[];
    try {
      rows = this.#statement.all(...bindable(params));
    } catch (error) {
      throw withResultCode(error);
    }
    return (this.#pluck ? rows.map((row) => (row as unknown[])[0]) : rows) as Row[];
  }

  iterate(...params: Params): IterableIterator<Row> {
    return rowsOf<Row>(this.#statement.iterate(...bindable(params)), this.#pluck);
  }
}

function* rowsOf<Row>(rows: IterableIterator<unknown>, pluck: boolean): IterableIterator<Row> {
  try {
    // Leaving this loop early (a caller's break) closes `rows`, which resets the statement.
    for (const row of rows) yield (pluck ? (row as unknown[])[0] : row) as Row;
  } catch (error) {
    throw withResultCode(error);
  }
}

/**
 * SQLite's own text (sqlite3ErrStr) for the result codes that name a storage
 * fault or a lock. @photostructure/sqlite 1.2 throws errors from `all()` and
 * from iterating with the message only, without the `errcode` every other
 * method sets; the message tells the primary code back.
 */
const RESULT_CODE_BY_MESSAGE: ReadonlyMap<string, number> = new Map([
  ['access permission denied', 3],
  ['database is locked', 5],
  ['database table is locked', 6],
  ['attempt to write a readonly database', 8],
  ['disk I/O error', 10],
  ['database disk image is malformed', 11],
  ['database or disk is full', 13],
  ['unable to open database file', 14],
]);

function withResultCode(error: unknown): unknown {
  if (error instanceof Error && (error as { code?: unknown }).code === 'ERR_SQLITE_ERROR' && !('errcode' in error)) {
    const errcode = RESULT_CODE_BY_MESSAGE.get(error.message);
    if (errcode !== undefined) Object.assign(error, { errcode });
  }
  return error;
}

/** better-sqlite3 bound `undefined` as NULL; node:sqlite refuses it. Copies only when there is one. */
function bindable(params: unknown[]): unknown[] {
  for (const param of params) {
    if (param === undefined || (isNamedParameters(param) && hasUndefined(param))) {
      return params.map((p) => (p === undefined ? null : isNamedParameters(p) ? Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v ?? null])) : p));
    }
  }
  return params;
}

function hasUndefined(named: Record<string, unknown>): boolean {
  for (const key in named) if (named[key] === undefined) return true;
  return false;
}

function isNamedParameters(param: unknown): param is Record<string, unknown> {
  return typeof param === 'object' && param !== null && !ArrayBuffer.isView(param);
}
