import { mkdtemp, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { openDataset } from '../dataset';
import { writeDrive, writeGeneric } from '../dataset/synthetic-datasets';
import { badFilesIn, leftOutImages, refuseBadFiles } from './bad-files';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vessel-bad-files-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('badFilesIn', () => {
  it('keeps the problems of the splits read, counting the images found and left out', async () => {
    const root = path.join(tmp, 'DRIVE');
    await writeDrive(root, { training: 3, test: 2 });
    const corruptLabel = path.join(root, 'training', '1st_manual', '21_manual1.gif');
    await truncate(corruptLabel, 10);
    await unlink(path.join(root, 'training', '1st_manual', '22_manual1.gif'));
    const unlabelled = path.join(root, 'training', 'images', '22_training.tif');
    // A missing FOV mask leaves the image in, on a derived FOV: a problem, no image left out.
    const maskless = path.join(root, 'test', 'images', '01_test.tif');
    await unlink(path.join(root, 'test', 'mask', '01_test_mask.gif'));
    const index = await openDataset(root);

    const training = await badFilesIn(index, ['training']);
    expect(training.problems.map((p) => p.file).sort()).toEqual([corruptLabel, unlabelled].sort());
    expect(training.images).toEqual({
      training: {
        found: 3,
        leftOut: [path.join(root, 'training', 'images', '21_training.tif'), unlabelled],
      },
    });

    const test = await badFilesIn(index, ['test']);
    expect(test.problems.map((p) => p.file)).toEqual([maskless]);
    expect(test.images).toEqual({ test: { found: 2, leftOut: [] } });
    expect(() => refuseBadFiles(root, test, 'X_BAD', 'evaluate')).toThrow(AppError);
    expect(leftOutImages(await badFilesIn(index, ['test', 'training']))).toHaveLength(2);
  });

  it('counts every problem of a layout without splits, and refuses nothing when all is well', async () => {
    const root = path.join(tmp, 'generic');
    await writeGeneric(root, true);
    const clean = await badFilesIn(await openDataset(root), ['all']);
    expect(clean.problems).toEqual([]);
    expect(() => refuseBadFiles(root, clean, 'X_BAD', 'train')).not.toThrow();

    const empty = path.join(root, 'images', 'eye-a.png');
    await writeFile(empty, new Uint8Array(0));
    const bad = await badFilesIn(await openDataset(root), ['all']);
    expect(bad.images).toEqual({ all: { found: 2, leftOut: [empty] } });
    let error: unknown;
    try {
      refuseBadFiles(root, bad, 'X_BAD', 'train');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('X_BAD');
    expect((error as AppError).message).toContain(empty);
    expect((error as AppError).message).toMatch(/--skip-bad to train without them/);
  });
});
