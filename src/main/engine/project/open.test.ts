import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBackups, restoreBackup } from './backups';
import { LATEST_SCHEMA_VERSION, migrations } from './migrations';
import { createProject, openProject } from './open';
import { sha, useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { migrate } from './schema';
import { SqliteDatabase } from './sqlite';
import { randomMaskInput } from '../../../../test/support/project/project-contents';

const { newProject, scratchFolder, open } = useScratchProjects();

describe('creating and opening', () => {
  it('uses WAL, foreign keys and the latest schema, and reopens with everything kept', async () => {
    const { file, project } = await newProject(1);
    await project.saveMaskRevision('test/01_test', randomMaskInput(24, 20, 1));
    await project.close();
    const db = await SqliteDatabase.open(file, { readOnly: true });
    expect(await db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await db.get('PRAGMA user_version')).toEqual({ user_version: LATEST_SCHEMA_VERSION });
    await db.close();
    const again = await openProject(file);
    open.push(again);
    expect((await again.info()).maskRevisions).toBe(1);
    await expect(again.saveMaskRevision('nope', randomMaskInput(2, 2, 1))).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_IMAGE',
    });
  });

  it('refuses to overwrite an existing file and to open a missing one', async () => {
    const { file, root } = await newProject(1);
    await expect(createProject(file, { datasetRoot: root })).rejects.toMatchObject({
      code: 'PROJECT_EXISTS',
    });
    await expect(openProject(`${file}.missing`)).rejects.toMatchObject({
      code: 'PROJECT_NOT_FOUND',
    });
  });

  it('marks runs a dead process left running as failed on the next open', async () => {
    const { file, project } = await newProject(1);
    const run = await project.createRun({ kind: 'train', config: { epochs: 3 } });
    await project.startRun(run.id);
    await project.close();
    const again = await openProject(file);
    open.push(again);
    expect(await again.getRun(run.id)).toMatchObject({
      status: 'failed',
      error: { code: 'PROJECT_RUN_INTERRUPTED' },
    });
  });
});

describe('files that must stay untouched or be recovered', () => {
  it('refuses a file written by a newer schema and leaves it byte-for-byte as it was', async () => {
    const { file, project } = await newProject(1);
    await project.close();
    const db = await SqliteDatabase.open(file);
    await db.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    await db.close();
    const before = sha(await fs.readFile(file));
    const sidecarsBefore = (await fs.readdir(path.dirname(file))).sort();
    await expect(openProject(file)).rejects.toMatchObject({
      code: 'PROJECT_TOO_NEW',
      message: expect.stringContaining('newer Vessel Studio'),
    });
    await expect(openProject(file, { readOnly: true })).rejects.toMatchObject({
      code: 'PROJECT_TOO_NEW',
    });
    expect(sha(await fs.readFile(file))).toBe(before);
    expect((await fs.readdir(path.dirname(file))).sort()).toEqual(sidecarsBefore);
  });

  it('reports a damaged file as PROJECT_CORRUPT, offers the last backup, and restores it', async () => {
    const { file, project } = await newProject(2);
    const rev = await project.saveMaskRevision('test/01_test', randomMaskInput(24, 20, 1));
    await project.close(); // writes the rolling backup (backupIntervalMs 0)
    const bytes = await fs.readFile(file);
    // Overwrite every page after the first (the header stays, the b-trees are garbage).
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 13) & 0xff;
    await fs.writeFile(file, bytes);
    const error = await openProject(file).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'PROJECT_CORRUPT',
      message: expect.stringContaining(`${file}.bak`),
    });
    const backups = (error as { details: { backups: { path: string }[] } }).details.backups;
    expect(backups[0].path).toBe(`${file}.bak`);
    const { movedAside } = await restoreBackup(file, backups[0].path);
    expect(movedAside && existsSync(movedAside)).toBe(true);
    const restored = await openProject(file);
    open.push(restored);
    expect(await restored.integrityCheck()).toEqual(['ok']);
    expect((await restored.listMaskRevisions()).map((r) => r.sha256)).toEqual([rev.sha256]);
  });

  it('says a file that is no SQLite database at all is damaged', async () => {
    const dir = scratchFolder();
    const file = path.join(dir, 'text.vessel');
    await fs.writeFile(
      file,
      'not a database, just some text that is long enough to have a header '.repeat(20),
    );
    await expect(openProject(file)).rejects.toMatchObject({ code: 'PROJECT_CORRUPT' });
  });

  it('says an SQLite file of another program is not a project', async () => {
    const dir = scratchFolder();
    const file = path.join(dir, 'other.db');
    const db = await SqliteDatabase.open(file, { create: true });
    await db.exec('CREATE TABLE t (x); PRAGMA user_version = 1;');
    await db.close();
    await expect(openProject(file)).rejects.toMatchObject({ code: 'PROJECT_NOT_A_PROJECT' });
  });

  it('upgrades an older file after writing a backup of it', async () => {
    const dir = scratchFolder();
    const file = path.join(dir, 'old.vessel');
    const db = await SqliteDatabase.open(file, { create: true });
    await migrate(db, async () => '', migrations.slice(0, 1));
    await db.exec(
      "INSERT INTO project_meta VALUES ('format', 'vessel-studio-project'), ('dataset_root', '/d')",
    );
    await db.close();
    await expect(openProject(file, { readOnly: true })).rejects.toMatchObject({
      code: 'PROJECT_NEEDS_UPGRADE',
    });
    const project = await openProject(file);
    open.push(project);
    expect((await project.info()).schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    const backups = await listBackups(file);
    expect(backups.map((b) => path.basename(b.path))).toEqual([
      expect.stringMatching(/^old\.vessel\.schema-v1-\d{8}T\d{6}Z\.bak$/),
    ]);
    const copy = await SqliteDatabase.open(backups[0].path, { readOnly: true });
    expect(await copy.get('PRAGMA user_version')).toEqual({ user_version: 1 });
    await copy.close();
  });
});

describe('upgrading a file with model weights', () => {
  it('rebuilds the blob tables and gives the freed space back', async () => {
    const dir = scratchFolder();
    const file = path.join(dir, 'v3.vessel');
    const db = await SqliteDatabase.open(file, { create: true });
    await db.exec('PRAGMA journal_mode = WAL');
    await migrate(db, async () => '', migrations.slice(0, 3));
    await db.exec(`
      INSERT INTO project_meta VALUES ('format', 'vessel-studio-project'), ('dataset_root', '/d');
      INSERT INTO model_versions VALUES (1, 'm', NULL, NULL, '{}', 'cpu', '[]', 'now');`);
    const weights = Buffer.alloc(2_000_000, 5);
    await db.run("INSERT INTO model_files VALUES (1, 'model.json', ?, 'x')", [Buffer.from('{}')]);
    await db.run("INSERT INTO model_files VALUES (1, 'weights.bin', ?, ?)", [
      weights,
      sha(weights),
    ]);
    await db.close();
    const before = (await fs.stat(file)).size;

    const project = await openProject(file);
    open.push(project);
    expect((await project.getModelVersion(1)).files).toEqual([
      { name: 'model.json', size: 2, sha256: 'x' },
      { name: 'weights.bin', size: weights.length, sha256: sha(weights) },
    ]);
    expect(sha((await project.readModelFiles(1))['weights.bin'])).toBe(sha(weights));
    await project.close();
    expect((await fs.stat(file)).size).toBeLessThan(before * 1.25);
  });
});
