import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabel, openDataset, type ImageEntry } from '../dataset';
import type { MaskRevision } from '../project';
import { writeTestDataset } from '../studio/test-dataset';
import { trainingMasks } from './training-masks';

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
});
