import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/result';
import { modelPreset, type ModelConfig } from '../../shared/model-config';
import { buildModel } from './model/build';
import { predictProbabilities, type InferenceInput, type InferenceOptions } from './infer';

const sameUnet = { ...modelPreset('bench-unet'), depth: 2, baseWidth: 4 } as ModelConfig;
const validUnet = { ...modelPreset('unet-paper'), depth: 2, baseWidth: 2 } as ModelConfig;
const ladder = { ...modelPreset('laddernet'), layers: 2, filters: 3 } as ModelConfig;

const models = new Map<ModelConfig, tf.LayersModel>();

/**
 * A model with seeded He-normal weights (so the test is the same on every run) and its head
 * scaled up so its probabilities spread over (0, 1): with near-constant outputs any two
 * predictions would "agree".
 */
function modelFor(config: ModelConfig): tf.LayersModel {
  let model = models.get(config);
  if (!model) {
    model = buildModel(config);
    let seed = 1;
    for (const layer of model.layers) {
      const weights = layer.getWeights();
      if (weights.length === 0 || !layer.getClassName().startsWith('Conv')) continue;
      const [kernel, ...rest] = weights;
      const fanIn = kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const scale = layer.name === 'head' ? 40 : 1;
      const seeded = tf.randomNormal(
        kernel.shape,
        0,
        scale * Math.sqrt(2 / fanIn),
        'float32',
        seed++,
      );
      layer.setWeights([seeded, ...rest]);
    }
    models.set(config, model);
  }
  return model;
}

/** A smooth synthetic image with structure at a few scales. */
function syntheticImage(width: number, height: number): InferenceInput {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data[y * width + x] = Math.sin(x / 5) * Math.cos(y / 7) + 0.3 * Math.sin((x + y) / 2);
    }
  }
  return { width, height, data };
}

function stats(values: Float32Array): { min: number; max: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  // A loop, not Math.min(...values): a whole DRIVE-sized map overflows the argument stack.
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { min, max, std: Math.sqrt(squares / values.length) };
}

/**
 * The image predicted untiled (one tile of 1024) and tiled as `tiling` says, both with
 * `options`, and how many tiles the tiled one reported.
 */
async function wholeAndTiled(
  config: ModelConfig,
  image: InferenceInput,
  tiling: Omit<InferenceOptions, 'config'>,
  options: Omit<InferenceOptions, 'config'> = {},
): Promise<{ whole: Float32Array; tiled: Float32Array; tiles: number }> {
  const model = modelFor(config);
  const whole = await predictProbabilities(model, image, { config, ...options, tileSize: 1024 });
  let tiles = 0;
  const tiled = await predictProbabilities(model, image, {
    config,
    ...options,
    ...tiling,
    onProgress: (_done, total) => (tiles = total),
  });
  return { whole, tiled, tiles };
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Flips an HxW map left-right and/or up-down. */
function flipped(
  values: Float32Array,
  width: number,
  height: number,
  lr: boolean,
  ud: boolean,
): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      out[y * width + x] = values[(ud ? height - 1 - y : y) * width + (lr ? width - 1 - x : x)];
    }
  }
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterAll(() => {
  for (const model of models.values()) model.dispose();
});

describe('predictProbabilities', () => {
  it.each([
    ['same-padding U-Net, tiles', sameUnet, {}],
    ['valid-padding U-Net, tiles', validUnet, {}],
    ['LadderNet, tiles', ladder, {}],
    ['LadderNet, sliding patches', ladder, { mode: 'patches', patchSize: 16, stride: 7 }],
  ] as const)('keeps an odd input size (37x29): %s', async (_label, config, extra) => {
    const model = modelFor(config);
    const tensorsBefore = tf.memory().numTensors;
    const out = await predictProbabilities(model, syntheticImage(37, 29), { config, ...extra });
    expect(out).toBeInstanceOf(Float32Array);
    expect(out.length).toBe(37 * 29);
    const { min, max } = stats(out);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('valid padding: tiled and untiled inference agree to float precision', async () => {
    const { whole, tiled, tiles } = await wholeAndTiled(validUnet, syntheticImage(90, 75), {
      tileSize: 64,
    });
    expect(tiles).toBeGreaterThan(4);
    expect(stats(whole).std).toBeGreaterThan(0.05);
    expect(maxDifference(whole, tiled)).toBeLessThan(1e-5);
  });

  it.each([
    [97, 83],
    [584, 565],
  ])(
    'valid padding (overlap-tile): a %ix%i image comes back at exactly its size',
    async (width, height) => {
      const model = modelFor(validUnet);
      const tensorsBefore = tf.memory().numTensors;
      const out = await predictProbabilities(model, syntheticImage(width, height), {
        config: validUnet,
      });
      expect(out.length).toBe(width * height);
      const { min, max, std } = stats(out);
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBeLessThanOrEqual(1);
      // Every pixel got a real prediction (an uncovered one would be NaN: 0 / 0 weight).
      expect(Number.isNaN(std)).toBe(false);
      expect(std).toBeGreaterThan(0.05);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    },
  );

  it('valid padding: tiled and untiled agree on an odd size with flip averaging too', async () => {
    const { whole, tiled, tiles } = await wholeAndTiled(
      validUnet,
      syntheticImage(97, 83),
      // Inputs of 72 give outputs of 32: 4 x 3 tiles over 97 x 83.
      { tileSize: 72 },
      { flips: true },
    );
    expect(tiles).toBe(12);
    expect(maxDifference(whole, tiled)).toBeLessThan(1e-5);
  });

  it('same padding: overlapping blended tiles agree with the untiled prediction within tolerance', async () => {
    const { whole, tiled, tiles } = await wholeAndTiled(sameUnet, syntheticImage(120, 110), {
      tileSize: 128,
      margin: 32,
      overlap: 32,
    });
    expect(tiles).toBe(4);
    expect(stats(whole).std).toBeGreaterThan(0.1);
    let meanDifference = 0;
    for (let i = 0; i < whole.length; i++)
      meanDifference += Math.abs(whole[i] - tiled[i]) / whole.length;
    expect(maxDifference(whole, tiled)).toBeLessThan(0.05);
    expect(meanDifference).toBeLessThan(0.002);
  });

  it.each([
    // 32 + 2 * 8 is a multiple of 4: the mirrored frame is symmetric, so flips commute with it.
    ['same-padding U-Net', { config: sameUnet, margin: 8 }],
    // 32 is a legal output side of this U-Net: its mirrored border is the same on every side.
    ['valid-padding U-Net', { config: validUnet }],
  ] as const)(
    'flip averaging is the mean of the four flipped predictions flipped back: %s',
    async (_label, options) => {
      const model = modelFor(options.config);
      const [width, height] = [32, 32];
      const image = syntheticImage(width, height);
      const averaged = await predictProbabilities(model, image, { ...options, flips: true });
      const expected = new Float32Array(width * height);
      for (const [lr, ud] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const input = { width, height, data: flipped(image.data, width, height, lr, ud) };
        const back = flipped(
          await predictProbabilities(model, input, options),
          width,
          height,
          lr,
          ud,
        );
        for (let i = 0; i < expected.length; i++) expected[i] += back[i] / 4;
      }
      expect(maxDifference(averaged, expected)).toBeLessThan(1e-5);
      const plain = await predictProbabilities(model, image, options);
      expect(maxDifference(averaged, plain)).toBeGreaterThan(1e-3);
    },
  );

  it.each([
    ['a square image', 32, 32],
    ['an image wider than high', 48, 32],
  ] as const)(
    'with turns, the mean is over the flips of the image and of its transpose, transposed back: %s',
    async (_label, width, height) => {
      const plainConfig = { ...validUnet, inference: { flips: true } } as ModelConfig;
      const turnsConfig = { ...validUnet, inference: { flips: true, turns: true } } as ModelConfig;
      // One network: the configs differ only in their inference settings.
      const model = modelFor(validUnet);
      const image = syntheticImage(width, height);
      // A w x h map (row-major) as its h x w transpose.
      const transpose = (values: Float32Array, w: number, h: number) => {
        const out = new Float32Array(values.length);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[x * h + y] = values[y * w + x];
        return out;
      };
      const eight = await predictProbabilities(model, image, { config: turnsConfig, flips: true });
      const four = await predictProbabilities(model, image, { config: plainConfig, flips: true });
      const across = transpose(
        await predictProbabilities(
          model,
          { width: height, height: width, data: transpose(image.data, width, height) },
          { config: plainConfig, flips: true },
        ),
        height,
        width,
      );
      const expected = four.map((v, i) => (v + across[i]) / 2);
      expect(maxDifference(eight, expected)).toBeLessThan(1e-5);
      expect(maxDifference(eight, four)).toBeGreaterThan(1e-3);
      // Turns only add to flips: without flips the image is predicted once.
      const once = await predictProbabilities(model, image, { config: turnsConfig, flips: false });
      const plain = await predictProbabilities(model, image, { config: validUnet });
      expect(maxDifference(once, plain)).toBe(0);
    },
  );

  it('sliding patches: each pixel is the mean of the patches covering it (zero-extended image)', async () => {
    const model = modelFor(ladder);
    const [width, height, patch, stride] = [27, 22, 16, 5];
    const image = syntheticImage(width, height);
    const out = await predictProbabilities(model, image, {
      config: ladder,
      mode: 'patches',
      patchSize: patch,
      stride,
      batchSize: 5,
    });
    // The image extended with zeros to 31x26 so (size - 16) is a multiple of 5, as in the released code.
    const extended = new Float32Array(31 * 26);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) extended[y * 31 + x] = image.data[y * width + x];
    const [py, px] = [12, 17];
    let sum = 0;
    let count = 0;
    for (let top = 0; top + patch <= 26; top += stride) {
      for (let left = 0; left + patch <= 31; left += stride) {
        if (py < top || py >= top + patch || px < left || px >= left + patch) continue;
        const values = new Float32Array(patch * patch);
        for (let y = 0; y < patch; y++)
          for (let x = 0; x < patch; x++)
            values[y * patch + x] = extended[(top + y) * 31 + left + x];
        const prediction = model.predict(tf.tensor4d(values, [1, patch, patch, 1])) as tf.Tensor;
        sum += (prediction.arraySync() as number[][][][])[0][py - top][px - left][1];
        prediction.dispose();
        count++;
      }
    }
    expect(count).toBe(9);
    expect(out[py * width + px]).toBeCloseTo(sum / count, 5);
  });

  it('refuses an image with the wrong channel count or size, and stops when cancelled', async () => {
    const model = modelFor(sameUnet);
    const rgb = { width: 4, height: 4, channels: 3, data: new Float32Array(48) };
    await expect(predictProbabilities(model, rgb, { config: sameUnet })).rejects.toMatchObject({
      code: 'COMPUTE_INPUT_MISMATCH',
    });
    const short = { width: 4, height: 4, data: new Float32Array(15) };
    await expect(predictProbabilities(model, short, { config: sameUnet })).rejects.toMatchObject({
      code: 'COMPUTE_BAD_IMAGE',
    });
    const controller = new AbortController();
    controller.abort();
    const cancelled = predictProbabilities(model, syntheticImage(20, 20), {
      config: sameUnet,
      signal: controller.signal,
    });
    await expect(cancelled).rejects.toBeInstanceOf(AppError);
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
