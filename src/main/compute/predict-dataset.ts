/**
 * Predicts a model version on images of a dataset, inside the compute process: the images are
 * preprocessed as the model's config says (each split as one set, as training does), then
 * predicted whole with mirrored overlap tiles. Probabilities go back as Float32Arrays.
 */
import type { BackendName } from '../../shared/api/app';
import { flipsFor } from '../../shared/model-config';
import { AppError } from '../../shared/result';
import { loadRgb } from '../engine/dataset/decode';
import { allEntries, openDataset } from '../engine/dataset/open';
import { parsePreprocessConfig, preprocessImages } from '../engine/dataset/preprocess';
import type { ImageEntry } from '../engine/dataset/types';
import { loadModelDir } from './model/storage';
import { predictProbabilities } from './infer';
import { setupCompute } from './setup';
import { DEFAULT_PREPROCESSING } from './train/run-job';
import type { WorkerRequestContext } from './worker';

export interface PredictDatasetJob {
  /** A tfjs model folder with its vessel.json. */
  modelDir: string;
  /** The dataset root (any layout openDataset knows). */
  root: string;
  /** Image ids (`test/01_test`); every one must exist. */
  ids: string[];
  /** Average the four flips (slower, slightly better); default: the model's own setting. */
  flips?: boolean;
  backend?: BackendName;
}

export interface PredictDatasetProgress {
  done: number;
  total: number;
  id: string;
}

export interface PredictedImage {
  id: string;
  width: number;
  height: number;
  /** Vessel probability per pixel, row-major. */
  probabilities: Float32Array;
  /** Seconds the inference took (preprocessing excluded), for reports of speed. */
  seconds: number;
}

/** Runs a PredictDatasetJob; cancel stops between images. */
export async function predictDataset(
  job: PredictDatasetJob,
  ctx: WorkerRequestContext<PredictDatasetProgress>,
): Promise<PredictedImage[]> {
  await setupCompute(job.backend ? { name: job.backend, by: 'flag' } : undefined);
  const index = await openDataset(job.root);
  const byId = new Map(allEntries(index).map((e) => [e.id, e]));
  const entries = job.ids.map((id) => {
    const entry = byId.get(id);
    if (!entry) {
      throw new AppError(
        'COMPUTE_UNKNOWN_IMAGE',
        `${index.root} has no image ${id}; reopen the dataset.`,
      );
    }
    return entry;
  });
  const loaded = await loadModelDir(job.modelDir);
  try {
    const preprocessing = parsePreprocessConfig(
      loaded.config.preprocessing ?? DEFAULT_PREPROCESSING,
    );
    const bySplit = new Map<string, ImageEntry[]>();
    for (const entry of entries)
      bySplit.set(entry.split, [...(bySplit.get(entry.split) ?? []), entry]);
    const results = new Map<string, PredictedImage>();
    let done = 0;
    for (const group of bySplit.values()) {
      const pixels = await preprocessImages(
        await Promise.all(group.map((e) => loadRgb(e))),
        preprocessing,
      );
      for (const [k, entry] of group.entries()) {
        if (ctx.signal.aborted) throw new AppError('CANCELLED', 'Prediction was cancelled.');
        const started = process.hrtime.bigint();
        const probabilities = await predictProbabilities(
          loaded.model,
          {
            width: entry.width,
            height: entry.height,
            channels: 1,
            data: pixels[k] as Float32Array,
          },
          { config: loaded.config, flips: flipsFor(loaded.config, job.flips), signal: ctx.signal },
        );
        results.set(entry.id, {
          id: entry.id,
          width: entry.width,
          height: entry.height,
          probabilities,
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
        });
        done++;
        ctx.progress({ done, total: entries.length, id: entry.id });
      }
    }
    return job.ids.map((id) => results.get(id) as PredictedImage);
  } finally {
    loaded.model.dispose();
  }
}
