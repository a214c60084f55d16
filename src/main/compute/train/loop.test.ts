import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import { useComputeScratch } from '../../../../test/support/compute-scratch';
import { buildModel } from '../model/build';
import { loadModelDir } from '../model/storage';
import { averageModels } from '../../engine/model/average';
import { readModelFolder } from '../../engine/model/files';
import { checkpointDirFor, keptEpochDirFor, loadCheckpoint } from './checkpoint';
import { generateVesselSet, SMALL_TRAINING_OPTIONS, TINY_UNET } from './fixtures';
import { TRAIN_ERROR_CODES, type TrainProgress } from './job';
import { trainModel } from './loop';
import { trainOptionsSchema, type TrainOptionsInput } from './options';
import { trainFresh } from './train-fresh';

const scratch = useComputeScratch('vessel-train-');

const images = generateVesselSet(5, 32, 2);
const baseOptions: TrainOptionsInput = SMALL_TRAINING_OPTIONS;

function run(
  outName: string,
  overrides: TrainOptionsInput = {},
  extra: {
    signal?: AbortSignal;
    onProgress?: (p: TrainProgress) => void;
    trainOnly?: string[];
    validateInitial?: boolean;
  } = {},
) {
  // The same seeded initial weights in every run and every process, so runs differ only where the test says.
  return trainFresh(7, {
    config: TINY_UNET,
    images,
    options: trainOptionsSchema.parse({ ...baseOptions, ...overrides }),
    outDir: path.join(scratch.dir, outName),
    backend: 'cpu',
    ...extra,
  });
}

/** Trains on the given images and returns what was thrown (null when nothing was). */
async function train(data: typeof images, outName: string): Promise<unknown> {
  const model = buildModel(TINY_UNET);
  try {
    await trainModel({
      model,
      config: TINY_UNET,
      images: data,
      options: trainOptionsSchema.parse(baseOptions),
      outDir: path.join(scratch.dir, outName),
      dataSource: 'generated',
      backend: 'wasm',
    });
    return null;
  } catch (error) {
    return error;
  } finally {
    model.dispose();
  }
}

describe('trainModel', () => {
  it('lowers the loss on a generated set and keeps the best model by validation loss', async () => {
    const summary = await run('short', { epochs: 4, augment: false });
    expect(summary.status).toBe('completed');
    expect(summary.history).toHaveLength(4);
    const first = summary.history[0]!;
    const last = summary.history[3]!;
    expect(last.loss).toBeLessThan(first.loss);
    expect(last.valLoss!).toBeLessThan(first.valLoss!);
    expect(summary.best!.valLoss).toBe(Math.min(...summary.history.map((r) => r.valLoss!)));
    // The validation figures are real: the vessels are brighter, so the ranking is well above chance.
    expect(summary.best!.valAuc!).toBeGreaterThan(0.8);
    const saved = await loadModelDir(summary.modelDir!);
    expect(saved.meta.trainingLog).toHaveLength(4);
    expect((saved.meta.training as { bestEpoch: number }).bestEpoch).toBe(summary.bestEpoch);
    saved.model.dispose();
  });

  it('scores the starting model on the validation patches when asked (the activation baseline)', async () => {
    const summary = await run('baseline', {}, { validateInitial: true });
    expect(summary.baseline).not.toBeNull();
    // Untrained weights on the same patches: worse than the run's best epoch.
    expect(summary.baseline!.loss).toBeGreaterThan(summary.best!.valLoss!);
    expect((await run('no-baseline', { epochs: 1 })).baseline).toBeNull();
  });

  it('releases every tensor it makes (a long run must not grow)', async () => {
    const model = buildModel(TINY_UNET);
    const before = tf.memory().numTensors;
    await trainModel({
      model,
      config: TINY_UNET,
      images,
      options: trainOptionsSchema.parse({ ...baseOptions, epochs: 2, stepsPerEpoch: 2 }),
      outDir: path.join(scratch.dir, 'memory'),
      dataSource: 'generated',
      backend: 'wasm',
    });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('splits by image with a fixed seed and never uses test images', async () => {
    const summary = await run('split', { epochs: 1, stepsPerEpoch: 1 });
    expect(summary.split.excluded).toEqual(['test/0', 'test/1']);
    expect([...summary.split.train, ...summary.split.validation].sort()).toEqual([
      'training/0',
      'training/1',
      'training/2',
      'training/3',
      'training/4',
    ]);
    expect(summary.split.validation).toHaveLength(1);
    const again = await run('split-again', { epochs: 1, stepsPerEpoch: 1 });
    expect(again.split).toEqual(summary.split);
  });

  it('trains on the images asked for only, keeping the split and refusing validation images', async () => {
    const full = await run('only-full', { epochs: 1, stepsPerEpoch: 1 });
    const narrowed = (trainOnly: string[], outName: string) =>
      run(outName, { epochs: 1, stepsPerEpoch: 1 }, { trainOnly });
    const asked = ['training/0', 'training/1', 'training/2'];
    const summary = await narrowed(asked, 'only');
    // The validation split is drawn as before; training keeps only the images asked for.
    expect(summary.split.validation).toEqual(full.split.validation);
    expect(summary.split.train).toEqual(full.split.train.filter((id) => asked.includes(id)));
    expect(summary.split.excluded).toEqual(
      [...full.split.excluded, ...full.split.train.filter((id) => !asked.includes(id))].sort(),
    );
    const refused = await narrowed(full.split.validation, 'only-validation').catch((e) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: TRAIN_ERROR_CODES.NO_IMAGES });
    expect((refused as Error).message).toMatch(/validation and test images are never trained on/);
  });

  it('stops on cancel keeping the last finished epoch, then resumes to the same result as an uninterrupted run', async () => {
    const options = { epochs: 3, augment: true } as const;
    const straight = await run('straight', options);

    const controller = new AbortController();
    const cancelled = await run('resumed', options, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'batch' && p.epoch === 2 && p.batch === 3) controller.abort();
      },
    });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.epochsRun).toBe(1);
    expect(cancelled.modelDir).toBe(path.join(scratch.dir, 'resumed'));

    const checkpoint = await loadCheckpoint(checkpointDirFor(path.join(scratch.dir, 'resumed')));
    expect(checkpoint.state.epochsDone).toBe(1);
    const resumed = await trainModel({
      model: checkpoint.model,
      config: checkpoint.state.config,
      images,
      options: checkpoint.state.options,
      outDir: path.join(scratch.dir, 'resumed'),
      dataSource: 'generated',
      backend: 'cpu',
      resume: checkpoint,
    });
    checkpoint.model.dispose();
    expect(resumed.status).toBe('completed');
    expect(resumed.epochsRun).toBe(3);
    // Same weights, optimizer state and patch streams: the epochs after the resume match.
    for (let k = 0; k < 3; k++) {
      expect(resumed.history[k]!.loss).toBeCloseTo(straight.history[k]!.loss, 5);
      expect(resumed.history[k]!.valLoss!).toBeCloseTo(straight.history[k]!.valLoss!, 5);
    }
  });

  it('keeps every epoch as a model folder when asked, and their average loads and predicts', async () => {
    const summary = await run('kept', { epochs: 3, augment: false, keepEpochs: true });
    const out = path.join(scratch.dir, 'kept');
    expect(summary.epochsDir).toBe(`${out}.epochs`);
    const kept = [1, 2, 3].map((e) => keptEpochDirFor(out, e));
    expect(kept[1]).toBe(path.join(`${out}.epochs`, 'epoch-002'));
    const weights: Float32Array[] = [];
    for (const [i, dir] of kept.entries()) {
      const loaded = await loadModelDir(dir);
      const training = loaded.meta.training as { epoch: number; bestEpoch: number };
      expect(training.epoch).toBe(i + 1);
      expect(loaded.meta.trainingLog).toHaveLength(i + 1);
      expect(training.bestEpoch).toBe(
        summary.history.slice(0, i + 1).reduce((b, r) => (r.valLoss! < b.valLoss! ? r : b)).epoch,
      );
      loaded.model.dispose();
      weights.push(new Float32Array((await readModelFolder(dir)).weightData));
    }
    // The best epoch's kept weights are the best model's.
    const best = await readFile(path.join(out, 'weights.bin'));
    expect(await readFile(path.join(kept[summary.bestEpoch! - 1]!, 'weights.bin'))).toEqual(best);
    // Each epoch moved the weights: three different points of the run.
    expect(weights[0]).not.toEqual(weights[1]);
    expect(weights[1]).not.toEqual(weights[2]);

    const averaged = await averageModels(kept, path.join(scratch.dir, 'kept-mean'));
    const mean = new Float32Array((await readModelFolder(averaged.outDir)).weightData);
    for (const i of [0, 1, mean.length >> 1, mean.length - 1]) {
      expect(mean[i]).toBeCloseTo((weights[0]![i]! + weights[1]![i]! + weights[2]![i]!) / 3, 6);
    }
    const loaded = await loadModelDir(averaged.outDir);
    const input = tf.ones([1, 32, 32, 1]);
    const output = loaded.model.predict(input) as tf.Tensor;
    expect(output.shape).toEqual([1, 32, 32, TINY_UNET.output === 'softmax' ? 2 : 1]);
    expect(Array.from(await output.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([input, output]);
    loaded.model.dispose();
  });

  it('keeps no epochs unless asked', async () => {
    const summary = await run('not-kept', { epochs: 1, augment: false });
    expect(summary.epochsDir).toBeNull();
    await expect(
      readModelFolder(keptEpochDirFor(path.join(scratch.dir, 'not-kept'), 1)),
    ).rejects.toThrow(/No model at/);
  });

  it('reports TRAIN_DIVERGED when the loss becomes NaN, naming what to do', async () => {
    // A NaN in a weight map reaches the loss directly.
    const poisoned = images.map((image) => ({
      ...image,
      weight: new Float32Array(image.width * image.height).fill(NaN),
    }));
    const error = await train(poisoned, 'nan-loss');
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(TRAIN_ERROR_CODES.DIVERGED);
    expect((error as AppError).message).toMatch(
      /epoch 1, batch 1: the loss became NaN\. No epoch had finished.*Lower the learning rate/,
    );
  });

  it('reports TRAIN_DIVERGED when NaN pixels poison the weights, before any checkpoint is written', async () => {
    const poisoned = images.map((image) => ({ ...image, pixels: image.pixels.map(() => NaN) }));
    const error = await train(poisoned, 'nan-pixels');
    expect((error as AppError).code).toBe(TRAIN_ERROR_CODES.DIVERGED);
    expect((error as AppError).message).toMatch(
      /epoch 1, batch \d+: (the loss became NaN|some model weights became NaN or infinite)/,
    );
    await expect(
      readFile(path.join(checkpointDirFor(path.join(scratch.dir, 'nan-pixels')), 'state.json')),
    ).rejects.toThrow();
  });

  it('reports TRAIN_DIVERGED for an absurd learning rate and keeps the checkpoint of the last good epoch', async () => {
    await run('explode', { epochs: 1 });
    const checkpointDir = checkpointDirFor(path.join(scratch.dir, 'explode'));
    const checkpoint = await loadCheckpoint(checkpointDir);
    const options = {
      ...checkpoint.state.options,
      epochs: 3,
      learningRate: 1e6,
      divergence: { explodeFactor: 3, warmupBatches: 2 },
    };
    const error = await trainModel({
      model: checkpoint.model,
      config: checkpoint.state.config,
      images,
      options,
      outDir: path.join(scratch.dir, 'explode'),
      dataSource: 'generated',
      backend: 'wasm',
      resume: { ...checkpoint, state: { ...checkpoint.state, options } },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    checkpoint.model.dispose();
    expect((error as AppError).code).toBe(TRAIN_ERROR_CODES.DIVERGED);
    expect((error as AppError).message).toContain(
      `The last good checkpoint is kept in ${checkpointDir}`,
    );
    // Caught from the loss within epoch 2, before the weights themselves overflow.
    expect((error as AppError).message).toMatch(/epoch 2, batch \d: the running loss rose to/);
    const state = JSON.parse(await readFile(path.join(checkpointDir, 'state.json'), 'utf8')) as {
      epochsDone: number;
    };
    expect(state.epochsDone).toBe(1);
  });
});
