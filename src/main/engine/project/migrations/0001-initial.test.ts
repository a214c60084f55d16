import { describe, expect, it } from 'vitest';
import { readSchemaVersion } from '../schema';
import { tableNames, useDatabasesAtVersion } from './migration-test-setup';

const databaseAt = useDatabasesAtVersion();

describe('migration 0001-initial', () => {
  it('creates the image, file and revision tables and sets user_version 1', async () => {
    const db = await databaseAt(1);
    expect(await readSchemaVersion(db)).toBe(1);
    expect(await tableNames(db)).toEqual([
      'image_files',
      'images',
      'lock_owner',
      'mask_revisions',
      'project_meta',
    ]);
    await db.close();
  });

  it('keeps mask revisions append-only and tied to an existing image', async () => {
    const db = await databaseAt(1);
    await db.run(
      "INSERT INTO images (id, key, split, name, added_at) VALUES (1, 'test/01', 'test', '01', 'now')",
    );
    const insert =
      "INSERT INTO mask_revisions (image_id, created_at, encoding, width, height, bytes, sha256) VALUES (?, 'now', 'png', 2, 2, x'00', 'h')";
    await db.run(insert, [1]);
    await expect(db.run('UPDATE mask_revisions SET note = ?', ['x'])).rejects.toThrow(
      /append-only/,
    );
    await expect(db.run('DELETE FROM mask_revisions')).rejects.toThrow(/append-only/);
    await expect(db.run(insert, [99])).rejects.toThrow(/FOREIGN KEY/);
    await expect(
      db.run(
        "INSERT INTO mask_revisions (image_id, created_at, encoding, width, height, bytes, sha256) VALUES (1, 'now', 'jpeg', 2, 2, x'00', 'h')",
      ),
    ).rejects.toThrow(/CHECK/);
    await db.close();
  });
});
