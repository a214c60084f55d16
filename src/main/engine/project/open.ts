/**
 * Opening and creating project files: look at a file without changing it (header, schema
 * version, format tag, a structural check), take the single-writer lock, migrate with a
 * backup first, and record who holds it.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/result';
import { listBackups, migrationBackupPath, writeBackup } from './backups';
import { corruptError, isCorruption, tooNewError, translateSqliteError } from './errors';
import * as images from './images';
import { ProjectDatabase } from './database';
import {
  currentOwner,
  ProjectLock,
  realProjectFile,
  refuseHardLinks,
  type LockOwner,
} from './lock';
import { LATEST_SCHEMA_VERSION, migrate, readSchemaVersion } from './schema';
import { SqliteDatabase, sqliteCode } from './sqlite';
import { Project, type CreateProjectOptions, type OpenProjectOptions } from './project';
import { PROJECT_ERROR_CODES as CODES } from './types';

const FORMAT_TAG = 'vessel-studio-project';

function now(): string {
  return new Date().toISOString();
}

/** Applies the per-connection settings every writer uses. */
async function configureWriter(db: SqliteDatabase): Promise<void> {
  // WAL: readers (a read-only second process) never block the writer and vice versa.
  // synchronous=FULL: a commit is on disk before it is acknowledged, even across a power cut.
  await db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
}

async function ownerOf(db: SqliteDatabase): Promise<LockOwner | null> {
  try {
    const row = await db.get<{ pid: number; host: string; opened_at: string; app_version: string }>(
      'SELECT pid, host, opened_at, app_version FROM lock_owner WHERE id = 1',
    );
    return row
      ? { pid: row.pid, host: row.host, openedAt: row.opened_at, appVersion: row.app_version }
      : null;
  } catch {
    return null;
  }
}

/**
 * Tables whose pages are mostly blob overflow chains (hundreds of MB of model weights): checking
 * them on every open would cost seconds. They are checked by integrityCheck(), and a damaged
 * page there still surfaces as PROJECT_CORRUPT on the read that meets it.
 */
const BLOB_TABLES = new Set(['model_files', 'prediction_cache']);

/** PRAGMA quick_check of every table except the blob stores; returns the problems found. */
async function quickCheck(db: SqliteDatabase): Promise<string[]> {
  const tables = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_schema WHERE type = 'table'",
  );
  const problems: string[] = [];
  for (const { name } of tables) {
    if (BLOB_TABLES.has(name)) continue;
    // PRAGMA takes no bound parameters; the name comes from sqlite_schema and is quoted.
    const rows = await db.all<{ quick_check: string }>(
      `PRAGMA quick_check("${name.replace(/"/g, '""')}")`,
    );
    for (const row of rows) if (row.quick_check !== 'ok') problems.push(row.quick_check);
  }
  return problems;
}

/**
 * Reads user_version straight from the file header (big-endian at byte 60) before SQLite opens
 * it: even a read-only SQLite open of a WAL file creates -wal/-shm beside it, and a file from a
 * newer version must be left exactly as it was found.
 */
async function refuseNewerByHeader(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    const header = Buffer.alloc(100);
    const { bytesRead } = await handle.read(header, 0, 100, 0);
    if (bytesRead < 100 || header.toString('latin1', 0, 16) !== 'SQLite format 3\0') return; // SQLite will say what it is
    const version = header.readUInt32BE(60);
    if (version > LATEST_SCHEMA_VERSION) throw tooNewError(file, version);
  } finally {
    await handle.close();
  }
}

/**
 * Looks at a file without changing a byte of it: opens read-only, reads the schema version and
 * the format tag. Throws PROJECT_TOO_NEW / PROJECT_CORRUPT / PROJECT_NOT_A_PROJECT.
 */
async function inspect(file: string): Promise<{ db: SqliteDatabase; version: number }> {
  await refuseNewerByHeader(file);
  // Reading a WAL file needs its -shm beside it, which a read-only folder (or medium) cannot
  // take: there the file is opened immutable. Nothing can write it there, so nothing changes
  // under the reader (a -wal left by a writer killed before the folder became read-only is
  // not read).
  const writable = await fs.access(path.dirname(file), fsConstants.W_OK).then(
    () => true,
    () => false,
  );
  const db = await SqliteDatabase.open(file, { readOnly: true, immutable: !writable }).catch(
    async (error: unknown) => {
      if (isCorruption(error)) throw corruptError(file, await listBackups(file), error);
      throw new AppError(
        CODES.NOT_FOUND,
        `Cannot open ${file} (${(error as Error).message}); check the path and permissions.`,
      );
    },
  );
  try {
    const version = await readSchemaVersion(db);
    if (version > LATEST_SCHEMA_VERSION) {
      throw tooNewError(file, version);
    }
    const hasMeta = await db.get(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'project_meta'",
    );
    const tag = hasMeta
      ? await db.get<{ value: string }>("SELECT value FROM project_meta WHERE key = 'format'")
      : undefined;
    if (tag?.value !== FORMAT_TAG) {
      throw new AppError(
        CODES.NOT_A_PROJECT,
        `${file} is an SQLite file but not a Vessel Studio project; pick a .vessel file.`,
      );
    }
    const problems = await quickCheck(db);
    if (problems.length > 0)
      throw corruptError(file, await listBackups(file), new Error(problems.join('; ')));
    return { db, version };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw await translateSqliteError(file, error);
  }
}

/**
 * The lock file cannot be made or written: its folder is read-only (SQLITE_CANTOPEN when it does
 * not exist yet, SQLITE_READONLY when it does), so the project cannot be edited there.
 */
function lockFileError(file: string): (error: unknown) => Promise<never> {
  return async (error) => {
    if (sqliteCode(error) === 'SQLITE_CANTOPEN') {
      throw new AppError(
        CODES.FILE_READ_ONLY,
        `Cannot write beside ${file} (its lock file cannot be created: the folder is read-only or on read-only media). Copy the project to a writable folder to edit it; \`project info\` and \`project export\` still read it where it is.`,
        { cause: (error as Error).message },
      );
    }
    throw await translateSqliteError(file, error);
  };
}

/**
 * Opens a project. Read-write (the default) takes the project's lock: when another process (or
 * another Project in this one) has it open, this fails with PROJECT_LOCKED naming the holder,
 * and `{ readOnly: true }` opens it for reading instead. Older schemas are migrated after a
 * backup copy; newer ones fail with PROJECT_TOO_NEW and a damaged file with PROJECT_CORRUPT
 * (its `details.backups` lists the backups, newest first). A file with a second hard link fails
 * with PROJECT_HARD_LINKED; one that cannot be written (file, folder or medium read-only) with
 * PROJECT_FILE_READ_ONLY, though it still opens read-only. Runs left `queued` or `running` by a
 * process that died are marked failed.
 */
export async function openProject(
  file: string,
  options: OpenProjectOptions = {},
): Promise<Project> {
  const stat = await fs.stat(path.resolve(file)).catch(() => null);
  if (!stat?.isFile())
    throw new AppError(CODES.NOT_FOUND, `There is no project file ${path.resolve(file)}.`);
  // The lock and the connection key on the real file: through a symlink a second writer would
  // otherwise take a lock of its own.
  const absolute = await realProjectFile(file);
  const { db: probe, version } = await inspect(absolute);
  if (options.readOnly) {
    if (version < LATEST_SCHEMA_VERSION) {
      await probe.close();
      throw new AppError(
        CODES.NEEDS_UPGRADE,
        `${absolute} uses the older schema ${version}; open it once for writing (where it is not open elsewhere) to upgrade it.`,
      );
    }
    return Project.attach(absolute, probe, null, options);
  }
  let lock: ProjectLock | null;
  try {
    lock = await ProjectLock.acquire(absolute).catch(lockFileError(absolute));
    if (!lock) {
      const owner = await ownerOf(probe);
      const who = owner
        ? `process ${owner.pid} on ${owner.host} since ${owner.openedAt}`
        : 'another process';
      throw new AppError(
        CODES.LOCKED,
        `${absolute} is already open in ${who}. Close it there, or open it read-only.`,
        { owner },
      );
    }
  } finally {
    await probe.close();
  }
  return attachWriter(absolute, lock, options, false);
}

/**
 * Opens the locked file for writing: migrates it, records the owner and attaches a Project.
 * Releases the lock when any of that fails.
 */
async function attachWriter(
  absolute: string,
  lock: ProjectLock,
  options: OpenProjectOptions,
  created: boolean,
): Promise<Project> {
  try {
    // A link made between the first look and the lock would still give the file two WALs.
    await refuseHardLinks(absolute);
    const db = await SqliteDatabase.open(absolute);
    try {
      // Another process may have upgraded the file between the look and the lock.
      const lockedVersion = await readSchemaVersion(db);
      if (lockedVersion > LATEST_SCHEMA_VERSION) throw tooNewError(absolute, lockedVersion);
      await configureWriter(db);
      const upgrade = await migrate(db, (from) =>
        writeBackup(db, migrationBackupPath(absolute, from)),
      );
      if (upgrade.backup !== null) await compactIfMostlyFree(db);
      await claim(db, options);
      return Project.attach(absolute, db, lock, options, created);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
  } catch (error) {
    const translated = await translateSqliteError(absolute, error);
    await lock.release();
    throw translated;
  }
}

/**
 * A migration that rebuilds a table leaves the old pages free inside the file (0004 would
 * double a 300 MB project). Reclaim them once, right after the upgrade, when over a quarter
 * of the file is free; later writes would reuse them only slowly.
 */
async function compactIfMostlyFree(db: SqliteDatabase): Promise<void> {
  const free =
    (await db.get<{ freelist_count: number }>('PRAGMA freelist_count'))?.freelist_count ?? 0;
  const pages = (await db.get<{ page_count: number }>('PRAGMA page_count'))?.page_count ?? 0;
  if (pages > 0 && free / pages > 0.25) await db.exec('VACUUM');
}

/** Records this process as the owner and fails runs a dead process left unfinished. */
async function claim(db: SqliteDatabase, options: OpenProjectOptions): Promise<void> {
  const owner = currentOwner(options.appVersion ?? '0.0.0');
  await db.transaction(async (tx) => {
    await tx.run(
      'INSERT OR REPLACE INTO lock_owner (id, pid, host, opened_at, app_version) VALUES (1, ?, ?, ?, ?)',
      [owner.pid, owner.host, owner.openedAt, owner.appVersion],
    );
    await tx.run(
      `UPDATE runs SET status = 'failed', finished_at = ?, error_code = 'PROJECT_RUN_INTERRUPTED',
         error_message = 'The process running it ended before the run finished.'
       WHERE status IN ('queued', 'running')`,
      [now()],
    );
  });
}

/** Where createProject builds a project before renaming it into place. */
export function creatingFileFor(projectFile: string): string {
  return `${projectFile}.creating`;
}

const SQLITE_SIDE_FILES = ['', '-wal', '-shm', '-journal'];

/**
 * Creates a new project file for a dataset folder and lists its images (hashing each file).
 * Refuses to overwrite an existing file (PROJECT_EXISTS). The file is built under a temporary
 * name beside it and renamed into place when complete, so a killed create leaves no half-made
 * project under the real name; the temporary of an earlier killed create is removed first
 * (under the lock, so it cannot belong to a create still running).
 */
export async function createProject(file: string, options: CreateProjectOptions): Promise<Project> {
  const root = path.resolve(options.datasetRoot);
  const rootStat = await fs.stat(root).catch(() => null);
  if (!rootStat?.isDirectory())
    throw new AppError(CODES.BAD_INPUT, `The dataset folder ${root} does not exist.`);
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const absolute = await realProjectFile(file);
  const refuseExisting = async (): Promise<void> => {
    if (await fs.lstat(absolute).catch(() => null)) {
      throw new AppError(
        CODES.EXISTS,
        `${absolute} already exists; open it, or pick another file name.`,
      );
    }
  };
  await refuseExisting();
  const lock = await ProjectLock.acquire(absolute).catch(lockFileError(absolute));
  if (!lock) throw new AppError(CODES.LOCKED, `${absolute} is being created by another process.`);
  const temporary = creatingFileFor(absolute);
  const removeTemporary = async (): Promise<void> => {
    for (const suffix of SQLITE_SIDE_FILES) await fs.rm(`${temporary}${suffix}`, { force: true });
  };
  try {
    await refuseExisting();
    await removeTemporary();
    await buildProjectFile(temporary, root, options, lock);
    await syncFile(temporary);
    await fs.rename(temporary, absolute);
    await syncFile(path.dirname(absolute));
  } catch (error) {
    await removeTemporary().catch(() => undefined);
    await lock.release();
    throw await translateSqliteError(absolute, error);
  }
  return attachWriter(absolute, lock, options, true);
}

/** Writes a whole project (schema, meta, images) into `target` and closes it (WAL checkpointed). */
async function buildProjectFile(
  target: string,
  root: string,
  options: CreateProjectOptions,
  lock: ProjectLock,
): Promise<void> {
  const db = await SqliteDatabase.open(target, { create: true });
  try {
    await configureWriter(db);
    await migrate(db, (from) => writeBackup(db, migrationBackupPath(target, from)));
    await db.transaction(async (tx) => {
      const at = now();
      for (const [key, value] of [
        ['format', FORMAT_TAG],
        ['created_at', at],
        ['app_version', options.appVersion ?? '0.0.0'],
        ['dataset_root', root],
      ]) {
        await tx.run('INSERT INTO project_meta (key, value) VALUES (?, ?)', [key, value]);
      }
    });
    if (options.images && options.images.length > 0)
      await images.addImages(new ProjectDatabase(target, db, lock), options.images);
    // A rollback journal for the last step: closing then leaves one self-contained file.
    await db.exec('PRAGMA journal_mode = DELETE');
  } finally {
    await db.close();
  }
}

/** fsync of a file or folder, so a rename is not on disk before the bytes it names. */
async function syncFile(target: string): Promise<void> {
  const handle = await fs.open(target, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows) cannot fsync a folder; the rename is still atomic there.
    if (
      (error as NodeJS.ErrnoException).code !== 'EISDIR' &&
      (error as NodeJS.ErrnoException).code !== 'EPERM'
    )
      throw error;
  } finally {
    await handle.close();
  }
}
