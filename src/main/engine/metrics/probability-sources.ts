/**
 * Where an evaluation gets its vessel probabilities: a folder of saved PNG maps, or a model
 * folder run in the compute process (the same preprocessing and inference as the studio's
 * predictions). The model source needs the compute host, so the metrics index does not
 * re-export this file: import it directly where a model is run.
 */
import type { BackendName } from '../../../shared/api/app';
import type { ComputeHost } from '../../compute/host';
import type { ImageScale, ScaleSetting } from '../../compute/rescale';
import type { ImageEntry } from '../dataset';
import { openModelMeta } from '../model/files';
import { flipsFor, turnsFor, viewsText } from '../../../shared/model-config';
import { AppError } from '../../../shared/result';
import { predictionFileFor, readProbabilityPng } from './probability-maps';
import { METRICS_ERROR_CODES } from '../../../shared/api/errors';

/** Vessel probabilities per image. */
export interface ProbabilitySource {
  /** For reports: `predictions in <dir>` or `model <dir>`. */
  description: string;
  /** Called with a split's entries before its probabilities are asked for (e.g. to preprocess the set together). */
  prepare?(entries: readonly ImageEntry[]): Promise<void>;
  /** The image's probabilities (HxW, row-major), or null when this source has none for it. */
  probabilities(entry: ImageEntry, width: number, height: number): Promise<Float32Array | null>;
}

/** Probabilities from a folder of PNG maps named by image stem (`01_test.png`). */
export function predictionFolderSource(dir: string): ProbabilitySource {
  return {
    description: `predictions in ${dir}`,
    async probabilities(entry, width, height) {
      const file = predictionFileFor(dir, entry.name);
      if (file === null) return null;
      const map = await readProbabilityPng(file);
      if (map.width !== width || map.height !== height) {
        throw new AppError(
          METRICS_ERROR_CODES.SIZE_MISMATCH,
          `${file} is ${map.width}x${map.height} but ${entry.id} is ${width}x${height}; write the map at the image's size.`,
        );
      }
      return map.data;
    },
  };
}

export interface ModelSourceOptions {
  /** The dataset root the entries come from (the compute process opens it by its root). */
  root: string;
  backend?: BackendName;
  /** Average the four flips; default: the model's own setting (its config's `inference`). */
  flips?: boolean;
  /** With flips, add the quarter turns (the eight symmetries); default: the model's own setting. */
  turns?: boolean;
  /** Resample images to the model's training scale (default auto; compute/rescale.ts). */
  scale?: ScaleSetting;
  signal?: AbortSignal;
}

/** A model run in the compute process, with the seconds each image took. */
export interface ModelSource extends ProbabilitySource {
  backend: string | null;
  /** Whether the four flips are averaged. */
  flips: boolean;
  /** The views each map averages, in words ("four flips"); null for one prediction. */
  views: string | null;
  /** Seconds of inference per image so far (preprocessing excluded). */
  seconds: number[];
  /** The scale each image was predicted at, by image id (scored at its own size whatever it was). */
  scales: Map<string, ImageScale>;
}

/**
 * A model folder predicted through the compute host (`predict.dataset`, as the studio's
 * predictions are). A split is predicted as one set when prepared (the set-level
 * normalisation of LadderNet's recipe needs all its images), then read image by image.
 */
export async function openModelSource(
  compute: ComputeHost,
  dir: string,
  options: ModelSourceOptions,
): Promise<ModelSource> {
  const backend = options.backend ? { backend: options.backend } : {};
  const report = await compute.request('compute.setup', backend);
  const { dir: modelDir, meta } = await openModelMeta(dir);
  const flips = flipsFor(meta.config, options.flips);
  const turns = turnsFor(meta.config, options.turns);
  const views = viewsText(flips, turns);
  const predicted = new Map<string, Float32Array>();
  const seconds: number[] = [];
  const scale = options.scale ?? 'auto';
  const scales = new Map<string, ImageScale>();
  const prepare = async (entries: readonly ImageEntry[]) => {
    const images = await compute.request(
      'predict.dataset',
      {
        modelDir,
        root: options.root,
        ids: entries.map((e) => e.id),
        flips,
        turns,
        scale,
        ...backend,
      },
      options.signal ? { signal: options.signal } : {},
    );
    for (const image of images) {
      predicted.set(image.id, image.probabilities);
      seconds.push(image.seconds);
      scales.set(image.id, image.scale);
    }
  };
  return {
    description: `model ${modelDir}${meta.config.preprocessing === null ? ' (no stored preprocessing: the laddernet recipe)' : ''}${views ? `, averaged over the ${views}` : ''}, ${scaleText(scale, meta.trainingScale?.fovDiameter)}`,
    backend: report.active,
    flips,
    views,
    seconds,
    scales,
    prepare,
    async probabilities(entry) {
      if (!predicted.has(entry.id)) await prepare([entry]);
      const probabilities = predicted.get(entry.id)!;
      predicted.delete(entry.id);
      return probabilities;
    },
  };
}

/** How a model source resamples, for its description. */
function scaleText(scale: ScaleSetting, trainingDiameter: number | undefined): string {
  if (scale === 'off') return 'scale off (each image at its own size)';
  if (typeof scale === 'number') return `every image resampled by ${scale}`;
  return trainingDiameter === undefined
    ? 'scale auto: the model records no training scale, so each image is predicted at its own size (as off)'
    : `scale auto (each image resampled to the training FOV diameter of ${trainingDiameter} px, probabilities back at its own size)`;
}
