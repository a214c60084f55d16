import { describe, expect, it } from 'vitest';
import { readSchemaVersion } from '../schema';
import { tableNames, useDatabasesAtVersion } from './migration-test-setup';

const databaseAt = useDatabasesAtVersion();

describe('migration 0002-models-runs-evaluations', () => {
  it('adds runs, model versions with files and training masks, and evaluations', async () => {
    const db = await databaseAt(2);
    expect(await readSchemaVersion(db)).toBe(2);
    const tables = await tableNames(db);
    for (const t of [
      'runs',
      'model_versions',
      'model_files',
      'model_training_masks',
      'evaluations',
      'evaluation_images',
    ]) {
      expect(tables).toContain(t);
    }
    await db.close();
  });

  it('accepts only the five run states and links versions to existing parents', async () => {
    const db = await databaseAt(2);
    await db.run(
      "INSERT INTO runs (kind, status, config, created_at) VALUES ('train', 'queued', '{}', 'now')",
    );
    await expect(
      db.run(
        "INSERT INTO runs (kind, status, config, created_at) VALUES ('train', 'paused', '{}', 'now')",
      ),
    ).rejects.toThrow(/CHECK/);
    await expect(
      db.run(
        "INSERT INTO model_versions (name, parent_id, config, backend, epoch_log, created_at) VALUES ('m', 7, '{}', 'cpu', '[]', 'now')",
      ),
    ).rejects.toThrow(/FOREIGN KEY/);
    await db.close();
  });
});
