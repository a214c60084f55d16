/**
 * Runs the migrations a file needs: each step in its own transaction together with its
 * PRAGMA user_version bump, so a crash leaves the file at the last completed step, never
 * half-way through one. A file that already holds a schema is copied before the first step.
 */
import { LATEST_SCHEMA_VERSION, migrations as allMigrations, type Migration } from './migrations';
import type { SqliteDatabase } from './sqlite';

/** The schema version stored in the file header (0 for a new, empty file). */
export async function readSchemaVersion(db: SqliteDatabase): Promise<number> {
  const row = await db.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}

export interface MigrationOutcome {
  from: number;
  to: number;
  /** The backup written before the first step, or null when nothing ran or the file was new. */
  backup: string | null;
}

/**
 * Brings the file up to the last of `migrations`. `makeBackup` is called once, before the
 * first step, when the file already has a schema (a new file has nothing to lose).
 */
export async function migrate(
  db: SqliteDatabase,
  makeBackup: (fromVersion: number) => Promise<string>,
  migrations: readonly Migration[] = allMigrations,
): Promise<MigrationOutcome> {
  const from = await readSchemaVersion(db);
  const pending = migrations.filter((m) => m.version > from);
  if (pending.length === 0) return { from, to: from, backup: null };
  const backup = from > 0 ? await makeBackup(from) : null;
  for (const migration of pending) {
    await db.transaction(async (tx) => {
      await migration.up(tx);
      // PRAGMA does not take bound parameters; version is an integer from our own list.
      await tx.exec(`PRAGMA user_version = ${Math.trunc(migration.version)}`);
    });
  }
  return { from, to: pending[pending.length - 1].version, backup };
}

export { LATEST_SCHEMA_VERSION };
