/** The project area's errors that more than one module raises. */
import { AppError } from '../../../shared/result';
import { listBackups, type BackupFile } from './backups';
import { LATEST_SCHEMA_VERSION } from './migrations';
import { sqliteCode } from './sqlite';
import { PROJECT_ERROR_CODES as CODES } from './types';

/** PROJECT_CORRUPT, naming the newest backup (all of them in details.backups). */
export function corruptError(file: string, backups: BackupFile[], cause: unknown): AppError {
  const latest = backups[0];
  const offer = latest
    ? `The last backup is ${latest.path} (${latest.modifiedAt}); restore it with restoreBackup or \`project restore\`.`
    : 'No backup of it was found beside it.';
  return new AppError(
    CODES.CORRUPT,
    `The project file ${file} is damaged and cannot be read. ${offer}`,
    {
      backups,
      cause: cause instanceof Error ? cause.message : String(cause),
    },
  );
}

/** True for SQLite errors that mean the file is damaged or not a database. */
export function isCorruption(error: unknown): boolean {
  const code = sqliteCode(error);
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB';
}

/**
 * SQLite's errors that a person can act on, as coded errors naming the file: damage
 * (PROJECT_CORRUPT), a file or folder that cannot be written (PROJECT_FILE_READ_ONLY) and a
 * full disk (PROJECT_DISK_FULL). Anything else is returned unchanged.
 */
export async function translateSqliteError(file: string, error: unknown): Promise<unknown> {
  if (error instanceof AppError) return error;
  const code = sqliteCode(error);
  const cause = error instanceof Error ? error.message : String(error);
  if (isCorruption(error)) return corruptError(file, await listBackups(file), error);
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
    return new AppError(
      CODES.FILE_READ_ONLY,
      `Cannot write ${file}: the file or its folder is read-only (or on read-only media). Nothing was saved. Copy the project to a writable folder to edit it; \`project info\` and \`project export\` still read it where it is.`,
      { cause },
    );
  }
  if (code === 'SQLITE_FULL') {
    return new AppError(
      CODES.DISK_FULL,
      `The disk holding ${file} is full; the last change was not saved. Free some space and try again.`,
      { cause },
    );
  }
  return error;
}

/** PROJECT_TOO_NEW: the file's schema is newer than this build reads. */
export function tooNewError(file: string, version: number): AppError {
  return new AppError(
    CODES.TOO_NEW,
    `${file} was written by a newer Vessel Studio (schema ${version}; this one reads up to ${LATEST_SCHEMA_VERSION}). Update Vessel Studio to open it; the file was not changed.`,
    { fileVersion: version, supportedVersion: LATEST_SCHEMA_VERSION },
  );
}

/** PROJECT_UNKNOWN_MODEL: no model version has this id. */
export function unknownModelError(id: number | null): AppError {
  return new AppError(CODES.UNKNOWN_MODEL, `The project has no model version ${id}.`);
}

/** PROJECT_UNKNOWN_RUN: no run has this id. */
export function unknownRunError(id: number): AppError {
  return new AppError(CODES.UNKNOWN_RUN, `The project has no run ${id}.`);
}
