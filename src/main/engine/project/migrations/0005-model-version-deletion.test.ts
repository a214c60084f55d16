import { promises as fs } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, readSchemaVersion } from '../schema';
import { temporaryFolder } from '../../../../../test/support/project/test-fixtures';
import { migrations } from '.';
import { databaseAtVersion } from './migration-test-setup';

const folders: string[] = [];
afterEach(async () => {
  for (const dir of folders.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

describe('migration 0005-model-version-deletion', () => {
  it('adds deleted_at to model versions, null for the existing ones', async () => {
    const dir = temporaryFolder();
    folders.push(dir);
    const db = await databaseAtVersion(dir, 4);
    await db.run(
      "INSERT INTO model_versions (id, name, config, backend, epoch_log, created_at) VALUES (1, 'm', '{}', 'cpu', '[]', 'now')",
    );
    await migrate(
      db,
      async () => 'unused',
      migrations.filter((m) => m.version <= 5),
    );
    expect(await readSchemaVersion(db)).toBe(5);
    expect(await db.get('SELECT id, deleted_at FROM model_versions')).toEqual({
      id: 1,
      deleted_at: null,
    });
    await db.close();
  });
});
