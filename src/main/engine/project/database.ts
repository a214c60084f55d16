/**
 * The database layer under a Project: the one SQLite connection, the single-writer lock, reads
 * and write transactions, and backups. The domain modules (images.ts, revisions.ts, runs.ts,
 * ...) reach the file only through read() and write(), so every write is one transaction, and
 * a damaged file surfaces as PROJECT_CORRUPT wherever it is met.
 */
import { promises as fs } from 'node:fs';
import { AppError } from '../../../shared/result';
import { rollingBackupPath, writeBackup } from './backups';
import { translateSqliteError } from './errors';
import type { ProjectLock } from './lock';
import type { SqliteDatabase } from './sqlite';
import { PROJECT_ERROR_CODES as CODES } from './types';

/** How old the rolling backup may be before a close that follows a write renews it. */
export const DEFAULT_BACKUP_INTERVAL_MS = 10 * 60 * 1000;

/**
 * A close that follows writes compacts the file (VACUUM) when over this share of its pages is
 * free and they come to at least COMPACT_MIN_FREE_BYTES: deleting a model version or the cached
 * predictions frees much, and SQLite would otherwise keep the file at its largest.
 */
export const COMPACT_FREE_SHARE = 0.25;
export const COMPACT_MIN_FREE_BYTES = 4 * 1024 * 1024;

/** Work done on the connection inside a read or a write. */
export type DatabaseWork<T> = (db: SqliteDatabase) => Promise<T>;

/** An open project file: its connection, its lock (null when read-only) and its backups. */
export class ProjectDatabase {
  /** Set by the first write, so a session that only read writes no backup on close. */
  private dirty = false;

  constructor(
    /** The project file, absolute. */
    readonly file: string,
    private readonly db: SqliteDatabase,
    private readonly lock: ProjectLock | null,
    private readonly backupIntervalMs = DEFAULT_BACKUP_INTERVAL_MS,
    /** True for a project created in this session: its first close writes the backup. */
    written = false,
  ) {
    this.dirty = written;
  }

  /** True when opened without the lock: every write refuses with PROJECT_READ_ONLY. */
  get readOnly(): boolean {
    return this.lock === null;
  }

  /** True once close() has begun. */
  get isClosed(): boolean {
    return this.db.isClosed;
  }

  /**
   * Runs a read queued behind earlier work (so it never sees a transaction that may still roll
   * back), turning SQLite's errors into coded ones (PROJECT_CORRUPT, ...; see translateSqliteError).
   */
  async read<T>(work: DatabaseWork<T>): Promise<T> {
    this.refuseWhenClosed();
    return this.translateErrors(() => this.db.serialized(() => work(this.db)));
  }

  /** Runs one write transaction; every write of the project goes through here. */
  async write<T>(work: DatabaseWork<T>): Promise<T> {
    if (this.readOnly) {
      throw new AppError(
        CODES.READ_ONLY,
        `The project ${this.file} is open read-only (another process has it open); close it there to edit.`,
      );
    }
    this.refuseWhenClosed();
    const result = await this.translateErrors(() => this.db.transaction(work));
    this.dirty = true;
    return result;
  }

  /**
   * Closes the file: clears the owner record, compacts it when much of it is free, writes the
   * rolling backup when due, closes the connection (SQLite checkpoints the WAL into the file)
   * and drops the lock. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.db.isClosed) return;
    try {
      if (!this.readOnly) {
        await this.translateErrors(async () => {
          await this.db.transaction((db) => db.run('DELETE FROM lock_owner'));
          if (this.dirty) {
            await this.compactIfMostlyFree();
            await this.backupIfDue();
          }
        });
      }
    } finally {
      await this.db.close();
      await this.lock?.release();
    }
  }

  /** Writes a consistent copy of the file to `target` (default: the rolling `<file>.bak`). */
  backup(target = rollingBackupPath(this.file)): Promise<string> {
    return this.read((db) => writeBackup(db, target));
  }

  /** SQLite's full integrity check: its messages, ['ok'] when the file is sound. */
  async integrityCheck(): Promise<string[]> {
    const rows = await this.read((db) =>
      db.all<{ integrity_check: string }>('PRAGMA integrity_check'),
    );
    return rows.map((r) => r.integrity_check);
  }

  private refuseWhenClosed(): void {
    if (this.db.isClosed)
      throw new AppError(CODES.CLOSED, `The project ${this.file} is closed; open it again.`);
  }

  private async translateErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw await translateSqliteError(this.file, error);
    }
  }

  /** VACUUM when the free pages pass both COMPACT_FREE_SHARE and COMPACT_MIN_FREE_BYTES. */
  private async compactIfMostlyFree(): Promise<void> {
    const pragma = async (name: string): Promise<number> =>
      Object.values((await this.db.get<Record<string, number>>(`PRAGMA ${name}`)) ?? {})[0] ?? 0;
    const free = await pragma('freelist_count');
    const pages = await pragma('page_count');
    const pageSize = await pragma('page_size');
    if (pages > 0 && free / pages > COMPACT_FREE_SHARE && free * pageSize >= COMPACT_MIN_FREE_BYTES)
      await this.db.exec('VACUUM');
  }

  private async backupIfDue(): Promise<void> {
    const target = rollingBackupPath(this.file);
    const stat = await fs.stat(target).catch(() => null);
    if (stat && Date.now() - stat.mtimeMs < this.backupIntervalMs) return;
    await writeBackup(this.db, target);
  }
}
