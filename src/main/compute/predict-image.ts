/**
 * Predicts one image file with a model folder, inside the compute process: the image is
 * preprocessed as the model's config says, then predicted whole (mirrored overlap tiles or
 * LadderNet's sliding patches). What `cli predict` runs; the probabilities go back as a
 * Float32Array and the caller writes them as it likes.
 */
import type { BackendName } from '../../shared/api/app';
import { loadRgb } from '../engine/dataset/decode';
import { parsePreprocessConfig, preprocessImages } from '../engine/dataset/preprocess';
import { predictProbabilities, type InferenceOptions } from './infer';
import { loadModelDir } from './model/storage';
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
  /** Vessel probability per pixel, row-major. */
  probabilities: Float32Array;
}

/** Runs a PredictImageJob; cancel stops between tiles or batches. */
export async function predictImage(
  job: PredictImageJob,
  ctx: WorkerRequestContext<PredictImageProgress>,
): Promise<PredictImageResult> {
  await setupCompute(job.backend ? { name: job.backend, by: 'flag' } : undefined);
  const loaded = await loadModelDir(job.modelDir);
  try {
    const rgb = await loadRgb({ imagePath: job.imagePath });
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
    const probabilities = await predictProbabilities(
      loaded.model,
      { width: rgb.width, height: rgb.height, channels: 1, data: pixels },
      options,
    );
    return { width: rgb.width, height: rgb.height, probabilities };
  } finally {
    loaded.model.dispose();
  }
}
