/**
 * What the tests of the migration steps share: databases and project files as a build at an
 * earlier schema left them, the step under test run on them, and what the steps built read back.
 */
import path from 'node:path';
import {
  addTinyModel,
  useScratchFolders,
  useScratchProjects,
  type ScratchProjects,
} from '../../../../../test/support/project/project-test-setup';
import { openProject } from '../open';
import type { Project } from '../project';
import { migrate } from '../schema';
import { SqliteDatabase } from '../sqlite';
import type { ModelVersion } from '../types';
import { migrations } from '.';

/** Runs the migrations up to and including `upTo` that `db` has not had yet. */
export async function migrateTo(db: SqliteDatabase, upTo: number): Promise<void> {
  await migrate(
    db,
    async () => 'unused',
    migrations.filter((m) => m.version <= upTo),
  );
}

/** Opens a fresh database in `dir` and runs the first `upTo` migrations, as a project file would have them. */
export async function databaseAtVersion(dir: string, upTo: number): Promise<SqliteDatabase> {
  const db = await SqliteDatabase.open(path.join(dir, `v${upTo}.vessel`), { create: true });
  await db.exec('PRAGMA foreign_keys = ON');
  await migrateTo(db, upTo);
  return db;
}

/**
 * Registers removing the folders a test made; returns the maker of fresh databases at a
 * version, each in a folder of its own. Call once per test file.
 */
export function useDatabasesAtVersion(): (upTo: number) => Promise<SqliteDatabase> {
  const scratchFolder = useScratchFolders();
  return (upTo) => databaseAtVersion(scratchFolder(), upTo);
}

async function names(db: SqliteDatabase, sql: string, params: string[] = []): Promise<string[]> {
  const rows = await db.all<{ name: string }>(sql, params);
  return rows.map((r) => r.name);
}

/** The names of the tables, sorted. */
export function tableNames(db: SqliteDatabase): Promise<string[]> {
  return names(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
}

/** The names of a table's columns, in the order a row stores them. */
export function columnNames(db: SqliteDatabase, table: string): Promise<string[]> {
  return names(db, 'SELECT name FROM pragma_table_info(?) ORDER BY cid', [table]);
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

/** The statement creating prediction_cache as the migrations up to `version` leave it. */
async function predictionCacheTableAt(version: number): Promise<string> {
  const db = await SqliteDatabase.open(':memory:', { create: true });
  try {
    await migrateTo(db, version);
    const table = await db.get<{ sql: string }>(
      "SELECT sql FROM sqlite_schema WHERE name = 'prediction_cache'",
    );
    return `${table!.sql};`;
  } finally {
    await db.close();
  }
}

/** The encoding of the cached maps at each earlier schema a project file is upgraded from. */
const CACHE_ENCODING = { 5: 'f32-deflate', 6: 'u8-png' } as const;

/** One cached map of `test/01_test` as a build at schema 5 or 6 stored it. */
export interface EarlierCachedMap {
  version: keyof typeof CACHE_ENCODING;
  width: number;
  height: number;
  bytes: Buffer;
}

/**
 * A project file (one image, `test/01_test`, and a tiny model) as a build at schema 5 or 6 left
 * it, holding `cached` made by that model, then opened (so upgraded) by this build. Schemas 5
 * and 6 differ from 7 only in prediction_cache, rebuilt here as the migrations up to then made it.
 */
async function upgradedProjectFile(
  { newProject, open }: ScratchProjects,
  cached: EarlierCachedMap,
): Promise<{ file: string; model: ModelVersion; upgraded: Project }> {
  const { file, project } = await newProject(1);
  const model = await addTinyModel(project);
  await project.close();
  open.splice(0);
  const table = await predictionCacheTableAt(cached.version);
  const db = await SqliteDatabase.open(file);
  await db.exec(`DROP TABLE prediction_cache; ${table} PRAGMA user_version = ${cached.version};`);
  await db.run(
    "INSERT INTO prediction_cache SELECT ?, id, '', ?, ?, ?, 'then', ? FROM images WHERE key = 'test/01_test'",
    [model.id, CACHE_ENCODING[cached.version], cached.width, cached.height, cached.bytes],
  );
  await db.close();
  const upgraded = await openProject(file);
  open.push(upgraded);
  return { file, model, upgraded };
}

/** Where the tests of a step rebuilding prediction_cache start from. */
export interface PredictionCacheUpgrades {
  /** A fresh database at `version`, seeded with two images and a model version for cache rows. */
  seededDatabaseAt(version: number): Promise<SqliteDatabase>;
  /** A project file written at schema 5 or 6 holding `cached`, opened (so upgraded) by this build. */
  upgradedProjectFile(
    cached: EarlierCachedMap,
  ): Promise<{ file: string; model: ModelVersion; upgraded: Project }>;
  /** Projects to close after the test (the upgraded one is in it). */
  open: Project[];
}

/**
 * Registers closing the projects and removing the folders a test made; returns what a test of a
 * step rebuilding prediction_cache starts from. Call once per test file.
 */
export function usePredictionCacheUpgrades(): PredictionCacheUpgrades {
  const scratch = useScratchProjects();
  return {
    async seededDatabaseAt(version) {
      const db = await databaseAtVersion(scratch.scratchFolder(), version);
      await seedImagesAndModel(db);
      return db;
    },
    upgradedProjectFile: (cached) => upgradedProjectFile(scratch, cached),
    open: scratch.open,
  };
}
