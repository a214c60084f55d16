import { describe, expect, it } from 'vitest';
import { readSchemaVersion } from '../schema';
import { encodePrediction, decodePrediction } from '../prediction-codec';
import { columnNames, migrateTo, usePredictionCacheUpgrades } from './migration-test-setup';

const { seededDatabaseAt, upgradedProjectFile } = usePredictionCacheUpgrades();

/** A 6x4 map cached before schema 7, as the migration leaves its row (bytes aside). */
function unscaledRow(imageId: number, optionsKey: string): Record<string, unknown> {
  return {
    model_version_id: 1,
    image_id: imageId,
    options_key: optionsKey,
    encoding: 'u8-png',
    width: 6,
    height: 4,
    created_at: 'then',
    scale_factor: null,
    fov_diameter: null,
  };
}

describe('migration 0007-prediction-scale', () => {
  it('keeps every cached map, its scale unknown (null), with the bytes still last', async () => {
    const db = await seededDatabaseAt(6);
    const map = Float32Array.from({ length: 6 * 4 }, (_, i) => ((i % 5) * 51) / 255);
    const png = await encodePrediction(map, 6, 4);
    await db.run("INSERT INTO prediction_cache VALUES (1, 1, '', 'u8-png', 6, 4, 'then', ?)", [
      png,
    ]);
    await db.run("INSERT INTO prediction_cache VALUES (1, 2, 'flip', 'u8-png', 6, 4, 'then', ?)", [
      png,
    ]);

    await migrateTo(db, 7);
    expect(await readSchemaVersion(db)).toBe(7);
    const rows = await db.all<{ bytes: Buffer }>(
      'SELECT * FROM prediction_cache ORDER BY image_id',
    );
    expect(rows.map(({ bytes: _, ...rest }) => rest)).toEqual([
      unscaledRow(1, ''),
      unscaledRow(2, 'flip'),
    ]);
    expect(Array.from(await decodePrediction(rows[0]!.bytes, 6, 4))).toEqual(Array.from(map));
    expect((await columnNames(db, 'prediction_cache')).at(-1)).toBe('bytes');
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
    // The file as the previous version (schema 6) leaves it: a cached map without a scale.
    const map = Float32Array.from({ length: 8 * 6 }, (_, i) => ((i % 3) * 85) / 255);
    const { model, upgraded } = await upgradedProjectFile({
      version: 6,
      width: 8,
      height: 6,
      bytes: await encodePrediction(map, 8, 6),
    });
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
