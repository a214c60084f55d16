import { describe, expect, it } from 'vitest';
import { readSchemaVersion } from '../schema';
import { migrateTo, seedImagesAndModel, useDatabasesAtVersion } from './migration-test-setup';

const databaseAt = useDatabasesAtVersion();

describe('migration 0005-model-version-deletion', () => {
  it('adds deleted_at to model versions, null for the existing ones', async () => {
    const db = await databaseAt(4);
    await seedImagesAndModel(db);
    await migrateTo(db, 5);
    expect(await readSchemaVersion(db)).toBe(5);
    expect(await db.get('SELECT id, deleted_at FROM model_versions')).toEqual({
      id: 1,
      deleted_at: null,
    });
    await db.close();
  });
});
