/**
 * Small generated vessel-like images for the training tests (and the host tests): dark
 * background with noise, bright random line segments as vessels, a circular FOV. Seeded.
 */
import { MODEL_PRESETS, type UnetConfig } from '../../../shared/model-config';
import { PREPROCESS_RECIPES } from '../../engine/dataset/preprocess';
import { SeededRandom } from '../../engine/dataset/random';
import type { TrainImage, TrainJob } from './job';
import type { TrainOptionsInput } from './options';

/** One generated image with `lines` bright segments. */
export function generateVesselImage(
  id: string,
  split: string,
  size: number,
  seed: number,
  lines = 4,
): TrainImage {
  const random = new SeededRandom(seed, 77);
  const label = new Uint8Array(size * size);
  for (let k = 0; k < lines; k++) {
    const x0 = random.uniform(0, size);
    const y0 = random.uniform(0, size);
    const angle = random.uniform(0, Math.PI);
    const half = random.int(2) + 1;
    for (let t = -size; t <= size; t += 0.5) {
      const x = Math.round(x0 + t * Math.cos(angle));
      const y = Math.round(y0 + t * Math.sin(angle));
      for (let dy = -half + 1; dy < half; dy++) {
        for (let dx = -half + 1; dx < half; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && xx < size && yy >= 0 && yy < size) label[yy * size + xx] = 1;
        }
      }
    }
  }
  const pixels = new Float32Array(size * size);
  const fov = new Uint8Array(size * size);
  const r = size / 2;
  for (let i = 0; i < pixels.length; i++) {
    pixels[i] = 0.2 + (label[i] ? 0.5 : 0) + 0.1 * random.normal();
    const x = (i % size) - r + 0.5;
    const y = Math.floor(i / size) - r + 0.5;
    fov[i] = x * x + y * y <= r * r ? 1 : 0;
  }
  return { id, split, width: size, height: size, channels: 1, pixels, label, fov };
}

/** `count` training images (and `tests` test images) of `size` x `size`. */
export function generateVesselSet(count: number, size: number, tests = 0): TrainImage[] {
  const images: TrainImage[] = [];
  for (let i = 0; i < count; i++)
    images.push(generateVesselImage(`training/${i}`, 'training', size, i + 1));
  for (let i = 0; i < tests; i++)
    images.push(generateVesselImage(`test/${i}`, 'test', size, 1000 + i));
  return images;
}

/** A tiny U-Net (bench-unet cut to 1 pooling and 4 channels, no dropout: deterministic steps). */
export const TINY_UNET: UnetConfig = {
  ...MODEL_PRESETS['bench-unet'],
  depth: 1,
  baseWidth: 4,
  dropout: 0,
};

/**
 * A two-level U-Net of width 4 that reads the green channel: the model the predict and eval
 * tests save and run on small generated images (a fresh copy each call).
 */
export function smallGreenUnet(): UnetConfig {
  return {
    ...MODEL_PRESETS['bench-unet'],
    depth: 2,
    baseWidth: 4,
    preprocessing: { ...PREPROCESS_RECIPES.green },
  };
}

/**
 * Options for the training loop's tests on generated 32 px images: seeded, three epochs of eight
 * batches of four 16 px patches, a fifth of the images held out, weighted BCE at a rate that
 * moves a small U-Net within those steps, no early stopping.
 */
export const SMALL_TRAINING_OPTIONS = {
  seed: 7,
  epochs: 3,
  stepsPerEpoch: 8,
  batchSize: 4,
  patchSize: 16,
  validationFraction: 0.2,
  validationPatches: 16,
  learningRate: 0.01,
  loss: { kind: 'weighted-bce' },
  earlyStopping: null,
} as const satisfies TrainOptionsInput;

/** One epoch of two batches of TINY_UNET on three generated images: a whole training job, fast. */
export function tinyTrainJob(outDir: string, extra: Partial<TrainJob> = {}): TrainJob {
  return {
    data: { kind: 'images', images: generateVesselSet(3, 32) },
    model: { kind: 'config', config: TINY_UNET },
    outDir,
    options: {
      epochs: 1,
      stepsPerEpoch: 2,
      batchSize: 4,
      patchSize: 16,
      validationFraction: 0.34,
      validationPatches: 4,
      earlyStopping: null,
    },
    ...extra,
  };
}
