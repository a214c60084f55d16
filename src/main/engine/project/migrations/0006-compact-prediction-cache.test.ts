import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../../test/support/seeded-random';
import { readSchemaVersion } from '../schema';
import { SqliteDatabase } from '../sqlite';
import { decodePrediction } from '../prediction-codec';
import { LATEST_SCHEMA_VERSION } from '.';
import { columnNames, migrateTo, usePredictionCacheUpgrades } from './migration-test-setup';

const { seededDatabaseAt, upgradedProjectFile, open } = usePredictionCacheUpgrades();

/** A vessel-like map: dark background with noise, bright bands, values across [0, 1]. */
function probabilityMap(width: number, height: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: width * height }, (_, i) => {
    const x = i % width;
    const y = Math.floor(i / width);
    const band = Math.abs(Math.sin((x + 2 * y) / 9)) > 0.93 ? 0.9 : 0.04;
    return Math.min(1, Math.max(0, band + (random() - 0.5) * 0.08));
  });
}

/** The schema-5 (and earlier) encoding of a map. */
function f32Deflate(probabilities: Float32Array): Buffer {
  return deflateRawSync(Buffer.from(probabilities.buffer), { level: 1 });
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('migration 0006-compact-prediction-cache', () => {
  it('converts every cached map to an 8-bit PNG within 1/510 and drops rows that do not decode', async () => {
    const db = await seededDatabaseAt(5);
    const [width, height] = [96, 80];
    const map = probabilityMap(width, height, 7);
    const old = f32Deflate(map);
    await db.run(
      "INSERT INTO prediction_cache VALUES (1, 1, 'flip', 'f32-deflate', ?, ?, 'then', ?)",
      [width, height, old],
    );
    // Bytes that inflate to the wrong length, and bytes that do not inflate at all.
    await db.run("INSERT INTO prediction_cache VALUES (1, 2, '', 'f32-deflate', 4, 4, 'then', ?)", [
      f32Deflate(new Float32Array(3)),
    ]);
    await db.run(
      "INSERT INTO prediction_cache VALUES (1, 2, 'x', 'f32-deflate', 2, 3, 'then', x'0102')",
    );

    await migrateTo(db, 6);
    expect(await readSchemaVersion(db)).toBe(6);
    const rows = await db.all<{ bytes: Buffer }>('SELECT * FROM prediction_cache');
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      image_id: 1,
      options_key: 'flip',
      encoding: 'u8-png',
      width,
      height,
      created_at: 'then',
    });
    expect(row!.bytes.byteLength).toBeLessThan(old.byteLength / 3);
    const decoded = await decodePrediction(row!.bytes, width, height);
    expect(maxDifference(decoded, map)).toBeLessThanOrEqual(1 / 510 + 1e-7);
    expect((await columnNames(db, 'prediction_cache')).at(-1)).toBe('bytes');
    await expect(
      db.run("INSERT INTO prediction_cache VALUES (1, 2, '', 'f32-deflate', 1, 1, 'now', x'00')"),
    ).rejects.toThrow(/CHECK constraint/);
    expect(await db.all('PRAGMA foreign_key_check')).toEqual([]);
    await db.close();
  });

  it('opens a project file the previous version wrote, its cached prediction readable and smaller', async () => {
    // The file as the previous version (schema 5) leaves it: the Float32 cache table and row.
    const [width, height] = [565, 584];
    const map = probabilityMap(width, height, 11);
    const old = f32Deflate(map);
    const { file, model, upgraded } = await upgradedProjectFile({
      version: 5,
      width,
      height,
      bytes: old,
    });
    expect((await upgraded.info()).schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    const cached = await upgraded.getPrediction(model.id, 'test/01_test');
    expect(cached).toMatchObject({ width, height, createdAt: 'then' });
    expect(maxDifference(cached!.probabilities, map)).toBeLessThanOrEqual(1 / 510 + 1e-7);
    await upgraded.close();
    open.splice(0);
    const after = await SqliteDatabase.open(file, { readOnly: true });
    const size = await after.get<{ n: number }>(
      'SELECT sum(length(bytes)) AS n FROM prediction_cache',
    );
    await after.close();
    expect(size!.n).toBeLessThan(old.byteLength / 3);
  });
});
