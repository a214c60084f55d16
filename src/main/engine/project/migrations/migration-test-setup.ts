/** Opens a fresh database and runs the first `upTo` migrations, as a project file would have them. */
import path from 'node:path';
import { migrate } from '../schema';
import { SqliteDatabase } from '../sqlite';
import { migrations } from '.';

export async function databaseAtVersion(dir: string, upTo: number): Promise<SqliteDatabase> {
  const db = await SqliteDatabase.open(path.join(dir, `v${upTo}.vessel`), { create: true });
  await db.exec('PRAGMA foreign_keys = ON');
  await migrate(
    db,
    async () => 'unused',
    migrations.filter((m) => m.version <= upTo),
  );
  return db;
}

export async function tableNames(db: SqliteDatabase): Promise<string[]> {
  const rows = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
  );
  return rows.map((r) => r.name);
}

/** Two images (ids 1 and 2, keys `a` and `b`) and a model version (id 1) for cache rows to name. */
export async function seedImagesAndModel(db: SqliteDatabase): Promise<void> {
  await db.run(
    "INSERT INTO images (id, key, split, name, added_at) VALUES (1, 'a', '', 'a', 'now'), (2, 'b', '', 'b', 'now')",
  );
  await db.run(
    "INSERT INTO model_versions (id, name, config, backend, epoch_log, created_at) VALUES (1, 'm', '{}', 'cpu', '[]', 'now')",
  );
}

/**
 * The prediction_cache table as schemas 4 and 5 (`f32-deflate`) and schema 6 (`u8-png`) left it:
 * the same columns, only the encoding allowed differs.
 */
export function previousPredictionCacheTable(encoding: 'f32-deflate' | 'u8-png'): string {
  return `
  CREATE TABLE prediction_cache (
    model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
    image_id INTEGER NOT NULL REFERENCES images(id),
    options_key TEXT NOT NULL,
    encoding TEXT NOT NULL CHECK (encoding IN ('${encoding}')),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (model_version_id, image_id, options_key)
  ) STRICT;`;
}
