/**
 * Whole-image inference: vessel probabilities for every pixel of an image of any size.
 * Two ways: mirrored overlap tiles (the paper's strategy; memory bounded by the tile size, so a
 * 3504x2336 HRF image runs) and LadderNet's sliding 48x48 patches averaged (its released code's
 * protocol, for a faithful comparison). Optional flip averaging in both.
 */
import * as tf from '@tensorflow/tfjs';
import { downsamplingSteps, type ModelConfig } from '../../shared/model-config';
import { AppError, COMMON_ERROR_CODES } from '../../shared/result';
import { activationBytesPerPatch, BUFFER_HEADROOM } from '../../shared/retrain-defaults';
import { copyWindow, patchStarts, planAxis, type AxisTiling, type FloatImage } from './infer-tiles';
import { unetForward } from './unet-forward';
import { gpuFaultOr, throwIfGpuFault } from './webgpu/health';
import { INFER_ERROR_CODES } from '../../shared/api/errors';

export type { FloatImage } from './infer-tiles';

export interface InferenceOptions {
  /** The config the model was built from (its geometry and output kind). */
  config: ModelConfig;
  /** 'tiles' (default): mirrored overlap tiles; 'patches': LadderNet's sliding patches. */
  mode?: 'tiles' | 'patches';
  /** Tiles: the largest network input side (memory bound). Default 768 (a DRIVE image in one tile). */
  tileSize?: number;
  /**
   * Tiles with padded convolutions: mirrored context around the image (the paper's
   * overlap-tile idea). Default 4 * 2^depth, at least 32.
   */
  margin?: number;
  /**
   * Tiles with padded convolutions, when the image needs several: how far neighbouring tiles
   * reach into each other (blended there). Default 8 * 2^depth, at least 32, at most a quarter
   * tile: deeper networks feel a tile's zero border farther in.
   */
  overlap?: number;
  /**
   * Average the predictions of the 4 flips (none, left-right, up-down, both). Default false. With
   * the config's `inference.turns`, also those of the transposed image: the 8 symmetries of the
   * square (flips and quarter turns).
   */
  flips?: boolean;
  /** Patches: side (default 48, LadderNet's) and stride (default 5, its test setting). */
  patchSize?: number;
  stride?: number;
  /** Patches per forward pass. Default 64. */
  batchSize?: number;
  /** Called after each tile or batch. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** The input for predictProbabilities: one preprocessed image, HxW (channels 1) or HxWxC. */
export interface InferenceInput {
  width: number;
  height: number;
  /** Default 1. */
  channels?: number;
  data: Float32Array;
}

function checkInput(input: InferenceInput, config: ModelConfig): FloatImage {
  const channels = input.channels ?? 1;
  const { width, height } = input;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new AppError(
      INFER_ERROR_CODES.BAD_IMAGE,
      `Cannot predict on an image of ${width}x${height} pixels.`,
    );
  }
  if (input.data.length !== width * height * channels) {
    throw new AppError(
      INFER_ERROR_CODES.BAD_IMAGE,
      `The image data holds ${input.data.length} values; ${width}x${height}x${channels} needs ${width * height * channels}.`,
    );
  }
  if (channels !== config.inputChannels) {
    throw new AppError(
      INFER_ERROR_CODES.INPUT_MISMATCH,
      `The model takes ${config.inputChannels}-channel images but got ${channels} channel(s); preprocess the image with the model's own preprocessing.`,
    );
  }
  return { width, height, channels, data: input.data };
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError(COMMON_ERROR_CODES.CANCELLED, 'Prediction cancelled.');
}

/** The flips averaged with the image itself: left-right, up-down, both. */
const FLIP_AXES: number[][] = [[2], [1], [1, 2]];

/**
 * Whether the four flips of a batch go through the network as one batch of 4n: on webgpu, where
 * each layer's dispatches cost more than their arithmetic at these sizes, so one pass instead of
 * four saves most of the flips' time; only while 4n images' largest activation fits the
 * device's binding limit with the same headroom training keeps. On the CPU rungs the four
 * passes cost the same either way and need a quarter of the memory.
 */
function batchFlips(config: ModelConfig, batch: tf.Tensor4D): boolean {
  if (tf.getBackend() !== 'webgpu') return false;
  const limits = (tf.backend() as { device?: { limits?: Record<string, number> } }).device?.limits;
  const limit = Math.min(
    limits?.maxStorageBufferBindingSize ?? 0,
    limits?.maxBufferSize ?? Number.POSITIVE_INFINITY,
  );
  const [n, h, w] = batch.shape;
  const bytes = 4 * n * activationBytesPerPatch(config, Math.max(h, w));
  return bytes * BUFFER_HEADROOM <= limit;
}

/**
 * Runs the model on a batch [n, h, w, c] and returns vessel probabilities [n, h', w'], the mean
 * over flips when asked, and over the transposed batch's flips too when the config's inference
 * settings ask for turns (tiles and patches are square or both sides legal network inputs, so a
 * transposed batch runs as it is).
 */
function vesselProbabilities(
  model: tf.LayersModel,
  batch: tf.Tensor4D,
  config: ModelConfig,
  flips: boolean,
): tf.Tensor3D {
  if (!flips || config.inference?.turns !== true) return flipMean(model, batch, config, flips);
  return tf.tidy(() => {
    const straight = flipMean(model, batch, config, true);
    const across = flipMean(model, tf.transpose(batch, [0, 2, 1, 3]), config, true);
    return tf.div(tf.add(straight, tf.transpose(across, [0, 2, 1])), 2) as tf.Tensor3D;
  });
}

/**
 * The model's vessel probabilities for a batch, the mean over its four flips when asked (each
 * flipped prediction is flipped back before averaging, in the same order whether the flips run
 * as one batch or four).
 */
function flipMean(
  model: tf.LayersModel,
  batch: tf.Tensor4D,
  config: ModelConfig,
  flips: boolean,
): tf.Tensor3D {
  return tf.tidy(() => {
    const vesselChannel = config.output === 'softmax' ? 1 : 0;
    const run = (x: tf.Tensor4D): tf.Tensor3D => {
      const out = unetForward(model, config, x);
      const [n, h, w] = out.shape;
      return tf
        .slice(out, [0, 0, 0, vesselChannel], [n, h, w, 1])
        .reshape([n, h, w]) as tf.Tensor3D;
    };
    if (!flips) return run(batch);
    let predictions: tf.Tensor3D[];
    if (batchFlips(config, batch)) {
      const flipped = FLIP_AXES.map((axes) => tf.reverse(batch, axes) as tf.Tensor4D);
      predictions = tf.split(run(tf.concat([batch, ...flipped], 0) as tf.Tensor4D), 4, 0);
    } else {
      predictions = [
        run(batch),
        ...FLIP_AXES.map((axes) => run(tf.reverse(batch, axes) as tf.Tensor4D)),
      ];
    }
    let sum = predictions[0]!;
    FLIP_AXES.forEach((axes, i) => {
      sum = tf.add(sum, tf.reverse(predictions[i + 1]!, axes)) as tf.Tensor3D;
    });
    return tf.div(sum, 4) as tf.Tensor3D;
  });
}

/**
 * The values of a tensor, which is then disposed; a fault the GPU reported meanwhile (a lost
 * device, out of memory) ends the prediction with its coded error, not with garbage values.
 */
async function readOnce(tensor: tf.Tensor): Promise<Float32Array> {
  try {
    const values = (await tensor.data()) as Float32Array;
    throwIfGpuFault();
    return values;
  } finally {
    tensor.dispose();
  }
}

/** One way of covering an image with the model: a probability for every pixel, row-major. */
type Predictor = (
  model: tf.LayersModel,
  image: FloatImage,
  options: InferenceOptions,
) => Promise<Float32Array>;

const predictTiles: Predictor = async (model, image, options) => {
  const { config } = options;
  const maxTile = options.tileSize ?? 768;
  const multiple = 2 ** downsamplingSteps(config);
  const defaultOverlap = Math.min(Math.max(32, 8 * multiple), Math.floor(maxTile / 4));
  const same = {
    margin: Math.max(0, Math.round(options.margin ?? Math.max(32, 4 * multiple))),
    overlap: Math.max(0, Math.round(options.overlap ?? defaultOverlap)),
  };
  let rows: AxisTiling;
  let columns: AxisTiling;
  try {
    rows = planAxis(image.height, config, maxTile, same);
    columns = planAxis(image.width, config, maxTile, same);
  } catch (error) {
    throw new AppError(
      INFER_ERROR_CODES.TILE_TOO_SMALL,
      `Cannot tile the image with tiles of ${maxTile} px (${(error as Error).message}); use a larger tile size (a multiple of ${multiple}).`,
    );
  }
  const sums = new Float32Array(image.width * image.height);
  const weights = new Float32Array(image.width * image.height);
  const total = rows.starts.length * columns.starts.length;
  const tileData = new Float32Array(rows.tileInput * columns.tileInput * image.channels);
  let done = 0;
  for (const rowStart of rows.starts) {
    for (const columnStart of columns.starts) {
      throwIfCancelled(options.signal);
      const window = {
        top: rowStart - rows.padBefore,
        left: columnStart - columns.padBefore,
        height: rows.tileInput,
        width: columns.tileInput,
      };
      copyWindow(image, window, 'mirror', tileData);
      const probabilities = tf.tidy(() => {
        const batch = tf.tensor4d(tileData, [1, rows.tileInput, columns.tileInput, image.channels]);
        return vesselProbabilities(model, batch, config, options.flips === true);
      });
      const values = await readOnce(probabilities);
      const [, outHeight, outWidth] = probabilities.shape;
      if (outHeight !== rows.tileOutput || outWidth !== columns.tileOutput) {
        throw new AppError(
          INFER_ERROR_CODES.SHAPE_MISMATCH,
          `The model returned ${outHeight}x${outWidth} for a ${rows.tileInput}x${columns.tileInput} tile; its config promises ${rows.tileOutput}x${columns.tileOutput}. The model and its config disagree.`,
        );
      }
      for (let j = 0; j < outHeight; j++) {
        const y = rowStart + rows.outputOffset + j - rows.padBefore;
        if (y < 0 || y >= image.height) continue;
        const rowWeight = rows.weights[j];
        for (let i = 0; i < outWidth; i++) {
          const x = columnStart + columns.outputOffset + i - columns.padBefore;
          if (x < 0 || x >= image.width) continue;
          const weight = rowWeight * columns.weights[i];
          sums[y * image.width + x] += weight * values[j * outWidth + i];
          weights[y * image.width + x] += weight;
        }
      }
      done += 1;
      options.onProgress?.(done, total);
    }
  }
  for (let p = 0; p < sums.length; p++) sums[p] /= weights[p];
  return sums;
};

const predictPatches: Predictor = async (model, image, options) => {
  const { config } = options;
  const patch = options.patchSize ?? 48;
  const stride = options.stride ?? 5;
  const batchSize = options.batchSize ?? 64;
  const multiple = 2 ** downsamplingSteps(config);
  if (config.arch === 'unet' && config.padding === 'valid') {
    throw new AppError(
      INFER_ERROR_CODES.BAD_OPTIONS,
      'Sliding patches need a model with padded (same) convolutions; use tiles for valid-padding U-Nets.',
    );
  }
  if (!Number.isInteger(patch) || patch < multiple || patch % multiple !== 0) {
    throw new AppError(
      INFER_ERROR_CODES.BAD_OPTIONS,
      `The patch size must be a multiple of ${multiple} for this model, got ${patch}.`,
    );
  }
  if (!Number.isInteger(stride) || stride < 1 || stride > patch) {
    throw new AppError(
      INFER_ERROR_CODES.BAD_OPTIONS,
      `The patch stride must be a whole number from 1 to ${patch}, got ${stride}.`,
    );
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new AppError(
      INFER_ERROR_CODES.BAD_OPTIONS,
      `The batch size must be a positive whole number, got ${batchSize}.`,
    );
  }
  const rowStarts = patchStarts(image.height, patch, stride);
  const columnStarts = patchStarts(image.width, patch, stride);
  const positions: Array<[number, number]> = [];
  for (const y of rowStarts) for (const x of columnStarts) positions.push([y, x]);

  const sums = new Float32Array(image.width * image.height);
  const counts = new Float32Array(image.width * image.height);
  const patchValues = patch * patch * image.channels;
  const batchData = new Float32Array(batchSize * patchValues);
  const total = Math.ceil(positions.length / batchSize);
  for (let b = 0; b < total; b++) {
    throwIfCancelled(options.signal);
    const batchPositions = positions.slice(b * batchSize, (b + 1) * batchSize);
    batchPositions.forEach(([top, left], k) =>
      copyWindow(
        image,
        { top, left, height: patch, width: patch },
        'zero',
        batchData,
        k * patchValues,
      ),
    );
    const probabilities = tf.tidy(() => {
      const batch = tf.tensor4d(batchData.subarray(0, batchPositions.length * patchValues), [
        batchPositions.length,
        patch,
        patch,
        image.channels,
      ]);
      return vesselProbabilities(model, batch, config, options.flips === true);
    });
    const values = await readOnce(probabilities);
    batchPositions.forEach(([top, left], k) => {
      const base = k * patch * patch;
      for (let j = 0; j < patch; j++) {
        const y = top + j;
        if (y >= image.height) break;
        for (let i = 0; i < patch; i++) {
          const x = left + i;
          if (x >= image.width) break;
          sums[y * image.width + x] += values[base + j * patch + i];
          counts[y * image.width + x] += 1;
        }
      }
    });
    options.onProgress?.(b + 1, total);
  }
  for (let p = 0; p < sums.length; p++) sums[p] /= counts[p];
  return sums;
};

/**
 * Vessel probabilities (softmax models: the vessel class) for every pixel of a preprocessed
 * image, as a row-major Float32Array of height x width, whatever the image size. Leaves no
 * tensors behind. Throws AppError COMPUTE_* for bad input, CANCELLED when the signal aborts,
 * COMPUTE_GPU_* when the GPU fails on webgpu (checked after every tile or batch).
 */
export async function predictProbabilities(
  model: tf.LayersModel,
  input: InferenceInput,
  options: InferenceOptions,
): Promise<Float32Array> {
  const image = checkInput(input, options.config);
  try {
    return await (options.mode === 'patches'
      ? predictPatches(model, image, options)
      : predictTiles(model, image, options));
  } catch (error) {
    throw await gpuFaultOr(error);
  }
}
