/** The project area's errors that more than one module raises. */
import { AppError } from '../../../shared/result';
import type { BackupFile } from './backups';
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
