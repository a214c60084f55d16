/**
 * A small promise front for the sqlite3 package: open, run, get, all, exec, close, and
 * transactions that never interleave. Everything else in the project area talks to SQLite
 * through this one module.
 */
import sqlite3 from 'sqlite3';

/** A value SQLite can bind: blobs go in as Buffers (views over the caller's bytes, not copies). */
export type SqlValue = string | number | bigint | null | Buffer;
export type SqlParams = readonly SqlValue[] | Record<string, SqlValue>;

export interface OpenOptions {
  readOnly?: boolean;
  /** Create the file when it is missing (read-write only). */
  create?: boolean;
  /** Milliseconds to wait on a lock held by another connection before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /**
   * Read-only, and telling SQLite the file cannot change (URI `immutable=1`): no locks, no
   * -wal/-shm. The only way to read a WAL file in a folder this process cannot write.
   */
  immutable?: boolean;
}

export interface RunOutcome {
  lastId: number;
  changes: number;
}

/** An error from SQLite with its result code name (`SQLITE_BUSY`, `SQLITE_CORRUPT`, ...). */
export function sqliteCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  }
  return undefined;
}

/** Wraps bytes as a Buffer without copying, so typed arrays bind as blobs of their exact bytes. */
export function asBlob(bytes: ArrayBufferView): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** One sqlite3 connection with promise methods and serialised transactions. */
export class SqliteDatabase {
  private readonly db: sqlite3.Database;
  /** Tail of the transaction queue: sqlite3 has one connection state, so transactions run one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    db: sqlite3.Database,
    readonly file: string,
    readonly readOnly: boolean,
  ) {
    this.db = db;
  }

  /** Opens (or creates) a database file; rejects with the sqlite error (code SQLITE_CANTOPEN, ...). */
  static open(file: string, options: OpenOptions = {}): Promise<SqliteDatabase> {
    const readOnly = options.readOnly === true || options.immutable === true;
    const mode = options.immutable
      ? sqlite3.OPEN_READONLY | sqlite3.OPEN_URI
      : readOnly
        ? sqlite3.OPEN_READONLY
        : sqlite3.OPEN_READWRITE | (options.create ? sqlite3.OPEN_CREATE : 0);
    const name = options.immutable
      ? `file:${file.split('/').map(encodeURIComponent).join('/')}?immutable=1`
      : file;
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(name, mode, (error) => {
        if (error) {
          reject(error);
          return;
        }
        db.configure('busyTimeout', options.busyTimeoutMs ?? 5000);
        resolve(new SqliteDatabase(db, file, readOnly));
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs one statement; returns the last inserted rowid and the number of changed rows. */
  run(sql: string, params: SqlParams = []): Promise<RunOutcome> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (this: sqlite3.RunResult, error: Error | null) {
        if (error) reject(error);
        else resolve({ lastId: this.lastID, changes: this.changes });
      });
    });
  }

  /** The first row of a query, or undefined. */
  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get<T>(sql, params, (error: Error | null, row: T) => {
        if (error) reject(error);
        else resolve(row);
      });
    });
  }

  /** Every row of a query. */
  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all<T>(sql, params, (error: Error | null, rows: T[]) => {
        if (error) reject(error);
        else resolve(rows);
      });
    });
  }

  /** Runs a script of several statements without parameters (schema, pragmas). */
  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (error: Error | null) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /**
   * Runs `work` when every earlier queued call has finished. Reads go through here too, so a
   * read never sees the uncommitted rows of a transaction that may still roll back (the
   * connection is shared). Never call serialized or transaction from inside `work`: it would
   * wait for itself.
   */
  serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs `work` inside BEGIN IMMEDIATE ... COMMIT, rolling back when it throws; queued like
   * serialized. IMMEDIATE takes the write lock up front: a reader upgrading later could fail
   * with SQLITE_BUSY midway through.
   */
  transaction<T>(
    work: (db: SqliteDatabase) => Promise<T>,
    mode: 'IMMEDIATE' | 'DEFERRED' = 'IMMEDIATE',
  ): Promise<T> {
    return this.serialized(async () => {
      await this.exec(`BEGIN ${mode}`);
      try {
        const result = await work(this);
        await this.exec('COMMIT');
        return result;
      } catch (error) {
        await this.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Waits for queued transactions, then closes the connection. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await new Promise<void>((resolve, reject) => {
      this.db.close((error) => (error ? reject(error) : resolve()));
    });
  }
}
