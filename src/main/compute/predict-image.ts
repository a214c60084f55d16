/**
 * Predicts one image file with a model folder, inside the compute process: the image is
 * resampled to the model's training scale when asked (its FOV derived from the image, as for a
 * dataset without masks; rescale.ts), preprocessed as the model's config says, predicted whole
 * (mirrored overlap tiles or LadderNet's sliding patches) and resampled back to its own pixels.
 * What `cli predict` runs; the probabilities go back as a Float32Array and the caller writes
 * them as it likes.
 */
import type { BackendName } from '../../shared/api/app';
import { loadRgb } from '../engine/dataset/decode';
import { deriveFov } from '../engine/dataset/fov';
import { parsePreprocessConfig, preprocessImages } from '../engine/dataset/preprocess';
import { predictProbabilities, type InferenceOptions } from './infer';
import { loadModelDir } from './model/storage';
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

export interface PredictImageJob {
  /** A tfjs model folder with its vessel.json. */
  modelDir: string;
  /** The image file (TIFF, PNG, JPEG, GIF, PPM). */
  imagePath: string;
  /** Average the four flips; the caller decides (the model's own setting unless overridden). */
  flips: boolean;
  /** Tiles (default) or LadderNet's sliding patches. */
  mode?: 'tiles' | 'patches';
  tileSize?: number;
  stride?: number;
  patchSize?: number;
  /** Resample the image to the model's training scale (default auto; see rescale.ts). */
  scale?: ScaleSetting;
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
  const setting = checkScaleSetting(job.scale ?? 'auto');
  const loaded = await loadModelDir(job.modelDir);
  try {
    const original = await loadRgb({ imagePath: job.imagePath });
    const { scale, image: rgb } = await resampleToScale(
      original,
      setting,
      loaded.meta.trainingScale,
      async () => fovDiameter(deriveFov(original), original.width, original.height),
    );
    const preprocessing = parsePreprocessConfig(
      loaded.config.preprocessing ?? DEFAULT_PREPROCESSING,
    );
    const [pixels] = await preprocessImages([rgb], preprocessing);
    const options: InferenceOptions = {
      config: loaded.config,
      mode: job.mode ?? 'tiles',
      flips: job.flips,
      onProgress: (done, total) => ctx.progress({ done, total }),
      signal: ctx.signal,
    };
    if (job.tileSize !== undefined) options.tileSize = job.tileSize;
    if (job.stride !== undefined) options.stride = job.stride;
    if (job.patchSize !== undefined) options.patchSize = job.patchSize;
    const predicted = await predictProbabilities(
      loaded.model,
      { width: rgb.width, height: rgb.height, channels: 1, data: pixels },
      options,
    );
    const { width, height } = original;
    return {
      width,
      height,
      probabilities: resampleProbabilities(predicted, rgb, width, height),
      scale,
    };
  } finally {
    loaded.model.dispose();
  }
}
