/** What a training request carries into the compute process, and what comes back. */
import type { BackendName } from '../../../shared/api/app';
import type { TrainOptionsInput } from './options';

/**
 * One image ready for training: already preprocessed, with its label. Typed arrays cross the
 * process boundary by structured clone.
 */
export interface TrainImage {
  /** Stable id such as `training/21_training`. */
  id: string;
  /** The dataset split it comes from; `test` images are refused. */
  split: string;
  width: number;
  height: number;
  channels: number;
  /** H x W x C, row-major, preprocessed (roughly in [0, 1]). */
  pixels: Float32Array;
  /** H x W, 1 for vessel, 0 for background. */
  label: Uint8Array;
  /** H x W field-of-view mask (1 inside); absent means the whole image. */
  fov?: Uint8Array;
  /** H x W per-pixel loss weight (e.g. corrected pixels weighted up when fine-tuning); absent means 1. */
  weight?: Float32Array;
  /**
   * H x W, 1 where a training patch may be centred (inside the FOV too): the neighbourhood of
   * the person's corrections for a quick fine-tune. Absent: anywhere in the FOV.
   */
  centres?: Uint8Array;
}

/** A per-image replacement label and/or weight map for images read from a folder (fine-tuning). */
export interface ImageOverride {
  /** H x W, 1 for vessel: the user's current mask, corrections included. */
  label?: Uint8Array;
  /** H x W per-pixel loss weight. */
  weight?: Float32Array;
  /** H x W, 1 where patches may be centred (TrainImage.centres). */
  centres?: Uint8Array;
}

export type TrainData =
  | {
      kind: 'folder';
      /** A dataset root that openDataset understands (DRIVE layout and friends). */
      root: string;
      /** Which manual segmentation to learn from (default `1st`). */
      observer?: '1st' | '2nd';
      /** Replacement labels or weight maps by image id. */
      overrides?: Record<string, ImageOverride>;
      /**
       * Train without the files openDataset could not use (named in the summary's `skipped`);
       * without it a problem outside the test split is refused with TRAIN_BAD_FILES.
       */
      skipBad?: boolean;
    }
  | { kind: 'images'; images: TrainImage[] };

/** Where the weights start from. */
export type ModelSource =
  /** A new model from a config (the model area's ModelConfig, as JSON). */
  | { kind: 'config'; config: unknown }
  /** Fine-tune an existing model directory. */
  | { kind: 'dir'; dir: string };

export interface TrainJob {
  data: TrainData;
  /** Ignored when `resume` is set (the checkpoint knows its model). */
  model?: ModelSource;
  /** Folder the best model is written to; its `checkpoint/` subfolder holds the resumable state. */
  outDir: string;
  /** Continue the interrupted run whose output folder is `outDir`. */
  resume?: boolean;
  options?: TrainOptionsInput;
  /**
   * Validation image ids fixed by the caller (a project keeps one split for every retrain);
   * omitted: drawn from the seed. Test images are refused either way.
   */
  validationIds?: string[];
  /**
   * Train on these images only (a quick fine-tune's corrected images); the validation split is
   * drawn from every image as without it, so it stays the project's. Omitted: every training image.
   */
  trainOnly?: string[];
  /** Force a tfjs backend inside the compute process. */
  backend?: BackendName;
  /**
   * Gradient workers (data-parallel training, one thread each): a number, or `auto` (default):
   * one per core where that helps (wasm or cpu backend, a loss that splits exactly, batches of
   * at least two). VESSEL_TRAIN_WORKERS overrides `auto` except on webgpu, which uses one.
   */
  workers?: number | 'auto';
  /**
   * Fine-tuning (`model` a folder): score the model as it starts, before any step, on the same
   * validation patches every epoch is scored on, and return it as the summary's `baseline`, so
   * the caller can tell whether the run made the model better.
   */
  validateInitial?: boolean;
}

/** One finished epoch. */
/** Loss, AUC and F1 (at the threshold) of the fixed validation patches, inside the FOV. */
export interface ValidationFigures {
  loss: number;
  auc: number | null;
  f1: number | null;
}

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Validation figures (null without validation images). */
  valLoss: number | null;
  valAuc: number | null;
  valF1: number | null;
  learningRate: number;
  seconds: number;
}

export interface TrainProgress {
  phase: 'preparing' | 'batch' | 'epoch' | 'checkpoint';
  /** 1-based epoch in progress (0 while preparing). */
  epoch: number;
  epochs: number;
  /** 1-based batch within the epoch. */
  batch: number;
  batchesPerEpoch: number;
  /** Mean training loss of the epoch so far. */
  loss: number | null;
  valLoss: number | null;
  valAuc: number | null;
  valF1: number | null;
  learningRate: number;
  elapsedSeconds: number;
  /** Estimated seconds left (null until one batch has run). */
  etaSeconds: number | null;
  bestEpoch: number | null;
  message?: string;
}

export interface TrainSummary {
  /** `completed`: every epoch ran; `early-stopped`: patience ran out; `cancelled`: stopped on request. */
  status: 'completed' | 'early-stopped' | 'cancelled';
  epochsRun: number;
  bestEpoch: number | null;
  best: EpochRecord | null;
  history: EpochRecord[];
  /** Where the best model is (null when no epoch finished). */
  modelDir: string | null;
  checkpointDir: string;
  /** Where every epoch's weights are kept (TrainOptions.keepEpochs); null when they are not. */
  epochsDir: string | null;
  split: { seed: number; train: string[]; validation: string[]; excluded: string[] };
  /** What training went on without (skipBad): empty when every file outside the test split was usable. */
  skipped: SkippedFiles;
  /**
   * The starting model's validation figures (`validateInitial`), on the patches the epochs were
   * scored on; null when not asked for or there is no validation split.
   */
  baseline: ValidationFigures | null;
  seconds: number;
  backend: string;
  /** Threads that computed gradients (1: this process alone). */
  workers: number;
  parameters: number;
}

/** The files of a dataset folder a run went on without, and the images that left out. */
export interface SkippedFiles {
  /** Absolute paths of the images left out. */
  images: string[];
  /** Every unusable file outside the test split: its path, code and what is wrong with it. */
  problems: { file: string; code: string; message: string }[];
}

export { TRAIN_ERROR_CODES } from '../../../shared/api/errors';
