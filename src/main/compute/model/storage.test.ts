import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { modelPreset, type ModelConfig, type UnetConfig } from '../../../shared/model-config';
import { buildModel } from './build';
import { smallestValidOutput, unetValidLayout, type UnetValidLayout } from './unet';
import { MODEL_FILES, readModelMeta, updateModelMeta } from '../../engine/model/files';
import { loadModelDir, saveModelDir } from './storage';

let root: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'vessel-model-'));
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const residualValid: ModelConfig = {
  ...modelPreset('unet-shared-residual'),
  arch: 'unet',
  depth: 2,
  baseWidth: 4,
  padding: 'valid',
  upsampling: 'transpose',
  batchNorm: true,
  preprocessing: { luminance: true, clahe: { clip: 2, tiles: 8 } },
} as ModelConfig;

/** A whole input size for the valid U-Net (its output must come from whole maps). */
const residualValidInput = (
  unetValidLayout(
    residualValid as UnetConfig,
    smallestValidOutput(residualValid as UnetConfig, 20),
  ) as UnetValidLayout
).inputSize;

const smallLadder: ModelConfig = {
  ...modelPreset('laddernet'),
  layers: 2,
  filters: 3,
} as ModelConfig;

async function expectCode(
  promise: Promise<unknown>,
  code: string,
  mentions: string,
): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  expect((error as AppError).message).toContain(mentions);
}

describe('model folders', () => {
  it.each([
    [
      'a valid-padding U-Net with shared residual blocks and batch norm',
      residualValid,
      residualValidInput,
    ],
    ['LadderNet', smallLadder, 16],
  ])('round-trips %s with identical predictions and description', async (_label, config, size) => {
    const model = buildModel(config);
    const dir = path.join(root, `round-trip-${config.arch}`);
    const input = tf.randomUniform([2, size, size, 1], 0, 1, 'float32', 11);
    const saved = await saveModelDir(dir, model, {
      config,
      name: 'test model',
      trainingLog: [{ epoch: 1, loss: 0.5 }],
      figures: { auc: 0.9 },
    });
    expect((await fs.readdir(dir)).sort()).toEqual(
      [MODEL_FILES.topology, MODEL_FILES.meta, MODEL_FILES.weights].sort(),
    );

    const loaded = await loadModelDir(dir);
    expect(loaded.meta).toEqual(saved);
    expect(loaded.config).toEqual(config);
    expect(loaded.meta.parameterCount).toBe(model.countParams());
    const before = (model.predict(input) as tf.Tensor).dataSync();
    const after = (loaded.model.predict(input) as tf.Tensor).dataSync();
    expect(after.length).toBe(before.length);
    expect(Array.from(after)).toEqual(Array.from(before));
    // The shared convolution is still one layer used twice after loading.
    const shared = loaded.model.layers.filter(
      (l) => l.getClassName() === 'Conv2D' && l.inboundNodes.length === 2,
    );
    expect(shared.length).toBeGreaterThan(0);
    model.dispose();
    loaded.model.dispose();
  });

  it('replaces a previous model in place and updates the description', async () => {
    const dir = path.join(root, 'replace');
    const first = buildModel(smallLadder);
    await saveModelDir(dir, first, { config: smallLadder, name: 'first' });
    const second = buildModel(smallLadder);
    await saveModelDir(dir, second, { config: smallLadder, name: 'second' });
    const loaded = await loadModelDir(dir);
    expect(loaded.meta.name).toBe('second');
    const x = tf.ones([1, 8, 8, 1]);
    expect(Array.from((loaded.model.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((second.predict(x) as tf.Tensor).dataSync()),
    );
    const updated = await updateModelMeta(dir, { figures: { auc: 0.98, f1: 0.82 } });
    expect((await readModelMeta(dir)).figures).toEqual({ auc: 0.98, f1: 0.82 });
    expect(updated.name).toBe('second');
    expect((await fs.readdir(root)).filter((name) => name.startsWith('replace.'))).toEqual([]);
    first.dispose();
    second.dispose();
    loaded.model.dispose();
  });

  it('refuses to save over a folder that holds other files, and leaves them untouched', async () => {
    const dir = path.join(root, 'not-a-model');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'notes.txt'), 'keep me');
    const model = buildModel(smallLadder);
    await expectCode(saveModelDir(dir, model, { config: smallLadder }), 'MODEL_DIR_NOT_EMPTY', dir);
    expect(await fs.readdir(dir)).toEqual(['notes.txt']);
    expect(await fs.readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    model.dispose();
  });

  describe('clear errors naming the file', () => {
    let dir: string;
    beforeAll(async () => {
      dir = path.join(root, 'damaged-source');
      const model = buildModel(smallLadder);
      await saveModelDir(dir, model, { config: smallLadder });
      model.dispose();
    });

    async function copyOf(name: string): Promise<string> {
      const target = path.join(root, name);
      await fs.cp(dir, target, { recursive: true });
      return target;
    }

    it('MODEL_NOT_FOUND for a missing folder or a folder without a model', async () => {
      await expectCode(loadModelDir(path.join(root, 'nowhere')), 'MODEL_NOT_FOUND', 'nowhere');
      const empty = path.join(root, 'empty');
      await fs.mkdir(empty);
      await expectCode(loadModelDir(empty), 'MODEL_NOT_FOUND', 'empty');
    });

    it('MODEL_CORRUPT for truncated weights', async () => {
      const target = await copyOf('truncated');
      const weights = path.join(target, MODEL_FILES.weights);
      const bytes = await fs.readFile(weights);
      await fs.writeFile(weights, bytes.subarray(0, bytes.length - 8));
      await expectCode(loadModelDir(target), 'MODEL_CORRUPT', weights);
    });

    it('MODEL_CORRUPT for missing weights, bad JSON and a description that does not match', async () => {
      const noWeights = await copyOf('no-weights');
      await fs.rm(path.join(noWeights, MODEL_FILES.weights));
      await expectCode(loadModelDir(noWeights), 'MODEL_CORRUPT', MODEL_FILES.weights);

      const badJson = await copyOf('bad-json');
      await fs.writeFile(path.join(badJson, MODEL_FILES.meta), '{"format": ');
      await expectCode(
        loadModelDir(badJson),
        'MODEL_CORRUPT',
        path.join(badJson, MODEL_FILES.meta),
      );

      const badTopology = await copyOf('bad-topology');
      await fs.writeFile(path.join(badTopology, MODEL_FILES.topology), '[]');
      await expectCode(loadModelDir(badTopology), 'MODEL_CORRUPT', MODEL_FILES.topology);

      const wrongCount = await copyOf('wrong-count');
      const metaFile = path.join(wrongCount, MODEL_FILES.meta);
      const meta = JSON.parse(await fs.readFile(metaFile, 'utf8')) as { parameterCount: number };
      await fs.writeFile(
        metaFile,
        JSON.stringify({ ...meta, parameterCount: meta.parameterCount + 1 }),
      );
      await expectCode(loadModelDir(wrongCount), 'MODEL_CORRUPT', 'parameters');

      const badConfig = await copyOf('bad-config');
      const badConfigFile = path.join(badConfig, MODEL_FILES.meta);
      const badMeta = JSON.parse(await fs.readFile(badConfigFile, 'utf8')) as {
        config: Record<string, unknown>;
      };
      await fs.writeFile(
        badConfigFile,
        JSON.stringify({ ...badMeta, config: { ...badMeta.config, layers: -1 } }),
      );
      await expectCode(loadModelDir(badConfig), 'MODEL_CORRUPT', 'config.layers');
    });

    it('MODEL_TOO_NEW for a newer description format', async () => {
      const target = await copyOf('too-new');
      const metaFile = path.join(target, MODEL_FILES.meta);
      const meta = JSON.parse(await fs.readFile(metaFile, 'utf8')) as Record<string, unknown>;
      await fs.writeFile(
        metaFile,
        JSON.stringify({ ...meta, formatVersion: 99, somethingNew: true }),
      );
      await expectCode(loadModelDir(target), 'MODEL_TOO_NEW', metaFile);
    });
  });
});
