/**
 * Predicts one image file with a model folder, inside the compute process: the image is
 * resampled to the model's training scale when asked (its FOV derived from the image, as for a
 * dataset without masks; rescale.ts), preprocessed as the model's config says, predicted whole
 * (mirrored overlap tiles or LadderNet's sliding patches) and resampled back to its own pixels.
 * What `cli predict` runs; the probabilities go back as a Float32Array and the caller writes
 * them as it likes. predict-dataset.ts runs the same steps (withPredictionModel, toModelScale,
 * predictAtModelScale) for the images of a dataset.
 */
import type { BackendName } from '../../shared/api/app';
import { loadRgb } from '../engine/dataset/decode';
import { deriveFov } from '../engine/dataset/fov';
import {
  parsePreprocessConfig,
  preprocessImages,
  type PreprocessConfig,
} from '../engine/dataset/preprocess';
import type { RgbImage } from '../engine/dataset/types';
import { predictProbabilities, type InferenceOptions } from './infer';
import { loadModelDir, type LoadedModel } from './model/storage';
import {
  checkScaleSetting,
  fovDiameter,
  resampleProbabilities,
  resampleToScale,
  type ImageScale,
  type ScaleSetting,
} from './rescale';
import { setupCompute } from './setup';
import { DEFAULT_PREPROCESSING } from './train/run-job';
import type { WorkerRequestContext } from './worker';

/** What every prediction job (this one and predict-dataset.ts) says about its model. */
export interface PredictionModelJob {
  /** A tfjs model folder with its vessel.json. */
  modelDir: string;
  /** Resample each image to the model's training scale (default auto; see rescale.ts). */
  scale?: ScaleSetting;
  /** With flips, add the quarter turns (the eight symmetries); default: the model's own setting. */
  turns?: boolean;
}

/** A model loaded for prediction, with the job's checked scale setting and its preprocessing. */
export interface PredictionModel {
  loaded: LoadedModel;
  setting: ScaleSetting;
  preprocessing: PreprocessConfig;
}

/**
 * Checks the job's scale setting, loads its model and runs `predict` with it; the model is
 * disposed afterwards, whatever happens.
 */
export async function withPredictionModel<T>(
  job: PredictionModelJob,
  predict: (model: PredictionModel) => Promise<T>,
): Promise<T> {
  const setting = checkScaleSetting(job.scale ?? 'auto');
  const stored = await loadModelDir(job.modelDir);
  // The job's turns override the model's own, for this prediction only (infer.ts reads the config).
  const loaded: LoadedModel =
    job.turns === undefined
      ? stored
      : {
          ...stored,
          config: {
            ...stored.config,
            inference: { flips: stored.config.inference?.flips ?? false, turns: job.turns },
          },
        };
  try {
    const preprocessing = parsePreprocessConfig(
      loaded.config.preprocessing ?? DEFAULT_PREPROCESSING,
    );
    return await predict({ loaded, setting, preprocessing });
  } finally {
    loaded.model.dispose();
  }
}

/**
 * An image resampled to the model's training scale as the job's setting chooses, with that
 * scale. `fov` gives the image's FOV mask, `size` wide and high; it is called only when auto
 * needs the FOV's diameter.
 */
export function toModelScale(
  model: PredictionModel,
  rgb: RgbImage,
  fov: () => Uint8Array | Promise<Uint8Array>,
  size: { width: number; height: number },
): Promise<{ scale: ImageScale; image: RgbImage }> {
  return resampleToScale(rgb, model.setting, model.loaded.meta.trainingScale, async () =>
    fovDiameter(await fov(), size.width, size.height),
  );
}

/**
 * Predicts an image resampled by toModelScale from its preprocessed pixels, and resamples the
 * probabilities back to `size`, the image's own pixels.
 */
export async function predictAtModelScale(
  model: PredictionModel,
  scaled: RgbImage,
  pixels: Float32Array,
  size: { width: number; height: number },
  options: Omit<InferenceOptions, 'config'>,
): Promise<Float32Array> {
  const predicted = await predictProbabilities(
    model.loaded.model,
    { width: scaled.width, height: scaled.height, channels: 1, data: pixels },
    { ...options, config: model.loaded.config },
  );
  return resampleProbabilities(predicted, scaled, size.width, size.height);
}

export interface PredictImageJob extends PredictionModelJob {
  /** The image file (TIFF, PNG, JPEG, GIF, PPM). */
  imagePath: string;
  /** Average the four flips; the caller decides (the model's own setting unless overridden). */
  flips: boolean;
  /** Tiles (default) or LadderNet's sliding patches. */
  mode?: 'tiles' | 'patches';
  tileSize?: number;
  stride?: number;
  patchSize?: number;
  backend?: BackendName;
}

/** Tiles or patch batches done so far. */
export interface PredictImageProgress {
  done: number;
  total: number;
}

export interface PredictImageResult {
  width: number;
  height: number;
  /** Vessel probability per pixel, row-major, at the image's own size. */
  probabilities: Float32Array;
  /** The scale the image was predicted at. */
  scale: ImageScale;
}

/** Runs a PredictImageJob; cancel stops between tiles or batches. */
export async function predictImage(
  job: PredictImageJob,
  ctx: WorkerRequestContext<PredictImageProgress>,
): Promise<PredictImageResult> {
  await setupCompute(job.backend ? { name: job.backend, by: 'flag' } : undefined);
  return withPredictionModel(job, async (model) => {
    const original = await loadRgb({ imagePath: job.imagePath });
    const { scale, image: rgb } = await toModelScale(
      model,
      original,
      () => deriveFov(original),
      original,
    );
    const [pixels] = await preprocessImages([rgb], model.preprocessing);
    const options: Omit<InferenceOptions, 'config'> = {
      mode: job.mode ?? 'tiles',
      flips: job.flips,
      onProgress: (done, total) => ctx.progress({ done, total }),
      signal: ctx.signal,
    };
    if (job.tileSize !== undefined) options.tileSize = job.tileSize;
    if (job.stride !== undefined) options.stride = job.stride;
    if (job.patchSize !== undefined) options.patchSize = job.patchSize;
    const { width, height } = original;
    return {
      width,
      height,
      probabilities: await predictAtModelScale(model, rgb, pixels, original, options),
      scale,
    };
  });
}
