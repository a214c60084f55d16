import { describe, expect, it } from 'vitest';
import { readSchemaVersion } from '../schema';
import { seedImagesAndModel, tableNames, useDatabasesAtVersion } from './migration-test-setup';

const databaseAt = useDatabasesAtVersion();

describe('migration 0003-view-settings-prediction-cache', () => {
  it('adds view settings and a prediction cache keyed by model, image and options', async () => {
    const db = await databaseAt(3);
    expect(await readSchemaVersion(db)).toBe(3);
    expect(await tableNames(db)).toEqual(
      expect.arrayContaining(['view_settings', 'prediction_cache']),
    );
    await seedImagesAndModel(db);
    const insert =
      "INSERT INTO prediction_cache VALUES (1, 1, ?, 'f32-deflate', 1, 1, x'00', 'now')";
    await db.run(insert, ['']);
    await db.run(insert, ['flip']);
    await expect(db.run(insert, [''])).rejects.toThrow(/UNIQUE/);
    await db.close();
  });
});
