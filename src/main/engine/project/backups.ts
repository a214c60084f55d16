/**
 * Backup copies of a project file: one before every migration and a rolling one on close.
 * Copies are written with VACUUM INTO (a consistent snapshot even while others read) to a
 * temporary name and renamed into place, so a crash mid-copy never leaves a half backup.
 *
 * What they take is bounded: a backup never holds the prediction cache (it can always be
 * predicted again), there is one rolling backup, replaced in place, and of the copies taken
 * before migrations only the newest MIGRATION_BACKUPS_KEPT stay. So the backups of a project
 * take at most three times its size without cached predictions.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/result';
import { ProjectLock, realProjectFile } from './lock';
import { SqliteDatabase } from './sqlite';
import { PROJECT_ERROR_CODES } from '../../../shared/api/errors';

export interface BackupFile {
  path: string;
  modifiedAt: string;
  size: number;
}

/** Backups are `<project file>.<tag>.bak` beside it; the rolling one is `<project file>.bak`. */
export function rollingBackupPath(projectFile: string): string {
  return `${projectFile}.bak`;
}

/** Where the copy taken before migrating from `fromVersion` goes. */
export function migrationBackupPath(
  projectFile: string,
  fromVersion: number,
  now = new Date(),
): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${projectFile}.schema-v${fromVersion}-${stamp}.bak`;
}

/** How many of the copies taken before a migration are kept (the newest). */
export const MIGRATION_BACKUPS_KEPT = 2;

/** `<project>.schema-v<N>-<yyyymmddThhmmssZ>.bak`: the project file and the copy's time. */
const MIGRATION_BACKUP = /^(.*)\.schema-v\d+-(\d{8}T\d{6}Z)\.bak$/;

/**
 * Writes a consistent copy of the open database to `target`, replacing what was there,
 * without the prediction cache. A copy taken before a migration (a migrationBackupPath name)
 * also drops the older such copies beyond the newest MIGRATION_BACKUPS_KEPT.
 */
export async function writeBackup(db: SqliteDatabase, target: string): Promise<string> {
  const temporary = `${target}.partial`;
  await fs.rm(temporary, { force: true });
  await db.run('VACUUM INTO ?', [temporary]);
  await dropPredictionCache(temporary);
  await fs.rename(temporary, target);
  const migration = MIGRATION_BACKUP.exec(target);
  if (migration) await pruneMigrationBackups(migration[1]!, MIGRATION_BACKUPS_KEPT);
  return target;
}

/** Empties the prediction cache of a copy and gives its pages back; nothing when it has none. */
async function dropPredictionCache(copy: string): Promise<void> {
  const db = await SqliteDatabase.open(copy);
  try {
    const cached = await db.get<{ n: number }>(
      "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = 'prediction_cache'",
    );
    if (!cached?.n) return;
    const any = await db.get('SELECT 1 AS one FROM prediction_cache LIMIT 1');
    if (!any) return;
    // The copy is not in use yet: a crash here leaves only the .partial, replaced next time.
    await db.exec('PRAGMA journal_mode = DELETE; DELETE FROM prediction_cache; VACUUM;');
  } finally {
    await db.close();
  }
}

/**
 * Deletes the copies taken before migrations of `projectFile` except the newest `keep` (by
 * the time in their names); returns the deleted paths.
 */
export async function pruneMigrationBackups(projectFile: string, keep: number): Promise<string[]> {
  const dir = path.dirname(projectFile);
  const base = path.basename(projectFile);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const copies = names
    .map((name) => ({ name, match: MIGRATION_BACKUP.exec(name) }))
    .filter((c) => c.match?.[1] === base)
    .sort((a, b) => b.match![2]!.localeCompare(a.match![2]!) || b.name.localeCompare(a.name));
  const deleted: string[] = [];
  for (const { name } of copies.slice(keep)) {
    const full = path.join(dir, name);
    await fs.rm(full, { force: true });
    deleted.push(full);
  }
  return deleted;
}

/** Every backup of a project, newest first. */
export async function listBackups(projectFile: string): Promise<BackupFile[]> {
  const dir = path.dirname(projectFile);
  const base = path.basename(projectFile);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const found: BackupFile[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.`) || !name.endsWith('.bak')) continue;
    const full = path.join(dir, name);
    const stat = await fs.stat(full).catch(() => null);
    if (stat?.isFile())
      found.push({ path: full, modifiedAt: stat.mtime.toISOString(), size: stat.size });
  }
  return found.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
}

/**
 * Replaces a (corrupt) project file by a backup after checking the backup itself is sound.
 * The replaced file is kept beside it as `<file>.corrupt-<time>` (nothing is lost), and its
 * -wal/-shm are moved with it so SQLite cannot replay them onto the restored copy.
 */
export async function restoreBackup(
  projectFile: string,
  backupFile: string,
): Promise<{ movedAside: string | null }> {
  const check = await SqliteDatabase.open(backupFile, { readOnly: true }).catch(
    (error: unknown) => {
      throw new AppError(
        PROJECT_ERROR_CODES.BACKUP_UNREADABLE,
        `The backup ${backupFile} cannot be opened (${String(error)}); pick another backup.`,
      );
    },
  );
  try {
    const rows = await check.all<{ integrity_check: string }>('PRAGMA integrity_check');
    if (rows.length !== 1 || rows[0].integrity_check !== 'ok') {
      throw new AppError(
        PROJECT_ERROR_CODES.BACKUP_UNREADABLE,
        `The backup ${backupFile} is damaged too; pick another backup.`,
      );
    }
  } finally {
    await check.close();
  }
  // Replacing the file under a process that has it open would lose that process's writes.
  const real = await realProjectFile(projectFile);
  const lock = await ProjectLock.acquire(real);
  if (!lock) {
    throw new AppError(
      PROJECT_ERROR_CODES.LOCKED,
      `${projectFile} is open in another process; close it there before restoring a backup.`,
    );
  }
  try {
    return await replaceWithBackup(real, backupFile);
  } finally {
    await lock.release();
  }
}

async function replaceWithBackup(
  projectFile: string,
  backupFile: string,
): Promise<{ movedAside: string | null }> {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let movedAside: string | null = null;
  for (const suffix of ['', '-wal', '-shm']) {
    const from = `${projectFile}${suffix}`;
    const to = `${projectFile}.corrupt-${stamp}${suffix}`;
    try {
      await fs.rename(from, to);
      if (suffix === '') movedAside = to;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const temporary = `${projectFile}.restoring`;
  await fs.copyFile(backupFile, temporary);
  await fs.rename(temporary, projectFile);
  return { movedAside };
}
