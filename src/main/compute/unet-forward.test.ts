import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_PRESETS, type ModelConfig, type UnetConfig } from '../../shared/model-config';
import { buildModel } from './model';
import { seedInitialWeights } from './model/seeded-init';
import { setupCompute } from './setup';
import { hasFastUnetForward, unetForward } from './unet-forward';

beforeAll(async () => {
  await setupCompute({ name: 'cpu', by: 'flag' });
});

/**
 * The model with He kernels drawn from `seed` (so each case is the same on every run) and random
 * biases too (freshly built ones are zero and would hide a bias slip).
 */
function randomModel(config: ModelConfig, seed: number): tf.LayersModel {
  const model = buildModel(config);
  seedInitialWeights(model, seed, 'he');
  let k = 0;
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 2)
      layer.setWeights([
        weights[0]!,
        tf.randomNormal(weights[1]!.shape, 0, 0.2, 'float32', seed + k++),
      ]);
  }
  return model;
}

function largestDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

const benchUnet = MODEL_PRESETS['bench-unet'] as UnetConfig;

describe('unetForward', () => {
  it.each<[string, UnetConfig, [number, number, number, number]]>([
    ['bench-unet on a 64x40 image', benchUnet, [1, 64, 40, 1]],
    [
      'depth 1, sigmoid, a batch of 3 odd multiples',
      { ...benchUnet, depth: 1, baseWidth: 4 },
      [3, 6, 10, 1],
    ],
    [
      'depth 2, softmax, 3 input channels',
      { ...benchUnet, depth: 2, baseWidth: 6, output: 'softmax', inputChannels: 3 },
      [2, 12, 20, 3],
    ],
    [
      'depth 4, width 2, no dropout',
      { ...benchUnet, depth: 4, baseWidth: 2, dropout: 0 },
      [1, 48, 16, 1],
    ],
  ])('%s: equals model.predict to float rounding', (_, config, shape) => {
    expect(hasFastUnetForward(config)).toBe(true);
    const model = randomModel(config, 7);
    const x = tf.randomNormal(shape, 0, 1, 'float32', 3) as tf.Tensor4D;
    const expected = model.predict(x) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const got = unetForward(model, config, x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(got.shape).toEqual(expected.shape);
    // Sums in another order: a few float32 ulps of outputs in [0, 1].
    expect(largestDifference(got, expected)).toBeLessThan(2e-5);
    // Not trivially equal: the outputs vary over the image.
    expect(tf.tidy(() => tf.moments(expected).variance.dataSync()[0]!)).toBeGreaterThan(1e-6);
    tf.dispose([x, expected, got]);
    model.dispose();
  });

  it('leaves every other model to model.predict', () => {
    const others: ModelConfig[] = [
      MODEL_PRESETS['unet-paper'],
      MODEL_PRESETS['unet-shared-residual'],
      MODEL_PRESETS.laddernet,
      { ...benchUnet, batchNorm: true },
      { ...benchUnet, padding: 'valid' },
      { ...benchUnet, skip: 'none' },
      { ...benchUnet, skip: 'add', upsampling: 'transpose' },
    ];
    for (const config of others) expect(hasFastUnetForward(config)).toBe(false);
    const config: ModelConfig = { ...benchUnet, depth: 1, baseWidth: 4, batchNorm: true };
    const model = randomModel(config, 1);
    const x = tf.randomNormal([1, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const expected = model.predict(x) as tf.Tensor;
    const got = unetForward(model, config, x);
    expect(largestDifference(got, expected)).toBe(0);
    tf.dispose([x, expected, got]);
    model.dispose();
  });
});
