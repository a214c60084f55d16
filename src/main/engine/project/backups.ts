/**
 * Backup copies of a project file: one before every migration and a rolling one on close.
 * Copies are written with VACUUM INTO (a consistent snapshot even while others read) to a
 * temporary name and renamed into place, so a crash mid-copy never leaves a half backup.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/result';
import { ProjectLock, realProjectFile } from './lock';
import { SqliteDatabase } from './sqlite';

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

/** Writes a consistent copy of the open database to `target`, replacing what was there. */
export async function writeBackup(db: SqliteDatabase, target: string): Promise<string> {
  const temporary = `${target}.partial`;
  await fs.rm(temporary, { force: true });
  await db.run('VACUUM INTO ?', [temporary]);
  await fs.rename(temporary, target);
  return target;
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
        'PROJECT_BACKUP_UNREADABLE',
        `The backup ${backupFile} cannot be opened (${String(error)}); pick another backup.`,
      );
    },
  );
  try {
    const rows = await check.all<{ integrity_check: string }>('PRAGMA integrity_check');
    if (rows.length !== 1 || rows[0].integrity_check !== 'ok') {
      throw new AppError(
        'PROJECT_BACKUP_UNREADABLE',
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
      'PROJECT_LOCKED',
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
