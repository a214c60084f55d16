/**
 * Predicts a model version on images of a dataset, inside the compute process: each image is
 * resampled to the model's training scale when asked (rescale.ts), the images are preprocessed
 * as the model's config says (each split as one set, as training does), then predicted whole
 * with mirrored overlap tiles and resampled back to the image's own pixels. Probabilities go
 * back as Float32Arrays with the scale each image was predicted at. The steps are
 * predict-image.ts's; only the preprocessing of a split as one set keeps this from running
 * predictImage per image (and the FOV comes from the dataset's masks where it has them).
 */
import type { BackendName } from '../../shared/api/app';
import { flipsFor } from '../../shared/model-config';
import { AppError } from '../../shared/result';
import { loadFov, loadRgb } from '../engine/dataset/decode';
import { allEntries, openDataset } from '../engine/dataset/open';
import { preprocessImages } from '../engine/dataset/preprocess';
import type { ImageEntry } from '../engine/dataset/types';
import {
  predictAtModelScale,
  toModelScale,
  withPredictionModel,
  type PredictionModelJob,
} from './predict-image';
import type { ImageScale } from './rescale';
import { setupCompute } from './setup';
import type { WorkerRequestContext } from './worker';
import { COMMON_ERROR_CODES, INFER_ERROR_CODES } from '../../shared/api/errors';

export interface PredictDatasetJob extends PredictionModelJob {
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
  /** The scale it was predicted at; the probabilities are at the image's own size whatever it was. */
  scale: ImageScale;
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
        INFER_ERROR_CODES.UNKNOWN_IMAGE,
        `${index.root} has no image ${id}; reopen the dataset.`,
      );
    }
    return entry;
  });
  return withPredictionModel(job, async (model) => {
    const bySplit = new Map<string, ImageEntry[]>();
    for (const entry of entries)
      bySplit.set(entry.split, [...(bySplit.get(entry.split) ?? []), entry]);
    const results = new Map<string, PredictedImage>();
    let done = 0;
    for (const group of bySplit.values()) {
      // Resampled before preprocessing, so CLAHE's tiles and the set statistics see the image
      // as the model's training images were.
      const scaled = await Promise.all(
        group.map(async (entry) =>
          toModelScale(model, await loadRgb(entry), () => loadFov(entry), entry),
        ),
      );
      const images = scaled.map((s) => s.image);
      const pixels = await preprocessImages(images, model.preprocessing);
      for (const [k, entry] of group.entries()) {
        if (ctx.signal.aborted)
          throw new AppError(COMMON_ERROR_CODES.CANCELLED, 'Prediction was cancelled.');
        const started = process.hrtime.bigint();
        const probabilities = await predictAtModelScale(model, images[k]!, pixels[k]!, entry, {
          flips: flipsFor(model.loaded.config, job.flips),
          signal: ctx.signal,
        });
        results.set(entry.id, {
          id: entry.id,
          width: entry.width,
          height: entry.height,
          probabilities,
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
          scale: scaled[k]!.scale,
        });
        done++;
        ctx.progress({ done, total: entries.length, id: entry.id });
      }
    }
    return job.ids.map((id) => results.get(id) as PredictedImage);
  });
}
