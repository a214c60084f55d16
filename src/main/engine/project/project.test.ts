import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listBackups, restoreBackup } from './backups';
import { migrations } from './migrations';
import { createProject, openProject } from './open';
import type { Project } from './project';
import { migrate } from './schema';
import { SqliteDatabase } from './sqlite';
import {
  randomMask,
  seededPng,
  temporaryFolder,
  tinyModelFiles,
  writeDriveLikeDataset,
} from './test-fixtures';
import { encodePngMask } from './mask-codec';
import { LATEST_SCHEMA_VERSION } from './migrations';

const folders: string[] = [];
const open: Project[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close().catch(() => undefined);
  for (const dir of folders.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

async function newProject(
  count = 3,
): Promise<{ dir: string; file: string; root: string; project: Project }> {
  const dir = scratchFolder();
  const root = path.join(dir, 'DRIVE');
  const images = await writeDriveLikeDataset(root, count);
  const file = path.join(dir, 'study.vessel');
  const project = await createProject(file, { datasetRoot: root, images, backupIntervalMs: 0 });
  open.push(project);
  return { dir, file, root, project };
}

/** A temporary folder removed after the test. */
function scratchFolder(): string {
  const dir = temporaryFolder();
  folders.push(dir);
  return dir;
}

const sha = (bytes: Uint8Array | Buffer): string =>
  createHash('sha256').update(bytes).digest('hex');

describe('creating and opening', () => {
  it('stores the dataset root and each image file relative to it with size and SHA-256', async () => {
    const { root, project } = await newProject(2);
    expect(await project.datasetRoot()).toBe(root);
    const images = await project.listImages();
    expect(images.map((i) => i.key)).toEqual(['test/01_test', 'test/02_test']);
    const file = images[0].files.find((f) => f.role === 'image');
    const bytes = await fs.readFile(path.join(root, 'test', 'images', '01_test.png'));
    expect(file).toEqual({
      role: 'image',
      relPath: 'test/images/01_test.png',
      size: bytes.length,
      sha256: sha(bytes),
    });
    expect(await project.imageFilePath('test/01_test', 'label-1st')).toBe(
      path.join(root, 'test', '1st_manual', '01_manual1.png'),
    );
  });

  it('uses WAL, foreign keys and the latest schema, and reopens with everything kept', async () => {
    const { file, project } = await newProject(1);
    await project.saveMaskRevision('test/01_test', { kind: 'binary', ...randomMask(24, 20, 1) });
    await project.close();
    const db = await SqliteDatabase.open(file, { readOnly: true });
    expect(await db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await db.get('PRAGMA user_version')).toEqual({ user_version: LATEST_SCHEMA_VERSION });
    await db.close();
    const again = await openProject(file);
    open.push(again);
    expect((await again.info()).maskRevisions).toBe(1);
    await expect(
      again.saveMaskRevision('nope', { kind: 'binary', ...randomMask(2, 2, 1) }),
    ).rejects.toMatchObject({
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

  it('refuses image files outside the dataset root, leaving no half-made file', async () => {
    const dir = scratchFolder();
    const root = path.join(dir, 'data');
    await fs.mkdir(root);
    const outside = path.join(dir, 'elsewhere.png');
    await fs.writeFile(outside, await seededPng(4, 4, 1));
    const file = path.join(dir, 'p.vessel');
    await expect(
      createProject(file, {
        datasetRoot: root,
        images: [{ key: 'x', split: '', name: 'x', files: { image: outside } }],
      }),
    ).rejects.toMatchObject({ code: 'PROJECT_FILE_OUTSIDE_ROOT' });
    expect(existsSync(file)).toBe(false);
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

describe('mask revisions', () => {
  it('appends revisions with parent, note and time, and restores any earlier state', async () => {
    const { project } = await newProject(2);
    const a = randomMask(24, 20, 1);
    const b = randomMask(24, 20, 2);
    const r1 = await project.saveMaskRevision(
      'test/01_test',
      { kind: 'binary', ...a },
      { note: 'first pass' },
    );
    const r2 = await project.saveMaskRevision(
      'test/01_test',
      { kind: 'binary', ...b },
      { note: 'thin vessels' },
    );
    expect(r1).toMatchObject({
      parentId: null,
      note: 'first pass',
      encoding: 'rle-deflate',
      width: 24,
      height: 20,
    });
    expect(r2.parentId).toBe(r1.id);
    expect(Date.parse(r2.createdAt)).toBeGreaterThanOrEqual(Date.parse(r1.createdAt));

    const restored = await project.restoreMaskRevision(r1.id);
    expect(restored).toMatchObject({
      parentId: r1.id,
      note: `restored revision ${r1.id}`,
      sha256: r1.sha256,
    });
    expect(Array.from((await project.loadMaskRevision(restored.id)).mask.data)).toEqual(
      Array.from(a.data),
    );
    // History is intact: the state restored over is still there.
    expect(Array.from((await project.loadMaskRevision(r2.id)).mask.data)).toEqual(
      Array.from(b.data),
    );
    expect((await project.listMaskRevisions('test/01_test')).map((r) => r.id)).toEqual([
      r1.id,
      r2.id,
      restored.id,
    ]);
    expect((await project.latestMaskRevisions()).map((r) => r.id)).toEqual([restored.id]);
    expect(await project.currentTrainingMasks(['test/01_test', 'test/02_test'])).toEqual([
      { imageKey: 'test/01_test', revisionId: restored.id },
      { imageKey: 'test/02_test', revisionId: null },
    ]);
  });

  it('keeps PNG corrections as given and decodes them to 0/1', async () => {
    const { project } = await newProject(1);
    const mask = randomMask(24, 20, 5);
    const png = await encodePngMask(mask);
    const saved = await project.saveMaskRevision('test/01_test', { kind: 'png', bytes: png });
    expect(saved).toMatchObject({ encoding: 'png', width: 24, height: 20, sha256: sha(png) });
    expect(Buffer.from(await project.maskRevisionPng(saved.id)).equals(Buffer.from(png))).toBe(
      true,
    );
    expect(Array.from((await project.loadMaskRevision(saved.id)).mask.data)).toEqual(
      Array.from(mask.data),
    );
  });

  it('accepts an explicit parent only from the same image', async () => {
    const { project } = await newProject(2);
    const r1 = await project.saveMaskRevision('test/01_test', {
      kind: 'binary',
      ...randomMask(24, 20, 1),
    });
    await expect(
      project.saveMaskRevision(
        'test/02_test',
        { kind: 'binary', ...randomMask(24, 20, 1) },
        { parentId: r1.id },
      ),
    ).rejects.toMatchObject({ code: 'PROJECT_UNKNOWN_REVISION' });
    const branch = await project.saveMaskRevision(
      'test/01_test',
      { kind: 'binary', ...randomMask(24, 20, 3) },
      { parentId: r1.id },
    );
    expect(branch.parentId).toBe(r1.id);
  });
});

describe('runs, model versions and evaluations', () => {
  it('moves runs only along queued -> running -> finished/cancelled/failed', async () => {
    const { project } = await newProject(1);
    const run = await project.createRun({ kind: 'train', config: { lr: 0.001 } });
    expect(run).toMatchObject({ status: 'queued', config: { lr: 0.001 }, startedAt: null });
    await expect(project.finishRun(run.id)).rejects.toMatchObject({
      code: 'PROJECT_BAD_RUN_STATE',
    });
    expect((await project.startRun(run.id)).startedAt).not.toBeNull();
    const done = await project.finishRun(run.id);
    expect(done.status).toBe('finished');
    await expect(project.cancelRun(run.id)).rejects.toMatchObject({
      code: 'PROJECT_BAD_RUN_STATE',
    });
    const other = await project.createRun({ kind: 'eval', config: {} });
    expect(
      await project.failRun(other.id, { code: 'MODEL_NAN', message: 'loss became NaN' }),
    ).toMatchObject({
      status: 'failed',
      error: { code: 'MODEL_NAN', message: 'loss became NaN' },
    });
    expect((await project.listRuns()).map((r) => r.id)).toEqual([other.id, run.id]);
  });

  it('stores a model version with its files, parent, backend, epoch log and training masks', async () => {
    const { project, dir } = await newProject(2);
    const rev = await project.saveMaskRevision('test/01_test', {
      kind: 'binary',
      ...randomMask(24, 20, 1),
    });
    const run = await project.createRun({ kind: 'train', config: {} });
    const weights = new Uint8Array(4096).map((_, i) => i * 7);
    const v1 = await project.addModelVersion({
      name: 'baseline',
      config: { arch: 'unet', depth: 2 },
      files: tinyModelFiles(weights),
      backend: 'wasm',
      runId: run.id,
      epochLog: [{ epoch: 1, loss: 0.5, valAuc: 0.9 }],
      trainedOn: [
        { imageKey: 'test/01_test', revisionId: rev.id },
        { imageKey: 'test/02_test', revisionId: null },
      ],
    });
    const v2 = await project.addModelVersion({
      name: 'tuned',
      config: {},
      files: tinyModelFiles(weights),
      backend: 'cpu',
      parentId: v1.id,
    });
    expect(v1).toMatchObject({
      name: 'baseline',
      runId: run.id,
      backend: 'wasm',
      epochLog: [{ epoch: 1, loss: 0.5, valAuc: 0.9 }],
    });
    expect(v1.trainedOn).toEqual([
      { imageKey: 'test/01_test', revisionId: rev.id },
      { imageKey: 'test/02_test', revisionId: null },
    ]);
    expect(v2.parentId).toBe(v1.id);
    const files = await project.readModelFiles(v1.id);
    expect(sha(files['weights.bin'])).toBe(sha(weights));
    const out = path.join(dir, 'model-out');
    expect(await project.writeModelDir(v1.id, out)).toEqual(['model.json', 'weights.bin']);
    expect(sha(await fs.readFile(path.join(out, 'weights.bin')))).toBe(sha(weights));
  });

  it('renames and deletes versions, keeping the record for lineage and evaluations', async () => {
    const { project } = await newProject(1);
    const files = tinyModelFiles(new Uint8Array(64).fill(1));
    const parent = await project.addModelVersion({ name: 'v1', config: {}, files, backend: 'cpu' });
    const child = await project.addModelVersion({
      name: 'v2',
      config: {},
      files,
      backend: 'cpu',
      parentId: parent.id,
    });
    await project.addEvaluation({ modelVersionId: parent.id, protocol: {}, pooled: { auc: 0.9 } });
    await project.putPrediction(parent.id, 'test/01_test', {
      width: 1,
      height: 1,
      probabilities: new Float32Array([0.5]),
    });
    expect((await project.renameModelVersion(parent.id, '  baseline ')).name).toBe('baseline');
    await expect(project.renameModelVersion(parent.id, ' ')).rejects.toMatchObject({
      code: 'PROJECT_BAD_INPUT',
    });

    const deleted = await project.deleteModelVersion(parent.id);
    expect(deleted.deletedAt).not.toBeNull();
    expect(deleted.files).toEqual([]);
    expect((await project.listModelVersions()).map((v) => v.id)).toEqual([child.id]);
    expect((await project.listModelVersions({ includeDeleted: true })).map((v) => v.id)).toEqual([
      parent.id,
      child.id,
    ]);
    expect((await project.getModelVersion(child.id)).parentId).toBe(parent.id);
    expect((await project.listEvaluations(parent.id)).length).toBe(1);
    expect(await project.getPrediction(parent.id, 'test/01_test')).toBeUndefined();
    await expect(project.readModelFiles(parent.id)).rejects.toMatchObject({
      code: 'PROJECT_MODEL_DELETED',
    });
    await expect(project.deleteModelVersion(999)).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_MODEL',
    });
  });

  it('refuses a model folder that could not be loaded again', async () => {
    const { project } = await newProject(1);
    const files = tinyModelFiles(new Uint8Array(8));
    delete (files as Record<string, Uint8Array>)['weights.bin'];
    await expect(
      project.addModelVersion({ name: 'x', config: {}, files, backend: 'cpu' }),
    ).rejects.toMatchObject({
      code: 'PROJECT_BAD_MODEL',
      message: expect.stringContaining('weights.bin'),
    });
    await expect(
      project.addModelVersion({
        name: 'x',
        config: {},
        files: tinyModelFiles(new Uint8Array(8)),
        backend: 'cpu',
        trainedOn: [{ imageKey: 'test/01_test', revisionId: 99 }],
      }),
    ).rejects.toMatchObject({ code: 'PROJECT_UNKNOWN_REVISION' });
    expect(await project.listModelVersions()).toEqual([]);
  });

  it('stores evaluations with pooled and per-image metrics and Float32 ROC/PR points', async () => {
    const { project } = await newProject(1);
    const model = await project.addModelVersion({
      name: 'm',
      config: {},
      files: tinyModelFiles(new Uint8Array(8)),
      backend: 'cpu',
    });
    const evaluation = await project.addEvaluation({
      name: 'DRIVE test',
      modelVersionId: model.id,
      protocol: { split: 'test', reference: '1st', fov: true, threshold: 0.5 },
      pooled: { auc: 0.9793, f1: 0.8201 },
      perImage: [{ imageKey: 'test/01_test', metrics: { auc: 0.98 } }],
      roc: { fpr: [0, 0.1, 1], tpr: [0, 0.8, 1], thresholds: [1, 0.5, 0] },
      pr: { recall: [0, 1], precision: [1, 0.1] },
    });
    expect(evaluation.pooled).toEqual({ auc: 0.9793, f1: 0.8201 });
    expect(Array.from(evaluation.roc?.tpr ?? [])).toEqual([0, Math.fround(0.8), 1]);
    expect(evaluation.pr?.thresholds).toBeNull();
    expect(evaluation.perImage).toEqual([{ imageKey: 'test/01_test', metrics: { auc: 0.98 } }]);
    expect((await project.listEvaluations(model.id)).map((e) => e.id)).toEqual([evaluation.id]);
    await expect(
      project.addEvaluation({
        modelVersionId: null,
        protocol: {},
        pooled: {},
        roc: { fpr: [0, 1], tpr: [0] },
      }),
    ).rejects.toMatchObject({ code: 'PROJECT_BAD_INPUT' });
  });
});

describe('view settings and prediction cache', () => {
  it('saves only the listed settings, validated, with defaults for the rest', async () => {
    const { project, file } = await newProject(1);
    expect((await project.getViewSettings()).brushSize).toBe(5);
    await project.updateViewSettings({
      brushSize: 9,
      selectedImage: 'test/01_test',
      pan: { x: 3, y: -2 },
    });
    await expect(project.updateViewSettings({ brushSize: 0 })).rejects.toMatchObject({
      code: 'PROJECT_BAD_INPUT',
    });
    await expect(project.updateViewSettings({ colour: 'red' } as never)).rejects.toMatchObject({
      code: 'PROJECT_BAD_INPUT',
    });
    await project.close();
    const again = await openProject(file);
    open.push(again);
    expect(await again.getViewSettings()).toMatchObject({
      brushSize: 9,
      selectedImage: 'test/01_test',
      pan: { x: 3, y: -2 },
      zoom: 1,
    });
  });

  it('caches probabilities per model version, image and options, losslessly', async () => {
    const { project } = await newProject(1);
    const model = await project.addModelVersion({
      name: 'm',
      config: {},
      files: tinyModelFiles(new Uint8Array(8)),
      backend: 'cpu',
    });
    const probabilities = Float32Array.from({ length: 24 * 20 }, (_, i) => Math.sin(i) * 0.5 + 0.5);
    expect(await project.getPrediction(model.id, 'test/01_test')).toBeUndefined();
    await project.putPrediction(model.id, 'test/01_test', { width: 24, height: 20, probabilities });
    const cached = await project.getPrediction(model.id, 'test/01_test');
    expect(cached?.probabilities).toEqual(probabilities);
    expect(await project.getPrediction(model.id, 'test/01_test', 'flip')).toBeUndefined();
    expect(await project.clearPredictions(model.id)).toBe(1);
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
    const rev = await project.saveMaskRevision('test/01_test', {
      kind: 'binary',
      ...randomMask(24, 20, 1),
    });
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

describe('relocating a moved dataset', () => {
  it('finds every file again by hash under a renamed, restructured folder', async () => {
    const { dir, root, project } = await newProject(3);
    const moved = path.join(dir, 'archive', 'DRIVE-copy');
    await fs.mkdir(path.dirname(moved), { recursive: true });
    await fs.rename(root, moved);
    // One image also changes folder inside the dataset.
    await fs.mkdir(path.join(moved, 'extra'));
    await fs.rename(
      path.join(moved, 'test', 'images', '02_test.png'),
      path.join(moved, 'extra', 'renamed.png'),
    );
    expect((await project.missingImageFiles()).length).toBe(9);
    const report = await project.relocate(path.join(dir, 'archive'));
    expect(report).toMatchObject({ found: 9, missing: [] });
    expect(await project.missingImageFiles()).toEqual([]);
    expect(await project.imageFilePath('test/02_test')).toBe(
      path.join(moved, 'extra', 'renamed.png'),
    );
    // FOV masks are identical across images: each still maps to its own image's file.
    expect(await project.imageFilePath('test/03_test', 'fov')).toBe(
      path.join(moved, 'test', 'mask', '03_test_mask.png'),
    );
  });

  it('keeps images that shared one file sharing it after the move', async () => {
    const dir = scratchFolder();
    const root = path.join(dir, 'data');
    await fs.mkdir(root);
    const shared = path.join(root, 'fov.png');
    await fs.writeFile(shared, await seededPng(4, 4, 7));
    const images = [1, 2].map((n) => ({
      key: `img${n}`,
      split: '',
      name: `img${n}`,
      files: { image: path.join(root, `img${n}.png`), fov: shared },
    }));
    for (const [n, image] of images.entries())
      await fs.writeFile(image.files.image, await seededPng(4, 4, n));
    const project = await createProject(path.join(dir, 'p.vessel'), { datasetRoot: root, images });
    open.push(project);
    await fs.rename(root, path.join(dir, 'moved'));
    expect(await project.relocate(path.join(dir, 'moved'))).toMatchObject({
      found: 4,
      missing: [],
    });
    expect(await project.imageFilePath('img2', 'fov')).toBe(path.join(dir, 'moved', 'fov.png'));
  });

  it('reports files it cannot find and changes nothing when none is found', async () => {
    const { dir, root, project } = await newProject(1);
    const empty = path.join(dir, 'empty');
    await fs.mkdir(empty);
    expect(await project.relocate(empty)).toMatchObject({
      found: 0,
      missing: expect.arrayContaining([expect.objectContaining({ role: 'image' })]),
    });
    expect(await project.datasetRoot()).toBe(root);
  });
});
