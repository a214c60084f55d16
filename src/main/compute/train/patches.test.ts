import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { modelPreset, type ModelConfig } from '../../../shared/model-config';
import { AppError } from '../../../shared/result';
import { useComputeScratch } from '../../../../test/support/compute-scratch';
import { AUGMENT_NONE } from '../../engine/dataset/augment';
import { SeededRandom } from '../../engine/dataset/random';
import { buildModel } from '../model/build';
import { generateVesselImage, generateVesselSet, SMALL_TRAINING_OPTIONS } from './fixtures';
import { TRAIN_ERROR_CODES } from './job';
import { trainModel } from './loop';
import { trainOptionsSchema } from './options';
import { WeightedPatchSampler, type WeightedImage } from './patches';
import { trainFresh } from './train-fresh';

/** A small U-Net with valid convolutions (two poolings: 20 px of context per side), no dropout. */
const VALID_UNET = {
  ...modelPreset('unet-paper'),
  depth: 2,
  baseWidth: 4,
  dropout: 0,
} as ModelConfig;

const scratch = useComputeScratch('vessel-patches-');

/**
 * An image whose pixels, FOV and loss weights are all copies of its label (weights 1 + 3 * label):
 * any patch where x, y, fov and weight disagree was rendered from different places.
 */
function labelCopies(size: number, seed: number): WeightedImage {
  const image = generateVesselImage(`training/${seed}`, 'training', size, seed, 6);
  return {
    ...image,
    pixels: Float32Array.from(image.label),
    fov: Uint8Array.from(image.label),
    lossWeight: Float32Array.from(image.label, (v) => 1 + 3 * v),
  };
}

describe('WeightedPatchSampler with a valid-padding U-Net', () => {
  it('renders the input with context around the requested output, labels, weights and FOV on the same window', () => {
    const sampler = new WeightedPatchSampler([labelCopies(40, 3), labelCopies(40, 4)], {
      patchSize: 16,
      config: VALID_UNET,
      // Flips and turns move every pixel exactly (no interpolation), so the copies stay equal.
      augment: { ...AUGMENT_NONE, flips: true, rotate90: true },
    });
    expect(sampler.geometry).toEqual({ inputSize: 56, outputSize: 16, border: 20 });
    const batch = sampler.batch(6, new SeededRandom(5, 1));
    expect(batch.shape).toEqual([6, 56, 56, 1]);
    expect(batch.outputSize).toBe(16);
    expect(batch.y).toHaveLength(6 * 56 * 56);
    expect(batch.weight).toHaveLength(6 * 56 * 56);
    expect(batch.fov).toHaveLength(6 * 56 * 56);
    let vessels = 0;
    let mismatches = 0;
    for (let i = 0; i < batch.x.length; i++) {
      const x = batch.x[i] as number;
      if (batch.y[i] !== x || batch.fov[i] !== x || batch.weight[i] !== 1 + 3 * x) mismatches++;
      vessels += x;
    }
    expect(mismatches).toBe(0);
    // Centres are FOV pixels (here vessel pixels), so the patches hold vessels.
    expect(vessels).toBeGreaterThan(0);
    // Each patch is centred on a FOV pixel: the centre of the output square.
    for (let n = 0; n < 6; n++) expect(batch.fov[n * 56 * 56 + 28 * 56 + 28]).toBe(1);
  });

  it('centres every patch inside the patch-centre mask when an image has one', () => {
    const width = 40;
    const base = generateVesselImage('training/9', 'training', width, 9, 6);
    // Each pixel holds its own index, so a patch's centre pixel says where it was drawn.
    const centres = new Uint8Array(width * width);
    for (let y = 10; y <= 12; y++) for (let x = 20; x <= 22; x++) centres[y * width + x] = 1;
    const image: WeightedImage = {
      ...base,
      pixels: Float32Array.from({ length: width * width }, (_, i) => i),
      fov: new Uint8Array(width * width).fill(1),
      lossWeight: new Float32Array(width * width).fill(1),
      centres,
    };
    const sampler = new WeightedPatchSampler([image], { patchSize: 16, augment: AUGMENT_NONE });
    const batch = sampler.batch(24, new SeededRandom(3, 1));
    const drawn = new Set<number>();
    for (let n = 0; n < 24; n++) drawn.add(batch.x[n * 16 * 16 + 8 * 16 + 8] as number);
    for (const index of drawn) expect(centres[index]).toBe(1);
    expect(drawn.size).toBeGreaterThan(1);
    // A mask that lies wholly outside the FOV leaves nowhere to draw from: refused, named.
    const outside = { ...image, fov: new Uint8Array(width * width), centres };
    outside.fov[0] = 1;
    expect(() => new WeightedPatchSampler([outside], { patchSize: 16, augment: false })).toThrow(
      /training\/9.*outside its field of view/,
    );
  });

  it('gives the network an input whose output is exactly the requested patch', () => {
    const sampler = new WeightedPatchSampler([labelCopies(40, 3)], {
      patchSize: 20,
      config: VALID_UNET,
      augment: false,
    });
    const batch = sampler.batch(2, new SeededRandom(1, 1));
    const model = buildModel(VALID_UNET);
    const output = model.predict(tf.tensor4d(batch.x, batch.shape)) as tf.Tensor;
    expect(output.shape).toEqual([2, batch.outputSize, batch.outputSize, 2]);
    expect(batch.outputSize).toBe(20);
    tf.dispose(output);
    model.dispose();
  });

  it('refuses a patch size no input of the network produces, naming the legal ones', () => {
    const create = () =>
      new WeightedPatchSampler([labelCopies(40, 3)], {
        patchSize: 18,
        config: VALID_UNET,
        augment: false,
      });
    expect(create).toThrow(AppError);
    expect(create).toThrow('Nearest legal patch sizes: 16 (input 56) or 20 (input 60)');
  });
});

describe('training a valid-padding U-Net', () => {
  const images = generateVesselSet(5, 32, 1);
  const options = { ...SMALL_TRAINING_OPTIONS, epochs: 4, augment: false } as const;

  it('lowers the loss on a generated set, with validation AUC and F1 on the output region', async () => {
    const summary = await trainFresh(7, {
      config: VALID_UNET,
      images,
      options: trainOptionsSchema.parse(options),
      outDir: path.join(scratch.dir, 'valid'),
      backend: tf.getBackend(),
    });
    expect(summary.status).toBe('completed');
    const first = summary.history[0]!;
    const last = summary.history[summary.history.length - 1]!;
    expect(last.loss).toBeLessThan(first.loss);
    expect(last.valLoss!).toBeLessThan(first.valLoss!);
    // The vessels are brighter: ranking them is easy once the network learns anything.
    expect(summary.best!.valAuc!).toBeGreaterThan(0.8);
    expect(summary.best!.valF1!).toBeGreaterThan(0);
  });

  it('refuses an illegal patch size before training, with TRAIN_BAD_OPTIONS', async () => {
    const model = buildModel(VALID_UNET);
    try {
      const run = trainModel({
        model,
        config: VALID_UNET,
        images,
        options: trainOptionsSchema.parse({ ...options, patchSize: 18 }),
        outDir: path.join(scratch.dir, 'illegal'),
        dataSource: 'generated',
        backend: tf.getBackend(),
      });
      await expect(run).rejects.toMatchObject({
        code: TRAIN_ERROR_CODES.BAD_OPTIONS,
        message: expect.stringContaining('16 (input 56) or 20 (input 60)') as unknown,
      });
    } finally {
      model.dispose();
    }
  });
});
