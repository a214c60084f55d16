/**
 * Review items on the file's reliability: one writer however the file is named (symlink, hard
 * link), damaged blobs found and named, SQLite's read-only and disk-full errors as coded errors,
 * and read-only inspection in a folder the process truly cannot write.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProjectDatabase } from './database';
import { ProjectLock } from './lock';
import { createProject, openProject } from './open';
import { discoverImages } from './discover';
import { startCrashTestChild } from '../../../../test/support/project/crash-test-process';
import { SqliteDatabase } from './sqlite';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { randomMaskInput } from '../../../../test/support/project/project-contents';
import { writeDriveLikeDataset } from '../../../../test/support/project/test-fixtures';

const { newProject, newProjectFile, scratchFolder, open: projects } = useScratchProjects();

describe('one writer per real file', () => {
  it('refuses a second writer that comes through a symlink, leaving the holder’s run alone', async () => {
    const file = await newProjectFile();
    const holder = await openProject(file);
    projects.push(holder);
    const run = await holder.createRun({ kind: 'train', config: {} });
    await holder.startRun(run.id);
    const alias = path.join(path.dirname(file), 'alias.vessel');
    await fs.symlink(file, alias);
    await expect(openProject(alias)).rejects.toMatchObject({ code: 'PROJECT_LOCKED' });
    expect((await holder.getRun(run.id)).status).toBe('running');
  });

  it('refuses a project file with a second hard link, by either name, saying to copy instead', async () => {
    const file = await newProjectFile();
    const twin = path.join(path.dirname(file), 'twin.vessel');
    await fs.link(file, twin);
    for (const name of [file, twin]) {
      const error = await openProject(name).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PROJECT_HARD_LINKED', details: { links: 2 } });
      expect((error as Error).message).toMatch(/copy/);
    }
    await fs.rm(twin);
    const project = await openProject(file);
    projects.push(project);
    expect(project.readOnly).toBe(false);
  });
});

/** Overwrites the middle of `needle` (a blob's bytes) where it sits in the file. */
async function damageBytesInFile(file: string, needle: Uint8Array): Promise<void> {
  const bytes = await fs.readFile(file);
  const at = bytes.indexOf(Buffer.from(needle));
  expect(at, 'the blob is stored contiguously in the file').toBeGreaterThan(0);
  expect(bytes.indexOf(Buffer.from(needle), at + 1)).toBe(-1);
  for (let i = 0; i < 64; i++) bytes[at + 16 + i] ^= 0x5a;
  await fs.writeFile(file, bytes);
}

describe('damaged blobs', () => {
  it('passes integrity_check yet is found by verifyBlobs and named on read', async () => {
    const { file, project } = await newProject(2);
    const good = await project.saveMaskRevision('test/01_test', randomMaskInput(24, 20, 7));
    const bad = await project.saveMaskRevision('test/02_test', randomMaskInput(200, 180, 8));
    const { bytes } = await project.maskRevisionBytes(bad.id);
    await project.close();
    await damageBytesInFile(file, bytes);

    const reopened = await openProject(file, { readOnly: true });
    projects.push(reopened);
    expect(await reopened.integrityCheck()).toEqual(['ok']);
    expect(await reopened.verifyBlobs()).toEqual([
      expect.objectContaining({
        kind: 'mask-revision',
        imageKey: 'test/02_test',
        revisionId: bad.id,
      }),
    ]);
    const error = await reopened.loadMaskRevision(bad.id).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'PROJECT_REVISION_DAMAGED',
      details: { imageKey: 'test/02_test', revisionId: bad.id },
    });
    expect((error as Error).message).toContain('test/02_test');
    expect((await reopened.loadMaskRevision(good.id)).mask.data.length).toBe(24 * 20);
  });
});

describe('SQLite errors a person can act on', () => {
  it('turns SQLITE_FULL into PROJECT_DISK_FULL naming the file', async () => {
    const { dir } = await newProject(1);
    // A file of its own: SQLite's max_page_count makes it "full" exactly as a full disk does.
    const file = path.join(dir, 'full.db');
    const lock = await ProjectLock.acquire(file);
    const db = await SqliteDatabase.open(file, { create: true });
    const database = new ProjectDatabase(file, db, lock);
    await database.write((tx) => tx.exec('CREATE TABLE t (b BLOB)'));
    const pages = (await db.get<{ page_count: number }>('PRAGMA page_count'))?.page_count ?? 0;
    await db.exec(`PRAGMA max_page_count = ${pages}`);
    const error = await database
      .write((tx) => tx.run('INSERT INTO t (b) VALUES (?)', [Buffer.alloc(1 << 20)]))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROJECT_DISK_FULL' });
    expect((error as Error).message).toContain(file);
    await db.close();
    await lock?.release();
  });

  // Root ignores file permissions, so as root the CLI runs as user nobody (65534): then the
  // folder is truly unwritable for it, as on read-only media. Not root: it runs as this user.
  // Nobody must be able to read the checkout for that (not so in a clone under a private
  // folder, such as one made by mktemp -d): where it cannot, the test skips, saying so.
  const asRoot = process.getuid?.() === 0;
  const nobodyReadsCheckout =
    !asRoot ||
    spawnSync(
      process.execPath,
      [
        '-e',
        'require("fs").accessSync(process.argv[1], require("fs").constants.R_OK)',
        path.resolve('src/main/cli.ts'),
      ],
      { uid: 65534, gid: 65534 },
    ).status === 0;
  if (!nobodyReadsCheckout)
    console.warn(
      `skipped: the read-only folder test runs the CLI as user nobody, who cannot read ${process.cwd()}`,
    );
  it.skipIf(!nobodyReadsCheckout)(
    'inspects and exports a project in a folder it cannot write, and refuses to edit it with a coded error',
    async () => {
      const { dir, file, project } = await newProject(1);
      await project.saveMaskRevision('test/01_test', randomMaskInput(24, 20, 3));
      await project.close();
      const out = path.join(path.dirname(dir), `${path.basename(dir)}-out`);
      await fs.mkdir(out);
      await fs.chmod(out, 0o777);
      await fs.chmod(dir, 0o555);
      try {
        const asUser = asRoot ? { uid: 65534, gid: 65534 } : {};
        const cli = (...argv: string[]) => {
          const r = spawnSync(
            process.execPath,
            ['--import', 'tsx', 'src/main/cli.ts', 'project', ...argv, '--json'],
            { encoding: 'utf8', ...asUser },
          );
          if (r.stdout.trim() === '')
            throw new Error(`project ${argv[0]} printed nothing; stderr:\n${r.stderr}`);
          return { code: r.status, json: JSON.parse(r.stdout) as Record<string, unknown> };
        };
        const info = cli('info', file, '--check');
        expect(info).toMatchObject({
          code: 0,
          json: { images: 1, integrity: ['ok'], damaged: [] },
        });
        const exported = cli('export', file, path.join(out, 'x'));
        expect(exported).toMatchObject({ code: 0, json: { masks: [expect.any(String)] } });
        const edit = cli('relocate', file, dir);
        expect(edit.code).toBe(2);
        expect(edit.json).toMatchObject({
          ok: false,
          error: { code: 'PROJECT_FILE_READ_ONLY', message: expect.stringContaining(file) },
        });
      } finally {
        await fs.chmod(dir, 0o755);
        await fs.rm(out, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('a killed create', () => {
  const ROUNDS = 6;
  it(`leaves nothing under the project's name, and the create can simply be run again (${ROUNDS} kills)`, async () => {
    const dir = scratchFolder();
    const root = path.join(dir, 'DRIVE');
    await writeDriveLikeDataset(root, 40);
    const { images } = await discoverImages(root);
    const file = path.join(dir, 'p.vessel');
    let killedMidway = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const child = startCrashTestChild('create', file, root, true);
      await child.next('loaded');
      child.go();
      // Kill once the create has started writing (any file of the project's name but the lock
      // file appeared), plus a random 0-20 ms.
      for (;;) {
        const names = await fs.readdir(dir);
        if (names.some((n) => n.startsWith('p.vessel') && !n.endsWith('.lock'))) break;
        if (child.messages.some((m) => m.type === 'created' || m.type === 'error')) break;
        await new Promise((r) => setTimeout(r, 1));
      }
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 21)));
      await child.kill();
      const finished = child.messages.some((m) => m.type === 'created');
      if (!finished) {
        killedMidway++;
        // Either nothing is there, or (killed after the rename) a whole project.
        if (await fs.lstat(file).catch(() => null)) {
          const whole = await openProject(file, { readOnly: true });
          expect((await whole.listImages()).length).toBe(40);
          await whole.close();
        } else {
          const again = await createProject(file, { datasetRoot: root, images });
          expect((await again.listImages()).length).toBe(40);
          await again.close();
        }
      }
      const check = await openProject(file);
      expect(await check.integrityCheck()).toEqual(['ok']);
      expect((await check.listImages()).length).toBe(40);
      await check.close();
      // No temporary of a killed create is left behind once a create has finished.
      expect((await fs.readdir(dir)).filter((n) => n.includes('.creating'))).toEqual([]);
      for (const name of await fs.readdir(dir))
        if (name.startsWith('p.vessel') && !name.endsWith('.lock'))
          await fs.rm(path.join(dir, name));
    }
    expect(killedMidway, 'at least one kill landed inside a create').toBeGreaterThan(0);
  }, 120_000);
});
