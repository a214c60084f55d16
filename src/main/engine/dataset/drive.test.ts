/**
 * On the real DRIVE set beside the checkout (../shared/datasets/DRIVE): skipped, with the reason
 * printed, where it is absent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AUGMENT_ALL } from './augment';
import { binarise, decodeFile, loadFov, loadLabel, loadRgb } from './decode';
import { deriveFov } from './fov';
import { openDataset } from './open';
import { PREPROCESS_RECIPES } from './preprocess';
import { PatchSampler } from './sampler';
import { summariseDataset } from './summary';
import { loadTrainingImages } from './training-images';
import type { DatasetIndex } from './types';
import { driveRoot, drivePresent } from '../../../../test/support/drive';

const DRIVE = driveRoot();
const present = drivePresent('the real DRIVE set tests', 'test/mask');
if (!present)
  console.log(`DRIVE tests skipped: ${DRIVE} is absent (see ../shared/datasets/README.md).`);

describe.skipIf(!present)('the real DRIVE set', () => {
  let index: DatasetIndex;
  beforeAll(async () => {
    index = await openDataset(DRIVE);
  });

  it('opens 20 training and 20 test images of 565x584 with no problem', () => {
    expect(index.layout).toBe('drive');
    expect(index.problems).toEqual([]);
    expect(index.splits.training).toHaveLength(20);
    expect(index.splits.test).toHaveLength(20);
    for (const entry of [...index.splits.training!, ...index.splits.test!]) {
      expect([entry.width, entry.height]).toEqual([565, 584]);
      expect(entry.fovDerived).toBe(false);
    }
    expect(index.splits.test!.every((e) => e.labelPaths['2nd'] !== undefined)).toBe(true);
    expect(index.splits.training!.every((e) => e.labelPaths['2nd'] === undefined)).toBe(true);
    expect(index.splits.test![0]!.id).toBe('test/01_test');
  });

  it('the test masks hold 4,538,143 FOV pixels in all; labels are binary', async () => {
    const summary = await summariseDataset(index);
    const test = summary.splits.find((s) => s.split === 'test')!;
    expect(test.fovPixels).toBe(4_538_143);
    expect(test.sizes).toEqual(['565x584']);
    expect(test.labelSets).toEqual([
      { observer: '1st', images: 20 },
      { observer: '2nd', images: 20 },
    ]);
    // Both observers mark roughly 12% of the FOV as vessel (a palette white of 252 would give 0 if tested == 255).
    for (const observer of ['1st', '2nd'] as const) {
      const share = test.vesselPixelsInFov[observer]! / test.fovPixels;
      expect(share).toBeGreaterThan(0.1);
      expect(share).toBeLessThan(0.16);
    }
  });

  it('a FOV derived from the image agrees with the official mask on over 99% of pixels', async () => {
    for (const entry of index.splits.test!.slice(0, 3)) {
      const derived = deriveFov(await loadRgb(entry));
      const official = binarise(await decodeFile(entry.fovPath!));
      let same = 0;
      for (let i = 0; i < derived.length; i++) if (derived[i] === official[i]) same++;
      expect(same / derived.length).toBeGreaterThan(0.99);
    }
  });

  it('feeds the sampler: LadderNet preprocessing and augmented 48x48 patches', async () => {
    const entries = index.splits.training!.slice(0, 2);
    const images = await loadTrainingImages(entries, PREPROCESS_RECIPES.laddernet);
    expect(images[0]!.label).toEqual(await loadLabel(entries[0]!, '1st'));
    expect(images[0]!.fov).toEqual(await loadFov(entries[0]!));
    const batch = new PatchSampler(images, {
      mode: 'patch',
      patchSize: 48,
      batchSize: 16,
      centres: 'fov',
      vesselFraction: 0.5,
      augment: AUGMENT_ALL,
      seed: 3,
    }).batch(0);
    expect(batch.shape).toEqual([16, 48, 48, 1]);
    expect(batch.y.some((v) => v === 1)).toBe(true);
    expect(batch.x.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
  });
});
