/**
 * The project's own facts: the values of project_meta (dataset root, creation time, writer
 * version) and the counts of everything it holds, for `project info` and the UI.
 */
import { promises as fs } from 'node:fs';
import type { ProjectDatabase } from './database';
import { readSchemaVersion } from './schema';
import type { SqliteDatabase } from './sqlite';
import type { ProjectInfo, RunStatus } from './types';

/** One project_meta value, or null when the file has none under `key`. */
export async function metaValue(db: SqliteDatabase, key: string): Promise<string | null> {
  const row = await db.get<{ value: string }>('SELECT value FROM project_meta WHERE key = ?', [
    key,
  ]);
  return row?.value ?? null;
}

/** Sets one project_meta value (inside the caller's write). */
export async function setMetaValue(db: SqliteDatabase, key: string, value: string): Promise<void> {
  await db.run(
    'INSERT INTO project_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    [key, value],
  );
}

/** Records a new dataset root (inside the caller's write). */
export async function setDatasetRoot(db: SqliteDatabase, root: string): Promise<void> {
  await db.run("UPDATE project_meta SET value = ? WHERE key = 'dataset_root'", [root]);
}

/** The dataset folder image paths are relative to (absolute). */
export async function datasetRoot(database: ProjectDatabase): Promise<string> {
  return (await database.read((db) => metaValue(db, 'dataset_root'))) ?? '';
}

/** Counts of everything the project holds, read in one go. */
export function projectInfo(database: ProjectDatabase): Promise<ProjectInfo> {
  return database.read(async (db) => {
    const count = async (sql: string): Promise<number> =>
      (await db.get<{ n: number }>(sql))?.n ?? 0;
    const stat = await fs.stat(database.file).catch(() => null);
    return {
      file: database.file,
      readOnly: database.readOnly,
      schemaVersion: await readSchemaVersion(db),
      createdAt: await metaValue(db, 'created_at'),
      appVersion: await metaValue(db, 'app_version'),
      datasetRoot: (await metaValue(db, 'dataset_root')) ?? '',
      images: await count('SELECT count(*) AS n FROM images'),
      maskRevisions: await count('SELECT count(*) AS n FROM mask_revisions'),
      correctedImages: await count('SELECT count(DISTINCT image_id) AS n FROM mask_revisions'),
      modelVersions: await count(
        'SELECT count(*) AS n FROM model_versions WHERE deleted_at IS NULL',
      ),
      runs: await runsByStatus(db),
      evaluations: await count('SELECT count(*) AS n FROM evaluations'),
      cachedPredictions: await count('SELECT count(*) AS n FROM prediction_cache'),
      fileBytes: stat?.size ?? 0,
    };
  });
}

/** How many runs are in each state, zero for states no run is in. */
async function runsByStatus(db: SqliteDatabase): Promise<Record<RunStatus, number>> {
  const runs: Record<RunStatus, number> = {
    queued: 0,
    running: 0,
    finished: 0,
    cancelled: 0,
    failed: 0,
  };
  for (const row of await db.all<{ status: RunStatus; n: number }>(
    'SELECT status, count(*) AS n FROM runs GROUP BY status',
  )) {
    runs[row.status] = row.n;
  }
  return runs;
}
