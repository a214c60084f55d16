import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabel, openDataset, type ImageEntry } from '../dataset';
import type { MaskRevision } from '../project';
import { writeTestDataset } from '../studio/test-dataset';
import { dilateSquare, trainingMasks } from './training-masks';

describe('trainingMasks', () => {
  let dir = '';
  let entries: ImageEntry[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-masks-'));
    await writeTestDataset(dir, { width: 40, height: 32, perSplit: 2, splits: ['training'] });
    entries = (await openDataset(dir)).splits.training ?? [];
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces a corrected image’s label and weights only the pixels the correction changed', async () => {
    const corrected = entries.find((e) => e.id === 'training/21_training') as ImageEntry;
    const label = await loadLabel(corrected, '1st');
    const mask = Uint8Array.from(label);
    mask[0] = mask[0] === 0 ? 1 : 0;
    mask[5] = mask[5] === 0 ? 1 : 0;
    const revision = { id: 9, imageKey: corrected.id } as MaskRevision;
    const project = {
      latestMaskRevisions: async () => [revision],
      loadMaskRevision: async (id: number) => {
        expect(id).toBe(9);
        return { revision, mask: { width: 40, height: 32, data: mask } };
      },
    };

    const { overrides, trainedOn } = await trainingMasks(project, entries, 5);

    expect(trainedOn).toEqual([
      { imageKey: 'training/21_training', revisionId: 9 },
      { imageKey: 'training/22_training', revisionId: null },
    ]);
    expect(Object.keys(overrides)).toEqual(['training/21_training']);
    const override = overrides['training/21_training'];
    expect(override?.label).toBe(mask);
    const weighted = [...(override?.weight ?? [])].flatMap((w, i) => (w === 1 ? [] : [[i, w]]));
    expect(weighted).toEqual([
      [0, 5],
      [5, 5],
    ]);
  });

  it('keeps only the corrected images for a quick fine-tune, with patch centres around each correction', async () => {
    const [corrected, untouched] = entries as [ImageEntry, ImageEntry];
    const label = await loadLabel(corrected, '1st');
    const mask = Uint8Array.from(label);
    // One changed pixel at (10, 5) of the 40 x 32 image.
    mask[5 * 40 + 10] = mask[5 * 40 + 10] === 0 ? 1 : 0;
    // The other image has a revision that changes nothing (painted, then erased again).
    const unchanged = Uint8Array.from(await loadLabel(untouched, '1st'));
    const revisions = [
      { id: 1, imageKey: corrected.id },
      { id: 2, imageKey: untouched.id },
    ] as MaskRevision[];
    const project = {
      latestMaskRevisions: async () => revisions,
      loadMaskRevision: async (id: number) => ({
        revision: revisions[id - 1] as MaskRevision,
        mask: { width: 40, height: 32, data: id === 1 ? mask : unchanged },
      }),
    };

    const { overrides, trainedOn } = await trainingMasks(project, entries, 5, 3);

    expect(trainedOn).toEqual([{ imageKey: corrected.id, revisionId: 1 }]);
    expect(Object.keys(overrides)).toEqual([corrected.id]);
    const centres = overrides[corrected.id]?.centres as Uint8Array;
    const set = [...centres].flatMap((v, i) => (v ? [[i % 40, Math.floor(i / 40)]] : []));
    // The 7 x 7 square around (10, 5).
    expect(set).toHaveLength(49);
    expect(set.every(([x, y]) => Math.abs(x! - 10) <= 3 && Math.abs(y! - 5) <= 3)).toBe(true);
  });
});

describe('dilateSquare', () => {
  it('grows each set pixel into a square, clipped at the borders', () => {
    const set = new Uint8Array(6 * 5);
    set[0] = 1; // (0, 0)
    set[3 * 6 + 4] = 1; // (4, 3)
    const grown = dilateSquare(set, 6, 5, 1);
    const rows = [0, 1, 2, 3, 4].map((y) => [...grown.subarray(y * 6, y * 6 + 6)].join(''));
    expect(rows).toEqual(['110000', '110000', '000111', '000111', '000111']);
    expect([...dilateSquare(set, 6, 5, 0)]).toEqual([...set]);
    // A radius beyond the image covers it all.
    expect(dilateSquare(set, 6, 5, 10).every((v) => v === 1)).toBe(true);
  });
});
