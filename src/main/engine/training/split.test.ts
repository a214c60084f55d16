import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset, type DatasetIndex } from '../dataset';
import { writeTestDataset } from '../studio/test-dataset';
import { PROJECT_SPLIT_SEED, projectSplit } from './split';

describe('projectSplit', () => {
  let dir = '';
  let dataset: DatasetIndex;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-split-'));
    await writeTestDataset(dir, { width: 40, height: 32, perSplit: 3 });
    dataset = await openDataset(dir);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds validation out of the training images and never touches the test images', () => {
    const split = projectSplit(dataset);
    expect(split.seed).toBe(PROJECT_SPLIT_SEED);
    expect(split.validation).toHaveLength(1);
    expect(split.training).toHaveLength(2);
    expect([...split.training, ...split.validation].sort()).toEqual([
      'training/21_training',
      'training/22_training',
      'training/23_training',
    ]);
    expect(split.test).toEqual(['test/01_test', 'test/02_test', 'test/03_test']);
  });

  it('draws the same split every time', () => {
    expect(projectSplit(dataset)).toEqual(projectSplit(dataset));
  });
});
