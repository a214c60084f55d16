import { describe, expect, it } from 'vitest';
import { readSchemaVersion } from '../schema';
import {
  columnNames,
  migrateTo,
  seedImagesAndModel,
  useDatabasesAtVersion,
} from './migration-test-setup';

const databaseAt = useDatabasesAtVersion();

describe('migration 0004-blob-columns-last', () => {
  it('moves the blobs to the end of their rows and keeps every row', async () => {
    const db = await databaseAt(3);
    await seedImagesAndModel(db);
    const weights = Buffer.alloc(100_000, 7);
    await db.run("INSERT INTO model_files VALUES (1, 'weights.bin', ?, 'abc')", [weights]);
    await db.run(
      "INSERT INTO prediction_cache VALUES (1, 1, '', 'f32-deflate', 2, 3, x'0102', 'then')",
    );

    await migrateTo(db, 4);
    expect(await readSchemaVersion(db)).toBe(4);
    expect((await columnNames(db, 'model_files')).at(-1)).toBe('bytes');
    expect((await columnNames(db, 'prediction_cache')).at(-1)).toBe('bytes');
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
