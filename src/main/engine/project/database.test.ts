import { existsSync, promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProjectDatabase } from './database';
import { ProjectLock } from './lock';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { SqliteDatabase } from './sqlite';

const { newProjectFile } = useScratchProjects();

/** A closed scratch project's file, without the backup its creation wrote. */
async function projectFile(): Promise<string> {
  const file = await newProjectFile();
  await fs.rm(`${file}.bak`, { force: true });
  return file;
}

/** The file opened for writing as openProject would, less the migrations and owner record. */
async function writer(file: string, backupIntervalMs?: number): Promise<ProjectDatabase> {
  const lock = await ProjectLock.acquire(file);
  if (!lock) throw new Error(`${file} is locked`);
  return new ProjectDatabase(file, await SqliteDatabase.open(file), lock, backupIntervalMs);
}

const setNote = (value: string) => (db: SqliteDatabase) =>
  db.run("INSERT OR REPLACE INTO project_meta (key, value) VALUES ('note', ?)", [value]);
const readNote = async (db: SqliteDatabase): Promise<string | undefined> =>
  (await db.get<{ value: string }>("SELECT value FROM project_meta WHERE key = 'note'"))?.value;

describe('ProjectDatabase', () => {
  it('rolls a write back whole when its work throws', async () => {
    const database = await writer(await projectFile());
    try {
      await expect(
        database.write(async (db) => {
          await setNote('half')(db);
          throw new Error('midway');
        }),
      ).rejects.toThrow('midway');
      expect(await database.read(readNote)).toBeUndefined();
      await database.write(setNote('whole'));
      expect(await database.read(readNote)).toBe('whole');
    } finally {
      await database.close();
    }
  });

  it('refuses writes when read-only, and reads and writes once closed', async () => {
    const file = await projectFile();
    const reader = new ProjectDatabase(
      file,
      await SqliteDatabase.open(file, { readOnly: true }),
      null,
    );
    expect(reader.readOnly).toBe(true);
    await expect(reader.write(setNote('x'))).rejects.toMatchObject({ code: 'PROJECT_READ_ONLY' });
    await reader.close();
    expect(reader.isClosed).toBe(true);
    await expect(reader.read(readNote)).rejects.toMatchObject({ code: 'PROJECT_CLOSED' });
    const database = await writer(file);
    expect(database.readOnly).toBe(false);
    await database.close();
    await database.close();
    await expect(database.write(setNote('x'))).rejects.toMatchObject({ code: 'PROJECT_CLOSED' });
  });

  it('writes the rolling backup on a close that follows a write, unless a recent one exists', async () => {
    const file = await projectFile();
    const backup = `${file}.bak`;
    const idle = await writer(file, 0);
    await idle.read(readNote);
    await idle.close();
    expect(existsSync(backup)).toBe(false);

    const busy = await writer(file, 0);
    await busy.write(setNote('first'));
    await busy.close();
    expect(existsSync(backup)).toBe(true);

    const soon = await writer(file, 60_000);
    await soon.write(setNote('second'));
    await soon.close();
    const copy = await SqliteDatabase.open(backup, { readOnly: true });
    expect(await readNote(copy)).toBe('first');
    await copy.close();
  });

  it('writes a copy on demand and checks the file', async () => {
    const file = await projectFile();
    const database = await writer(file);
    try {
      await database.write(setNote('kept'));
      expect(await database.backup()).toBe(`${file}.bak`);
      expect(await database.integrityCheck()).toEqual(['ok']);
      const copy = await SqliteDatabase.open(`${file}.bak`, { readOnly: true });
      expect(await readNote(copy)).toBe('kept');
      await copy.close();
    } finally {
      await database.close();
    }
  });
});
