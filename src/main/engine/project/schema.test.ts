import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations, type Migration } from './migrations';
import { migrate, readSchemaVersion } from './schema';
import { SqliteDatabase } from './sqlite';
import { useScratchFolders } from '../../../../test/support/project/project-test-setup';
import { writeBackup } from './backups';

const scratchFolder = useScratchFolders();

describe('migrate', () => {
  it('copies an existing file before migrating it, keeping its data', async () => {
    const dir = scratchFolder();
    const file = path.join(dir, 'p.vessel');
    const db = await SqliteDatabase.open(file, { create: true });
    await migrate(db, async () => 'unused', migrations.slice(0, 1));
    await db.run("INSERT INTO project_meta VALUES ('dataset_root', '/data')");
    const calls: number[] = [];
    const outcome = await migrate(db, async (from) => {
      calls.push(from);
      return writeBackup(db, `${file}.v${from}.bak`);
    });
    expect(outcome).toEqual({ from: 1, to: migrations.length, backup: `${file}.v1.bak` });
    expect(calls).toEqual([1]);
    expect(await db.get("SELECT value FROM project_meta WHERE key = 'dataset_root'")).toEqual({
      value: '/data',
    });
    await db.close();
    const backup = await SqliteDatabase.open(`${file}.v1.bak`, { readOnly: true });
    expect(await readSchemaVersion(backup)).toBe(1);
    expect(await backup.get("SELECT value FROM project_meta WHERE key = 'dataset_root'")).toEqual({
      value: '/data',
    });
    await backup.close();
  });

  it('makes no backup of a new file and none when nothing is pending', async () => {
    const dir = scratchFolder();
    const db = await SqliteDatabase.open(path.join(dir, 'p.vessel'), { create: true });
    let backups = 0;
    const count = async (): Promise<string> => {
      backups++;
      return 'x';
    };
    await migrate(db, count);
    expect(await migrate(db, count)).toEqual({
      from: migrations.length,
      to: migrations.length,
      backup: null,
    });
    expect(backups).toBe(0);
    await db.close();
  });

  it('leaves a file at the last completed step when a step fails', async () => {
    const dir = scratchFolder();
    const db = await SqliteDatabase.open(path.join(dir, 'p.vessel'), { create: true });
    const broken: Migration = {
      version: 2,
      name: 'broken',
      async up(tx) {
        await tx.exec('CREATE TABLE half_done (x INTEGER)');
        await tx.exec('THIS IS NOT SQL');
      },
    };
    await expect(migrate(db, async () => 'b', [migrations[0], broken])).rejects.toThrow();
    expect(await readSchemaVersion(db)).toBe(1);
    expect(await db.get("SELECT name FROM sqlite_schema WHERE name = 'half_done'")).toBeUndefined();
    await db.close();
  });
});
