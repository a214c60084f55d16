/**
 * The single-writer lock of a project file.
 *
 * Why a sidecar SQLite file holding a write transaction: the lock is then an OS file lock
 * (fcntl on POSIX, LockFileEx on Windows) that the kernel drops the moment its process dies,
 * so a project left behind by a killed process is never blocked by a stale lock, and no pid
 * liveness guess (pids get reused) or heartbeat is needed. SQLite also keeps two connections of
 * the same process apart, so a second open in one process is refused like one from another.
 * The lock file is never deleted: deleting it while a waiter holds the old inode would let two
 * processes each believe they own the project.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../../shared/result';
import { SqliteDatabase, sqliteCode } from './sqlite';
import { PROJECT_ERROR_CODES as CODES } from './types';

/** Who holds a project open, as written by the holder into its lock file's twin row in the project. */
export interface LockOwner {
  pid: number;
  host: string;
  openedAt: string;
  appVersion: string;
}

/**
 * The one name of a project file that the lock and the connection use: symlinks resolved
 * (realpath of the file, or of its folder when the file does not exist yet). A file with more
 * than one hard link is refused (PROJECT_HARD_LINKED): each name would get its own lock file and
 * its own -wal/-shm, so two writers could each commit into a WAL the other never sees and lose
 * acknowledged work. With one link, a file has exactly one (folder, name) pair, so the lock file
 * `<real path>.lock` is the same inode however the file is reached (symlink, bind mount).
 */
export async function realProjectFile(file: string): Promise<string> {
  const absolute = path.resolve(file);
  const real = await fs.realpath(absolute).catch(async () => {
    const dir = await fs.realpath(path.dirname(absolute)).catch(() => path.dirname(absolute));
    return path.join(dir, path.basename(absolute));
  });
  await refuseHardLinks(real);
  return real;
}

/** PROJECT_HARD_LINKED when the file (if it exists) has more than one name. */
export async function refuseHardLinks(real: string): Promise<void> {
  const stat = await fs.stat(real).catch(() => null);
  if (stat?.isFile() && stat.nlink > 1) {
    throw new AppError(
      CODES.HARD_LINKED,
      `${real} has ${stat.nlink} hard links (device ${stat.dev}, inode ${stat.ino}). Two names for one project let two writers lose each other's changes, so it is not opened. Remove the other links and keep a copy instead (cp, not ln).`,
      { links: stat.nlink, dev: stat.dev, ino: stat.ino },
    );
  }
}

/** The path of the lock file beside a project. */
export function lockFileFor(projectFile: string): string {
  return `${projectFile}.lock`;
}

/** A held project lock; release it when the project closes. */
export class ProjectLock {
  private constructor(private readonly db: SqliteDatabase) {}

  /**
   * Takes the lock, or returns null when another connection (any process) holds it.
   * Never waits: a person opening a project wants to know now that it is open elsewhere.
   */
  static async acquire(projectFile: string): Promise<ProjectLock | null> {
    const db = await SqliteDatabase.open(lockFileFor(projectFile), {
      create: true,
      busyTimeoutMs: 0,
    });
    try {
      // A rollback-journal file: a held RESERVED lock stops other writers but never readers.
      await db.exec('PRAGMA journal_mode = DELETE');
      await db.exec('BEGIN IMMEDIATE');
      return new ProjectLock(db);
    } catch (error) {
      await db.close().catch(() => undefined);
      if (sqliteCode(error) === 'SQLITE_BUSY' || sqliteCode(error) === 'SQLITE_LOCKED') return null;
      throw error;
    }
  }

  /** Drops the lock (ends the held transaction and closes the lock file). */
  async release(): Promise<void> {
    if (this.db.isClosed) return;
    await this.db.exec('ROLLBACK').catch(() => undefined);
    await this.db.close();
  }
}

/** This process, as it records itself as a project's owner. */
export function currentOwner(appVersion: string): LockOwner {
  return { pid: process.pid, host: os.hostname(), openedAt: new Date().toISOString(), appVersion };
}
