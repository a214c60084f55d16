import { promises as fs } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { readSchemaVersion } from '../schema';
import { temporaryFolder } from '../../../../../test/support/project/test-fixtures';
import { databaseAtVersion, tableNames } from './migration-test-setup';

const folders: string[] = [];
afterEach(async () => {
  for (const dir of folders.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

describe('migration 0003-view-settings-prediction-cache', () => {
  it('adds view settings and a prediction cache keyed by model, image and options', async () => {
    const dir = temporaryFolder();
    folders.push(dir);
    const db = await databaseAtVersion(dir, 3);
    expect(await readSchemaVersion(db)).toBe(3);
    expect(await tableNames(db)).toEqual(
      expect.arrayContaining(['view_settings', 'prediction_cache']),
    );
    await db.run(
      "INSERT INTO images (id, key, split, name, added_at) VALUES (1, 'a', '', 'a', 'now')",
    );
    await db.run(
      "INSERT INTO model_versions (id, name, config, backend, epoch_log, created_at) VALUES (1, 'm', '{}', 'cpu', '[]', 'now')",
    );
    const insert =
      "INSERT INTO prediction_cache VALUES (1, 1, ?, 'f32-deflate', 1, 1, x'00', 'now')";
    await db.run(insert, ['']);
    await db.run(insert, ['flip']);
    await expect(db.run(insert, [''])).rejects.toThrow(/UNIQUE/);
    await db.close();
  });
});
