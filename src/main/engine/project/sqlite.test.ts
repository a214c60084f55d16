import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteDatabase, sqliteCode } from './sqlite';
import { useScratchFolders } from '../../../../test/support/project/project-test-setup';

const scratchFolder = useScratchFolders();

async function freshDb(): Promise<SqliteDatabase> {
  const dir = scratchFolder();
  const db = await SqliteDatabase.open(path.join(dir, 'a.db'), { create: true });
  await db.exec('CREATE TABLE t (n INTEGER NOT NULL)');
  return db;
}

describe('SqliteDatabase', () => {
  it('runs, gets and lists rows with bound parameters and blobs', async () => {
    const db = await freshDb();
    const { lastId, changes } = await db.run('INSERT INTO t (n) VALUES (?)', [41]);
    expect([lastId, changes]).toEqual([1, 1]);
    expect(await db.get<{ n: number }>('SELECT n + 1 AS n FROM t')).toEqual({ n: 42 });
    const blob = await db.get<{ b: Buffer }>('SELECT ? AS b', [Buffer.from([1, 2, 3])]);
    expect(Array.from(blob?.b ?? [])).toEqual([1, 2, 3]);
    await db.close();
  });

  it('rolls a transaction back when its work throws', async () => {
    const db = await freshDb();
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (n) VALUES (1)');
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(await db.all('SELECT * FROM t')).toEqual([]);
    await db.close();
  });

  it('never interleaves two transactions started together', async () => {
    const db = await freshDb();
    const slow = db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (n) VALUES (1)');
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('first fails');
    });
    const fast = db.transaction((tx) => tx.run('INSERT INTO t (n) VALUES (2)'));
    await expect(slow).rejects.toThrow('first fails');
    await fast;
    // Had the second joined the first transaction, the rollback would have removed its row too.
    expect(await db.all('SELECT n FROM t')).toEqual([{ n: 2 }]);
    await db.close();
  });

  it('reports SQLite errors with their code name', async () => {
    const db = await freshDb();
    const error = await db.run('INSERT INTO t (n) VALUES (NULL)').catch((e: unknown) => e);
    expect(sqliteCode(error)).toBe('SQLITE_CONSTRAINT');
    await db.close();
  });
});
