import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { loadFov, loadLabel, loadRgb } from './decode';
import { DATASET_ERRORS } from './errors';
import { allEntries, openDataset } from './open';
import {
  SYNTH_HEIGHT,
  SYNTH_WIDTH,
  syntheticFundus,
  writeChase,
  writeDrive,
  writeGeneric,
  writeHrf,
  writeMask,
  writeStare,
  type SyntheticImage,
} from './synthetic-datasets';
import type { DatasetIndex } from './types';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vessel-dataset-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

let counter = 0;
const fresh = () => path.join(tmp, `case-${counter++}`);

function agreement(a: Uint8Array, b: Uint8Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Every entry decodes to the planted label; FOVs match (exactly, or closely when derived). */
async function expectPlanted(index: DatasetIndex, planted: Map<string, SyntheticImage>) {
  const entries = allEntries(index);
  expect(entries.map((e) => e.id).sort()).toEqual([...planted.keys()].sort());
  for (const entry of entries) {
    const truth = planted.get(entry.id)!;
    expect([entry.width, entry.height]).toEqual([SYNTH_WIDTH, SYNTH_HEIGHT]);
    const rgb = await loadRgb(entry);
    expect(rgb.data.length).toBe(SYNTH_WIDTH * SYNTH_HEIGHT * 3);
    expect(await loadLabel(entry, '1st')).toEqual(truth.label);
    const fov = await loadFov(entry);
    if (entry.fovDerived) expect(agreement(fov, truth.fov)).toBeGreaterThan(0.95);
    else expect(fov).toEqual(truth.fov);
  }
}

/** A fresh DRIVE set whose label of 21_training is 20x20, smaller than its image. */
async function driveWithSmallLabel(): Promise<{ root: string; label: string }> {
  const root = fresh();
  await writeDrive(root);
  const label = path.join(root, 'training', '1st_manual', '21_manual1.gif');
  const small = syntheticFundus(0, 20, 20);
  await writeMask(label, small, small.label, 'gif');
  return { root, label };
}

/** Cuts `file` to `keep(length)` of its bytes. */
async function truncate(file: string, keep: (length: number) => number): Promise<void> {
  const bytes = await readFile(file);
  await writeFile(file, bytes.subarray(0, keep(bytes.length)));
}

async function openError(root: string): Promise<AppError> {
  try {
    await openDataset(root);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`openDataset(${root}) did not fail`);
}

describe('layouts', () => {
  it('finds a DRIVE root with both splits, observers and masks', async () => {
    const root = fresh();
    const planted = await writeDrive(root);
    const index = await openDataset(root);
    expect(index.layout).toBe('drive');
    expect(index.problems).toEqual([]);
    expect(index.splits.training!.map((e) => e.id)).toEqual([
      'training/21_training',
      'training/22_training',
    ]);
    expect(index.splits.test!.map((e) => e.id)).toEqual(['test/01_test', 'test/02_test']);
    const test = index.splits.test![0]!;
    expect(Object.keys(test.labelPaths).sort()).toEqual(['1st', '2nd']);
    expect(test.labelPaths['2nd']).toBe(path.join(root, 'test', '2nd_manual', '01_manual2.gif'));
    expect(test.fovPath).toBe(path.join(root, 'test', 'mask', '01_test_mask.gif'));
    expect(index.splits.training![0]!.labelPaths['2nd']).toBeUndefined();
    await expectPlanted(index, planted);
  });

  it('opens a DRIVE training/ or test/ folder alone as that split', async () => {
    const root = fresh();
    await writeDrive(root);
    const training = await openDataset(path.join(root, 'training'));
    expect(training.layout).toBe('drive');
    expect(Object.keys(training.splits)).toEqual(['training']);
    const test = await openDataset(path.join(root, 'test'));
    expect(Object.keys(test.splits)).toEqual(['test']);
    expect(test.splits.test!.map((e) => e.id)).toEqual(['test/01_test', 'test/02_test']);
  });

  it.each([true, false])('finds STARE (gzipped: %s) and derives its FOV', async (gz) => {
    const root = fresh();
    const planted = await writeStare(root, gz);
    const index = await openDataset(root);
    expect(index.layout).toBe('stare');
    expect(index.problems).toEqual([]);
    const entry = index.splits.all![0]!;
    expect(entry.id).toBe('all/im0001');
    expect(entry.fovDerived).toBe(true);
    expect(entry.fovPath).toBeNull();
    expect(entry.labelPaths['1st']).toMatch(/labels-ah/);
    expect(entry.labelPaths['2nd']).toMatch(/labels-vk/);
    expect(await loadLabel(entry, '2nd')).toEqual(planted.get(entry.id)!.label);
    await expectPlanted(index, planted);
  });

  it('STARE with only labels-vk uses them as the first observer', async () => {
    const root = fresh();
    await writeStare(root, false);
    await rm(path.join(root, 'labels-ah'), { recursive: true });
    const index = await openDataset(root);
    expect(index.problems).toEqual([]);
    const entry = index.splits.all![0]!;
    expect(entry.labelPaths['1st']).toMatch(/labels-vk/);
    expect(entry.labelPaths['2nd']).toBeUndefined();
  });

  it('finds CHASE_DB1 with both observers and a derived FOV', async () => {
    const root = fresh();
    const planted = await writeChase(root);
    const index = await openDataset(root);
    expect(index.layout).toBe('chase');
    expect(index.splits.all!.map((e) => e.id)).toEqual(['all/Image_01L', 'all/Image_01R']);
    expect(index.splits.all!.every((e) => e.fovDerived && e.labelPaths['2nd'] !== undefined)).toBe(
      true,
    );
    // JPEG is lossy: labels are PNG and exact, the FOV is derived from the JPEG image.
    await expectPlanted(index, planted);
  });

  it('finds HRF with its masks (mixed-case extensions)', async () => {
    const root = fresh();
    const planted = await writeHrf(root);
    const index = await openDataset(root);
    expect(index.layout).toBe('hrf');
    expect(index.splits.all!.every((e) => !e.fovDerived)).toBe(true);
    await expectPlanted(index, planted);
  });

  it.each([true, false])(
    'finds the generic layout (masks: %s), PGM labels included',
    async (withMasks) => {
      const root = fresh();
      const planted = await writeGeneric(root, withMasks);
      const index = await openDataset(root);
      expect(index.layout).toBe('generic');
      expect(index.problems).toEqual([]);
      expect(index.splits.all!.every((e) => e.fovDerived === !withMasks)).toBe(true);
      await expectPlanted(index, planted);
    },
  );

  it('finds generic training/ and test/ folders as splits', async () => {
    const root = fresh();
    await writeGeneric(path.join(root, 'training'), true);
    await writeGeneric(path.join(root, 'test'), true);
    const index = await openDataset(root);
    expect(index.layout).toBe('generic');
    expect(index.splits.training!.map((e) => e.id)).toEqual(['training/eye-a', 'training/eye-b']);
    expect(index.splits.test!.length).toBe(2);
  });
});

describe('errors', () => {
  it('DATASET_FOLDER_MISSING names the folder', async () => {
    const root = path.join(tmp, 'does-not-exist');
    const error = await openError(root);
    expect(error.code).toBe(DATASET_ERRORS.FOLDER_MISSING);
    expect(error.message).toContain(root);
  });

  it('DATASET_FOLDER_UNREADABLE for a file given as the folder', async () => {
    const file = path.join(tmp, 'a-file.txt');
    await writeFile(file, 'not a folder');
    const error = await openError(file);
    expect(error.code).toBe(DATASET_ERRORS.FOLDER_UNREADABLE);
    expect(error.message).toContain(file);
  });

  it('DATASET_NO_LAYOUT lists what was looked for', async () => {
    const root = fresh();
    await mkdir(path.join(root, 'pictures'), { recursive: true });
    const error = await openError(root);
    expect(error.code).toBe(DATASET_ERRORS.NO_LAYOUT);
    expect(error.message).toContain(root);
    for (const name of ['DRIVE', 'STARE', 'CHASE_DB1', 'HRF', 'generic'])
      expect(error.message).toContain(name);
  });

  it('DATASET_NO_LAYOUT names the subfolders that hold a dataset', async () => {
    const parent = fresh();
    await writeStare(path.join(parent, 'STARE'), false);
    await writeDrive(path.join(parent, 'DRIVE'));
    const error = await openError(parent);
    expect(error.code).toBe(DATASET_ERRORS.NO_LAYOUT);
    expect(error.message).toContain(`${path.join(parent, 'STARE')} (stare)`);
    expect(error.message).toContain(`${path.join(parent, 'DRIVE')} (drive)`);
  });

  it('DATASET_LABEL_MISSING: the image is left out and named, the rest opens', async () => {
    const root = fresh();
    await writeDrive(root);
    await rm(path.join(root, 'training', '1st_manual', '22_manual1.gif'));
    const index = await openDataset(root);
    expect(index.splits.training!.map((e) => e.id)).toEqual(['training/21_training']);
    expect(index.problems).toHaveLength(1);
    const [problem] = index.problems;
    expect(problem!.code).toBe(DATASET_ERRORS.LABEL_MISSING);
    expect(problem!.file).toBe(path.join(root, 'training', 'images', '22_training.tif'));
    expect(problem!.message).toContain('22_training.tif');
    expect(problem!.message).toContain('22_manual1.gif');
  });

  it('DATASET_LABEL_MISSING for a missing second observer keeps the image', async () => {
    const root = fresh();
    await writeDrive(root);
    await rm(path.join(root, 'test', '2nd_manual', '02_manual2.gif'));
    const index = await openDataset(root);
    expect(index.splits.test!.map((e) => e.id)).toEqual(['test/01_test', 'test/02_test']);
    expect(index.splits.test![1]!.labelPaths['2nd']).toBeUndefined();
    expect(index.problems.map((p) => p.code)).toEqual([DATASET_ERRORS.LABEL_MISSING]);
    expect(index.problems[0]!.message).toContain('02_manual2.gif');
  });

  it('DATASET_MASK_MISSING: the FOV is derived and flagged', async () => {
    const root = fresh();
    await writeDrive(root);
    await rm(path.join(root, 'test', 'mask', '01_test_mask.gif'));
    const index = await openDataset(root);
    const entry = index.splits.test![0]!;
    expect(entry.fovDerived).toBe(true);
    expect(index.problems.map((p) => p.code)).toEqual([DATASET_ERRORS.MASK_MISSING]);
    expect(index.problems[0]!.file).toBe(entry.imagePath);
    expect(index.problems[0]!.message).toContain('01_test_mask.gif');
    expect(agreement(await loadFov(entry), syntheticFundus(10).fov)).toBeGreaterThan(0.95);
  });

  it('DATASET_FILE_CORRUPT for a truncated TIFF names it; the image is left out', async () => {
    const root = fresh();
    await writeDrive(root);
    const file = path.join(root, 'training', 'images', '21_training.tif');
    await truncate(file, (length) => Math.floor(length / 2));
    const index = await openDataset(root);
    expect(index.splits.training!.map((e) => e.id)).toEqual(['training/22_training']);
    expect(index.problems).toHaveLength(1);
    expect(index.problems[0]!.code).toBe(DATASET_ERRORS.FILE_CORRUPT);
    expect(index.problems[0]!.file).toBe(file);
    expect(index.problems[0]!.message).toContain(file);
    await expect(loadRgb({ imagePath: file })).rejects.toMatchObject({
      code: DATASET_ERRORS.FILE_CORRUPT,
    });
  });

  it("verify 'headers' finds the same entries and size problems without decoding pixels", async () => {
    const { root, label } = await driveWithSmallLabel();
    const full = await openDataset(root);
    const headers = await openDataset(root, { verify: 'headers' });
    expect(headers).toEqual(full);
    expect(headers.problems[0]!.code).toBe(DATASET_ERRORS.SIZE_MISMATCH);
    await writeFile(label, 'not an image at all');
    const broken = await openDataset(root, { verify: 'headers' });
    expect(broken.problems[0]).toMatchObject({ code: DATASET_ERRORS.FILE_CORRUPT, file: label });
  });

  it.each([
    {
      what: 'damaged gzip',
      compressed: true,
      file: ['stare-images', 'im0001.ppm.gz'],
      cut: 10,
      kept: 'all/im0002',
      message: (file: string): string | RegExp => file,
    },
    {
      what: 'truncated PPM',
      compressed: false,
      file: ['labels-ah', 'im0002.ah.ppm'],
      cut: 100,
      kept: 'all/im0001',
      message: (): string | RegExp => /truncated/,
    },
  ])(
    'DATASET_FILE_CORRUPT for a $what (STARE)',
    async ({ compressed, file, cut, kept, message }) => {
      const root = fresh();
      await writeStare(root, compressed);
      const damaged = path.join(root, ...file);
      await truncate(damaged, (length) => length - cut);
      const index = await openDataset(root);
      expect(index.splits.all!.map((e) => e.id)).toEqual([kept]);
      expect(index.problems[0]).toMatchObject({ code: DATASET_ERRORS.FILE_CORRUPT, file: damaged });
      expect(index.problems[0]!.message).toMatch(message(damaged));
    },
  );

  it('DATASET_FILE_CORRUPT for a corrupt mask falls back to a derived FOV', async () => {
    const root = fresh();
    await writeDrive(root);
    const mask = path.join(root, 'test', 'mask', '02_test_mask.gif');
    await writeFile(mask, 'GIF89a this is not a gif');
    const index = await openDataset(root);
    expect(index.splits.test![1]!.fovDerived).toBe(true);
    expect(index.problems).toEqual([
      expect.objectContaining({ code: DATASET_ERRORS.FILE_CORRUPT, file: mask }),
    ]);
  });

  it('DATASET_SIZE_MISMATCH names the label and both sizes', async () => {
    const { root, label } = await driveWithSmallLabel();
    const index = await openDataset(root);
    expect(index.splits.training!.map((e) => e.id)).toEqual(['training/22_training']);
    expect(index.problems[0]!.code).toBe(DATASET_ERRORS.SIZE_MISMATCH);
    expect(index.problems[0]!.file).toBe(label);
    expect(index.problems[0]!.message).toContain(label);
    expect(index.problems[0]!.message).toContain(`20x20`);
    expect(index.problems[0]!.message).toContain(`${SYNTH_WIDTH}x${SYNTH_HEIGHT}`);
  });

  it('DATASET_SPLIT_EMPTY names the split folder; the other split still opens', async () => {
    const root = fresh();
    await writeDrive(root);
    await rm(path.join(root, 'test', 'images'), { recursive: true });
    await mkdir(path.join(root, 'test', 'images'));
    const index = await openDataset(root);
    expect(index.splits.training!.length).toBe(2);
    expect(index.splits.test).toEqual([]);
    expect(index.problems).toEqual([
      expect.objectContaining({ code: DATASET_ERRORS.SPLIT_EMPTY, file: path.join(root, 'test') }),
    ]);
    expect(index.problems[0]!.message).toContain(path.join(root, 'test'));
  });

  it('DATASET_NO_USABLE_IMAGES when nothing at all can be used', async () => {
    const root = fresh();
    await writeGeneric(root, false);
    await rm(path.join(root, 'labels'), { recursive: true });
    await mkdir(path.join(root, 'labels'));
    const error = await openError(root);
    expect(error.code).toBe(DATASET_ERRORS.NO_USABLE_IMAGES);
    expect(error.message).toContain(root);
    expect(error.message).toContain('eye-a');
  });
});
