/**
 * Where an evaluation gets its vessel probabilities: a folder of saved PNG maps, or a model
 * folder run here (the same preprocessing and inference as `predict`). This file loads tfjs, so
 * the metrics index does not re-export it: import it directly where a model is run.
 */
import type { ImageEntry } from '../dataset';
import { loadRgb, parsePreprocessConfig, PREPROCESS_RECIPES, preprocessImages } from '../dataset';
import { predictProbabilities, type InferenceOptions } from '../../compute/infer';
import { setupCompute, type ForcedBackend } from '../../compute/setup';
import { loadModelDir } from '../model/storage';
import { flipsFor } from '../../../shared/model-config';
import { AppError } from '../../../shared/result';
import { predictionFileFor, readProbabilityPng } from './probability-maps';

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
          'METRICS_SIZE_MISMATCH',
          `${file} is ${map.width}x${map.height} but ${entry.id} is ${width}x${height}; write the map at the image's size.`,
        );
      }
      return map.data;
    },
  };
}

export interface ModelSourceOptions {
  backend?: ForcedBackend;
  /** Tiles (default) or LadderNet's sliding patches. */
  mode?: InferenceOptions['mode'];
  /** Average the four flips; default: the model's own setting (its config's `inference`). */
  flips?: boolean;
  /** Threads for the wasm backend; default 1 (see openModelSource). */
  wasmThreads?: number;
  signal?: AbortSignal;
}

/** A model run here, with the seconds each image took. */
export interface ModelSource extends ProbabilitySource {
  backend: string | null;
  /** Whether the four flips are averaged. */
  flips: boolean;
  /** Seconds of inference per image so far (preprocessing excluded). */
  seconds: number[];
  dispose(): void;
}

/**
 * Loads a model folder and predicts with it. A split is preprocessed as one set (the
 * set-level normalisation of LadderNet's recipe needs all its images), then image by image.
 */
export async function openModelSource(
  dir: string,
  options: ModelSourceOptions = {},
): Promise<ModelSource> {
  // One wasm thread by default, as `predict` does: the threaded build's pthread workers would
  // keep a CLI process alive after the command returns. The compute process may ask for more.
  const report = await setupCompute(options.backend, { wasmThreads: options.wasmThreads ?? 1 });
  const loaded = await loadModelDir(dir);
  const preprocessing = parsePreprocessConfig(
    loaded.config.preprocessing ?? PREPROCESS_RECIPES.laddernet,
  );
  const flips = flipsFor(loaded.config, options.flips);
  const prepared = new Map<string, Float32Array>();
  const seconds: number[] = [];
  const prepare = async (entries: readonly ImageEntry[]) => {
    const rgb = await Promise.all(entries.map((entry) => loadRgb(entry)));
    const pixels = await preprocessImages(rgb, preprocessing);
    entries.forEach((entry, i) => prepared.set(entry.id, pixels[i]));
  };
  return {
    description: `model ${loaded.dir}${loaded.config.preprocessing === null ? ' (no stored preprocessing: the laddernet recipe)' : ''}${flips ? ', averaged over the four flips' : ''}`,
    backend: report.active,
    flips,
    seconds,
    prepare,
    async probabilities(entry, width, height) {
      if (!prepared.has(entry.id)) await prepare([entry]);
      const data = prepared.get(entry.id)!;
      prepared.delete(entry.id);
      const started = process.hrtime.bigint();
      const probabilities = await predictProbabilities(
        loaded.model,
        { width, height, channels: 1, data },
        {
          config: loaded.config,
          mode: options.mode ?? 'tiles',
          flips,
          ...(options.signal ? { signal: options.signal } : {}),
        },
      );
      seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
      return probabilities;
    },
    dispose() {
      loaded.model.dispose();
    },
  };
}
