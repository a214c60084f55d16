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
