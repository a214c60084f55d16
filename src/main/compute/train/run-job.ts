/**
 * A training request as the compute process runs it: choose the backend, validate the options,
 * get the model (new from a config, a model folder to fine-tune, or the checkpoint to resume),
 * read and preprocess the images, then run the loop with progress and cancel wired to the host.
 */
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError, parseOrThrow } from '../../../shared/result';
import { modelConfigSchema, type ModelConfig } from '../../../shared/model-config';
import {
  loadTrainingImages,
  openDataset,
  parsePreprocessConfig,
  PREPROCESS_RECIPES,
  type ImageEntry,
} from '../../engine/dataset';
import { badFilesIn, leftOutImages, refuseBadFiles } from '../../engine/metrics/bad-files';
import { buildModel } from '../model/build';
import { initSchemeFor, seedInitialWeights } from '../model/seeded-init';
import { loadModelDir } from '../model/storage';
import { GradientWorkerPool } from '../parallel/gradient-pool';
import { canSplitLoss } from '../parallel/shard-gradients';
import { setupCompute } from '../setup';
import type { WorkerRequestContext } from '../worker';
import { checkpointDirFor, loadCheckpoint, type LoadedCheckpoint } from './checkpoint';
import {
  TRAIN_ERROR_CODES,
  type TrainData,
  type TrainImage,
  type TrainJob,
  type SkippedFiles,
  type TrainProgress,
  type TrainSummary,
} from './job';
import { trainModel } from './loop';
import { trainingPatchGeometry } from './patch-geometry';
import { trainOptionsSchema, type TrainOptions } from './options';
import { isTestImage } from './split';

/** The preprocessing a new model gets when its config names none: LadderNet's DRIVE protocol. */
export const DEFAULT_PREPROCESSING = PREPROCESS_RECIPES.laddernet;

/** Runs one training job in this process. */
export async function runTrainJob(
  job: TrainJob,
  ctx: WorkerRequestContext<TrainProgress>,
  startPool: typeof GradientWorkerPool.start = (options) => GradientWorkerPool.start(options),
): Promise<TrainSummary> {
  const backend = await setupCompute(job.backend ? { name: job.backend, by: 'flag' } : undefined);
  const outDir = path.resolve(job.outDir);
  let resume: LoadedCheckpoint | undefined;
  let options: TrainOptions;
  let model: tf.LayersModel;
  let config: ModelConfig;
  let initialModel: string | null = null;

  if (job.resume) {
    resume = await loadCheckpoint(checkpointDirFor(outDir));
    // A resumed run keeps its options; only the number of epochs may be raised to train longer.
    options = {
      ...resume.state.options,
      ...(job.options?.epochs !== undefined
        ? { epochs: parseOptions({ epochs: job.options.epochs }).epochs }
        : {}),
    };
    model = resume.model;
    config = resume.state.config;
    initialModel = resume.state.initialModel;
  } else {
    options = parseOptions(job.options ?? {});
    if (job.model?.kind === 'dir') {
      const loaded = await loadModelDir(job.model.dir);
      model = loaded.model;
      config = loaded.config;
      initialModel = loaded.dir;
    } else {
      config = parseOrThrow(
        modelConfigSchema,
        job.model?.config,
        TRAIN_ERROR_CODES.BAD_OPTIONS,
        (where) =>
          `The model configuration is invalid: ${where}. Pick a preset (--arch) or fix the config file.`,
      );
      if (job.data.kind === 'folder' && config.preprocessing === null)
        config = { ...config, preprocessing: { ...DEFAULT_PREPROCESSING } };
      model = buildModel(config);
      // tfjs-layers initialises unseeded: draw the initial weights from the run's seed, with
      // the scheme the architecture was published with.
      seedInitialWeights(model, options.seed, initSchemeFor(config));
    }
  }

  try {
    // An impossible patch size is refused before the images are read (seconds on a large set).
    trainingPatchGeometry(config, options.patchSize);
  } catch (error) {
    model.dispose();
    throw error;
  }
  ctx.progress({ ...preparing(options), message: 'reading images' });
  const { images, source, excludedTestIds, skipped } = await readImages(job.data, config);
  if (images.some((i) => i.channels !== config.inputChannels)) {
    throw new AppError(
      TRAIN_ERROR_CODES.BAD_OPTIONS,
      `The model takes ${config.inputChannels} input channel(s) but the images have ${images[0]?.channels}; set inputChannels in the model config.`,
    );
  }
  const backendName = backend.active ?? 'cpu';
  const workers = gradientWorkerCount(job.workers, {
    backend: backendName,
    lossKind: options.loss.kind,
    batchSize: options.batchSize,
    cores: os.cpus().length,
    env: process.env,
  });
  let gradientPool: GradientWorkerPool | undefined;
  try {
    if (workers > 1) {
      ctx.progress({
        ...preparing(options),
        message: `starting ${workers} gradient workers (one core each)`,
      });
      try {
        gradientPool = await startPool({
          workers,
          config,
          lossKind: options.loss.kind,
          backend: backendName,
        });
      } catch (error) {
        // Asked for by number: the caller wants to know. Chosen automatically: one thread
        // still trains, only slower, so say why and go on.
        if (typeof job.workers === 'number') throw error;
        const why = error instanceof Error ? error.message : String(error);
        ctx.log('warn', `Training on one thread: the gradient workers did not start (${why}).`);
        ctx.progress({ ...preparing(options), message: `training on one thread: ${why}` });
      }
    }
    return await trainModel({
      model,
      config,
      images,
      options,
      outDir,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress(p),
      ...(resume ? { resume } : {}),
      initialModel,
      validateInitial: job.validateInitial === true && initialModel !== null,
      ...(job.validationIds ? { validationIds: job.validationIds } : {}),
      ...(job.trainOnly ? { trainOnly: job.trainOnly } : {}),
      excludedTestIds,
      skipped,
      dataSource: source,
      backend: backend.active ?? tf.getBackend(),
      ...(gradientPool ? { gradientPool } : {}),
    });
  } finally {
    await gradientPool?.dispose();
    model.dispose();
    if (resume) tf.dispose(resume.optimizerWeights.map((w) => w.tensor));
  }
}

/** A progress event of the preparing phase. */
function preparing(options: TrainOptions): TrainProgress {
  return {
    phase: 'preparing',
    epoch: 0,
    epochs: options.epochs,
    batch: 0,
    batchesPerEpoch: options.stepsPerEpoch,
    loss: null,
    valLoss: null,
    valAuc: null,
    valF1: null,
    learningRate: options.learningRate,
    elapsedSeconds: 0,
    etaSeconds: null,
    bestEpoch: null,
  };
}

export interface WorkerCountFacts {
  backend: string;
  lossKind: TrainOptions['loss']['kind'];
  batchSize: number;
  cores: number;
  env: NodeJS.ProcessEnv;
}

/**
 * How many gradient workers a run uses. A number is taken as asked (and refused where it cannot
 * work); `auto` uses VESSEL_TRAIN_WORKERS if set, else one per core on the wasm and cpu
 * backends (tfjs-node already uses every core), at most one per sample of a batch, and one
 * where the loss does not split exactly over shards (Dice). On webgpu it is always one.
 */
export function gradientWorkerCount(
  requested: number | 'auto' | undefined,
  facts: WorkerCountFacts,
): number {
  // Workers split a batch over CPU cores, each thread with a tfjs of its own. On webgpu the GPU
  // computes the whole batch, and a worker thread cannot share the coordinator's device; the
  // variable tunes CPU runs, so it does not apply either.
  const onGpu = facts.backend === 'webgpu';
  const fromEnv = facts.env.VESSEL_TRAIN_WORKERS;
  if (
    !onGpu &&
    (requested === undefined || requested === 'auto') &&
    fromEnv !== undefined &&
    fromEnv !== ''
  ) {
    const parsed = fromEnv === 'auto' ? 'auto' : Number(fromEnv);
    if (parsed !== 'auto' && !(Number.isInteger(parsed) && parsed >= 1)) {
      throw new AppError(
        TRAIN_ERROR_CODES.BAD_OPTIONS,
        `VESSEL_TRAIN_WORKERS must be a whole number of at least 1 or "auto", got "${fromEnv}".`,
      );
    }
    if (parsed !== 'auto') return gradientWorkerCount(parsed, { ...facts, env: {} });
  }
  if (typeof requested === 'number') {
    if (!Number.isInteger(requested) || requested < 1) {
      throw new AppError(
        TRAIN_ERROR_CODES.BAD_OPTIONS,
        `The number of gradient workers must be a whole number of at least 1, got ${requested}.`,
      );
    }
    if (requested > 1 && onGpu) {
      throw new AppError(
        TRAIN_ERROR_CODES.BAD_OPTIONS,
        `Gradient workers split a batch over CPU cores; the webgpu backend computes the whole batch on the GPU. Use 1 worker (or auto), or --backend wasm for ${requested} workers.`,
      );
    }
    if (requested > 1 && !canSplitLoss(facts.lossKind)) {
      throw new AppError(
        TRAIN_ERROR_CODES.BAD_OPTIONS,
        `The ${facts.lossKind} loss is a ratio over the whole batch and does not split over gradient workers: use 1 worker, or the bce or weighted-bce loss.`,
      );
    }
    if (requested > facts.batchSize) {
      throw new AppError(
        TRAIN_ERROR_CODES.BAD_OPTIONS,
        `${requested} gradient workers need batches of at least ${requested} samples (the batch size is ${facts.batchSize}).`,
      );
    }
    return requested;
  }
  if (facts.backend !== 'wasm' && facts.backend !== 'cpu') return 1;
  if (!canSplitLoss(facts.lossKind)) return 1;
  return Math.max(1, Math.min(facts.cores, facts.batchSize));
}

function parseOptions(raw: unknown): TrainOptions {
  return parseOrThrow(
    trainOptionsSchema,
    raw,
    TRAIN_ERROR_CODES.BAD_OPTIONS,
    (where) => `The training options are invalid: ${where}.`,
  );
}

/** The images of a job: as given, or read from a dataset folder (test split left out) and preprocessed. */
async function readImages(
  data: TrainData,
  config: ModelConfig,
): Promise<{
  images: TrainImage[];
  source: string;
  excludedTestIds: string[];
  skipped: SkippedFiles;
}> {
  if (data.kind === 'images') {
    return {
      images: data.images,
      source: 'images given by the caller',
      excludedTestIds: [],
      skipped: { images: [], problems: [] },
    };
  }
  const index = await openDataset(data.root);
  // Test files are never read, so only the problems of the other splits change the run.
  const bad = await badFilesIn(index, ['training', 'all']);
  if (data.skipBad !== true) refuseBadFiles(index.root, bad, TRAIN_ERROR_CODES.BAD_FILES, 'train');
  const skipped: SkippedFiles = {
    images: leftOutImages(bad),
    problems: bad.problems.map(({ file, code, message }) => ({ file, code, message })),
  };
  const all: ImageEntry[] = [
    ...(index.splits.training ?? []),
    ...(index.splits.test ?? []),
    ...(index.splits.all ?? []),
  ];
  // Test images are never read: not even their statistics reach the set-wide normalisation.
  const entries = all.filter((e) => !isTestImage(e));
  const excludedTestIds = all.filter((e) => isTestImage(e)).map((e) => e.id);
  if (entries.length === 0) {
    throw new AppError(
      TRAIN_ERROR_CODES.NO_IMAGES,
      `${index.root} has no images outside its test split to train on. Add a training folder.`,
    );
  }
  const observer = data.observer ?? '1st';
  const preprocessing = parsePreprocessConfig(config.preprocessing ?? DEFAULT_PREPROCESSING);
  const loaded = await loadTrainingImages(entries, preprocessing, observer);
  const images = loaded.map((image, k): TrainImage => {
    const override = data.overrides?.[image.id];
    return {
      id: image.id,
      split: (entries[k] as ImageEntry).split,
      width: image.width,
      height: image.height,
      channels: image.channels,
      pixels: image.image,
      label: override?.label ?? image.label,
      fov: image.fov,
      ...(override?.weight ? { weight: override.weight } : {}),
      ...(override?.centres ? { centres: override.centres } : {}),
    };
  });
  return { images, source: `${index.root} (${observer} observer)`, excludedTestIds, skipped };
}
