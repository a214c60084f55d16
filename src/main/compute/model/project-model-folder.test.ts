/**
 * A real model folder through the project: saved by the model area, stored as a model version,
 * written back as a folder and loaded again with identical predictions.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelPreset, type ModelConfig } from '../../../shared/model-config';
import { buildModel, loadModelDir, saveModelDir } from './index';
import { createProject } from '../../engine/project/open';
import {
  temporaryFolder,
  writeDriveLikeDataset,
} from '../../../../test/support/project/test-fixtures';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = temporaryFolder();
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('model versions as tfjs model folders', () => {
  it('gives back a folder that loads into the same model', async () => {
    const config = { ...modelPreset('bench-unet'), baseWidth: 4, depth: 2 } as ModelConfig;
    const model = buildModel(config);
    await saveModelDir(path.join(dir, 'trained'), model, { config, name: 'tiny' });

    const root = path.join(dir, 'DRIVE');
    const project = await createProject(path.join(dir, 'p.vessel'), {
      datasetRoot: root,
      images: await writeDriveLikeDataset(root, 1),
    });
    const version = await project.addModelVersionFromDir(path.join(dir, 'trained'), {
      name: 'tiny',
      config,
      backend: tf.getBackend(),
    });
    expect(version.files.map((f) => f.name)).toEqual(['model.json', 'vessel.json', 'weights.bin']);
    await project.writeModelDir(version.id, path.join(dir, 'restored'));
    await project.close();

    const loaded = await loadModelDir(path.join(dir, 'restored'));
    const input = tf.randomUniform([1, 16, 16, 1], 0, 1, 'float32', 3);
    const before = (model.predict(input) as tf.Tensor).dataSync();
    const after = (loaded.model.predict(input) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    model.dispose();
    loaded.model.dispose();
  });
});
