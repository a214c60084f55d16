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

describe('migration 0004-blob-columns-last', () => {
  it('moves the blobs to the end of their rows and keeps every row', async () => {
    const dir = temporaryFolder();
    folders.push(dir);
    const db = await databaseAtVersion(dir, 3);
    await db.run(
      "INSERT INTO images (id, key, split, name, added_at) VALUES (1, 'a', '', 'a', 'now')",
    );
    await db.run(
      "INSERT INTO model_versions (id, name, config, backend, epoch_log, created_at) VALUES (1, 'm', '{}', 'cpu', '[]', 'now')",
    );
    const weights = Buffer.alloc(100_000, 7);
    await db.run("INSERT INTO model_files VALUES (1, 'weights.bin', ?, 'abc')", [weights]);
    await db.run(
      "INSERT INTO prediction_cache VALUES (1, 1, '', 'f32-deflate', 2, 3, x'0102', 'then')",
    );

    await migrate(
      db,
      async () => 'unused',
      migrations.filter((m) => m.version <= 4),
    );
    expect(await readSchemaVersion(db)).toBe(4);
    const columns = async (table: string): Promise<string[]> =>
      (
        await db.all<{ name: string }>(
          `SELECT name FROM pragma_table_info('${table}') ORDER BY cid`,
        )
      ).map((c) => c.name);
    expect((await columns('model_files')).at(-1)).toBe('bytes');
    expect((await columns('prediction_cache')).at(-1)).toBe('bytes');
    const file = await db.get<{ size: number; sha256: string; bytes: Buffer }>(
      'SELECT size, sha256, bytes FROM model_files',
    );
    expect(file?.size).toBe(100_000);
    expect(file?.sha256).toBe('abc');
    expect(file?.bytes.equals(weights)).toBe(true);
    expect(
      await db.get('SELECT width, height, created_at, hex(bytes) AS hex FROM prediction_cache'),
    ).toEqual({
      width: 2,
      height: 3,
      created_at: 'then',
      hex: '0102',
    });
    expect(await db.all('PRAGMA foreign_key_check')).toEqual([]);
    await db.close();
  });
});
