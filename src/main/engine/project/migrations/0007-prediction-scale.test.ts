import { describe, expect, it } from 'vitest';
import {
  addTinyModel,
  useScratchProjects,
} from '../../../../../test/support/project/project-test-setup';
import { openProject } from '../open';
import { migrate, readSchemaVersion } from '../schema';
import { SqliteDatabase } from '../sqlite';
import { encodePrediction, decodePrediction } from '../prediction-codec';
import { migrations } from '.';
import {
  databaseAtVersion,
  previousPredictionCacheTable,
  seedImagesAndModel,
} from './migration-test-setup';

const { scratchFolder, newProject, open } = useScratchProjects();

/** The schema-6 prediction_cache table. */
const SCHEMA6_CACHE = previousPredictionCacheTable('u8-png');

describe('migration 0007-prediction-scale', () => {
  it('keeps every cached map, its scale unknown (null), with the bytes still last', async () => {
    const db = await databaseAtVersion(scratchFolder(), 6);
    await seedImagesAndModel(db);
    const map = Float32Array.from({ length: 6 * 4 }, (_, i) => ((i % 5) * 51) / 255);
    const png = await encodePrediction(map, 6, 4);
    await db.run("INSERT INTO prediction_cache VALUES (1, 1, '', 'u8-png', 6, 4, 'then', ?)", [
      png,
    ]);
    await db.run("INSERT INTO prediction_cache VALUES (1, 2, 'flip', 'u8-png', 6, 4, 'then', ?)", [
      png,
    ]);

    await migrate(
      db,
      async () => 'unused',
      migrations.filter((m) => m.version <= 7),
    );
    expect(await readSchemaVersion(db)).toBe(7);
    const rows = await db.all<{
      image_id: number;
      options_key: string;
      created_at: string;
      scale_factor: number | null;
      fov_diameter: number | null;
      bytes: Buffer;
    }>('SELECT * FROM prediction_cache ORDER BY image_id');
    expect(rows.map(({ bytes: _, ...rest }) => rest)).toEqual([
      {
        model_version_id: 1,
        image_id: 1,
        options_key: '',
        encoding: 'u8-png',
        width: 6,
        height: 4,
        created_at: 'then',
        scale_factor: null,
        fov_diameter: null,
      },
      {
        model_version_id: 1,
        image_id: 2,
        options_key: 'flip',
        encoding: 'u8-png',
        width: 6,
        height: 4,
        created_at: 'then',
        scale_factor: null,
        fov_diameter: null,
      },
    ]);
    expect(Array.from(await decodePrediction(rows[0]!.bytes, 6, 4))).toEqual(Array.from(map));
    const columns = await db.all<{ name: string }>(
      "SELECT name FROM pragma_table_info('prediction_cache') ORDER BY cid",
    );
    expect(columns.at(-1)?.name).toBe('bytes');
    // A factor must be positive; a row may store one now.
    await expect(
      db.run(
        "INSERT INTO prediction_cache VALUES (1, 2, 'x', 'u8-png', 6, 4, 'now', 0, 540, x'00')",
      ),
    ).rejects.toThrow(/CHECK constraint/);
    await db.run(
      "INSERT INTO prediction_cache VALUES (1, 2, 'x', 'u8-png', 6, 4, 'now', 0.75, 720, x'00')",
    );
    expect(await db.all('PRAGMA foreign_key_check')).toEqual([]);
    await db.close();
  });

  it('opens a project file the previous version wrote: its cached prediction reads with an unknown scale', async () => {
    const { file, project } = await newProject(1);
    const model = await addTinyModel(project);
    await project.close();
    open.splice(0);
    // The file as the previous version (schema 6) leaves it: a cached map without a scale.
    const map = Float32Array.from({ length: 8 * 6 }, (_, i) => ((i % 3) * 85) / 255);
    const db = await SqliteDatabase.open(file);
    await db.exec(`DROP TABLE prediction_cache; ${SCHEMA6_CACHE} PRAGMA user_version = 6;`);
    await db.run(
      "INSERT INTO prediction_cache SELECT ?, id, '', 'u8-png', 8, 6, 'then', ? FROM images WHERE key = 'test/01_test'",
      [model.id, await encodePrediction(map, 8, 6)],
    );
    await db.close();

    const upgraded = await openProject(file);
    open.push(upgraded);
    expect((await upgraded.info()).schemaVersion).toBeGreaterThanOrEqual(7);
    const cached = await upgraded.getPrediction(model.id, 'test/01_test');
    expect(cached).toMatchObject({
      width: 8,
      height: 6,
      createdAt: 'then',
      scale: null,
    });
    expect(Array.from(cached!.probabilities)).toEqual(Array.from(map));
  });
});
