/**
 * The training loop, run inside the compute process: patches from the training images, Adam
 * with a learning-rate schedule, validation on fixed patches of held-out images after every
 * epoch, the best model by validation loss written to the output folder, a resumable
 * checkpoint beside it, early stopping, divergence detection and cancel between batches.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import type { ModelConfig } from '../../../shared/model-config';
import { SeededRandom } from '../../engine/dataset/random';
import {
  areaUnderRoc,
  countsAtThreshold,
  metricsFromCounts,
  rankImages,
} from '../../engine/metrics';
import { updateModelMeta } from '../../engine/model/files';
import { saveModelDir } from '../model/storage';
import { pooledTrainStep, type GradientWorkerPool } from '../parallel/gradient-pool';
import { concatArrays } from '../parallel/shard-gradients';
import { GPU_ERROR_CODES } from '../webgpu/device';
import { gpuFaultOr, throwIfGpuFault } from '../webgpu/health';
import {
  checkpointDirFor,
  keptEpochDirFor,
  keptEpochsDirFor,
  saveCheckpoint,
  type CheckpointState,
  type LoadedCheckpoint,
} from './checkpoint';
import { DivergenceWatch, nonFiniteWeightsError } from './divergence';
import { EarlyStopping } from './early-stopping';
import {
  TRAIN_ERROR_CODES,
  type EpochRecord,
  type SkippedFiles,
  type TrainImage,
  type TrainProgress,
  type TrainSummary,
  type ValidationFigures,
} from './job';
import { batchLoss, cropCentre, vesselProbability } from './losses';
import type { TrainOptions } from './options';
import { WeightedPatchSampler, type PatchBatch, type WeightedImage } from './patches';
import { LearningRateSchedule } from './schedule';
import { splitByImage, splitWithValidation, type ImageSplit } from './split';
import { balancedPositiveWeight, lossWeightMap } from './weights';
import { trainingScaleOf } from '../rescale';

/** Random streams: the split uses 1; validation patches and each epoch's patches get their own. */
const VALIDATION_STREAM = 2;
const EPOCH_STREAM_BASE = 1000;

/** Adam whose learning rate the schedule can change between epochs. */
class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.999);
  }

  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }

  get currentLearningRate(): number {
    return this.learningRate;
  }
}

export interface TrainModelInput {
  /** The network to train (new, loaded for fine-tuning, or from the checkpoint when resuming). */
  model: tf.LayersModel;
  config: ModelConfig;
  /** Candidate images; test images among them are excluded by the split. */
  images: TrainImage[];
  options: TrainOptions;
  /** Folder the best model is written to. */
  outDir: string;
  signal?: AbortSignal;
  onProgress?: (progress: TrainProgress) => void;
  /** The checkpoint to continue from. */
  resume?: LoadedCheckpoint;
  /** The model folder a fine-tuning run started from. */
  initialModel?: string | null;
  /** Score `model` on the validation patches before the first step (TrainJob.validateInitial). */
  validateInitial?: boolean;
  /** Test images the caller left out before reading (recorded in the split). */
  excludedTestIds?: string[];
  /** Files of the data the caller went on without (recorded in the summary). */
  skipped?: SkippedFiles;
  /** Validation images fixed by the caller; omitted: drawn from the seed. */
  validationIds?: string[];
  /** Train on these of the training images only (TrainJob.trainOnly); the split is drawn first. */
  trainOnly?: string[];
  /** Where the images came from (recorded; a resume on other data is refused). */
  dataSource: string;
  backend: string;
  /**
   * Gradient workers holding twins of `model` (data-parallel training on several cores); each
   * batch is split between them. Omitted: every step runs in this thread.
   */
  gradientPool?: GradientWorkerPool;
}

/** Trains `model` in place and returns the run's figures; throws TRAIN_DIVERGED and friends. */
export async function trainModel(input: TrainModelInput): Promise<TrainSummary> {
  const { model, options, resume } = input;
  const started = Date.now();
  const checkpointDir = checkpointDirFor(input.outDir);
  const state = resume?.state;
  if (state && state.dataSource !== input.dataSource) {
    throw new AppError(
      TRAIN_ERROR_CODES.BAD_CHECKPOINT,
      `The checkpoint in ${checkpointDir} was trained on ${state.dataSource}, not ${input.dataSource}; resume with the same data or start a new run.`,
    );
  }

  const split =
    state?.split ??
    onlyTraining(
      withExcluded(
        input.validationIds
          ? fixedSplit(input.images, input.validationIds, options.seed)
          : splitByImage(input.images, options.validationFraction, options.seed),
        input.excludedTestIds ?? [],
      ),
      input.trainOnly,
    );
  const byId = new Map(input.images.map((image) => [image.id, image]));
  const pick = (ids: string[]) =>
    ids.map((id) => {
      const image = byId.get(id);
      if (!image)
        throw new AppError(
          TRAIN_ERROR_CODES.BAD_CHECKPOINT,
          `Image ${id} of the recorded split is missing from the data; resume with the same data or start a new run.`,
        );
      return image;
    });
  const trainImages = pick(split.train);
  // Validation patches come from the whole FOV whatever the training draws from, so every run
  // of a project is scored on the same patches.
  const validationImages = pick(split.validation).map(({ centres: _centres, ...image }) => image);
  // The scale inference matches other images to (--scale auto): the images the weights learnt from.
  // Images without a FOV mask have no diameter to measure and are left out of it.
  const trainingScale =
    trainingScaleOf(
      trainImages.flatMap((i) => (i.fov ? [{ fov: i.fov, width: i.width, height: i.height }] : [])),
    ) ?? undefined;
  if (trainImages.length === 0) {
    throw new AppError(
      TRAIN_ERROR_CODES.NO_IMAGES,
      `No training images: ${input.dataSource} has no images outside its test split.`,
    );
  }
  const positiveWeight =
    state?.positiveWeight ?? options.loss.positiveWeight ?? balancedPositiveWeight(trainImages);
  const weighted = (images: TrainImage[]): WeightedImage[] =>
    images.map((image) => ({
      ...image,
      lossWeight: lossWeightMap(image, options.loss, positiveWeight),
    }));
  const sampler = new WeightedPatchSampler(weighted(trainImages), {
    patchSize: options.patchSize,
    config: input.config,
    augment: options.augment,
  });
  const validationBatch =
    validationImages.length > 0 && options.validationPatches > 0
      ? new WeightedPatchSampler(weighted(validationImages), {
          patchSize: options.patchSize,
          config: input.config,
          augment: false,
        }).batch(options.validationPatches, new SeededRandom(options.seed, VALIDATION_STREAM))
      : null;

  const optimizer = new ScheduledAdam(options.learningRate);
  if (resume) await optimizer.setWeights(resume.optimizerWeights);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const schedule = new LearningRateSchedule(
    options.schedule,
    options.learningRate,
    options.epochs,
    state?.schedule,
  );
  const early = new EarlyStopping(options.earlyStopping, state?.earlyStopping);
  const divergence = new DivergenceWatch(
    options.divergence,
    Math.min(...(state?.history ?? []).map((r) => r.loss)),
  );
  const history: EpochRecord[] = state ? state.history.slice() : [];
  const previousSeconds = state?.seconds ?? 0;
  let hasCheckpoint = state !== undefined;
  let status: TrainSummary['status'] = 'completed';
  let batchesRun = 0;
  const totalBatches = (options.epochs - (state?.epochsDone ?? 0)) * options.stepsPerEpoch;

  const elapsed = () => (Date.now() - started) / 1000;
  const best = () => history.find((r) => r.epoch === early.bestEpoch) ?? null;
  const report = (
    progress: Omit<
      TrainProgress,
      'epochs' | 'batchesPerEpoch' | 'elapsedSeconds' | 'etaSeconds' | 'bestEpoch'
    >,
  ) => {
    const seconds = elapsed();
    const eta = batchesRun > 0 ? (seconds / batchesRun) * (totalBatches - batchesRun) : null;
    input.onProgress?.({
      ...progress,
      epochs: options.epochs,
      batchesPerEpoch: options.stepsPerEpoch,
      elapsedSeconds: seconds,
      etaSeconds: eta,
      bestEpoch: early.bestEpoch,
    });
  };

  report({
    phase: 'preparing',
    epoch: state?.epochsDone ?? 0,
    batch: 0,
    loss: null,
    valLoss: null,
    valAuc: null,
    valF1: null,
    learningRate: options.learningRate,
    message: `${trainImages.length} training and ${validationImages.length} validation images`,
  });

  // The starting model on the validation patches, once per run: a resumed run keeps the figure
  // its first session took, since its model has moved on since.
  const baseline: ValidationFigures | null =
    state?.baseline ??
    (input.validateInitial && !resume && validationBatch
      ? await validate(model, validationBatch, options)
      : null);
  throwIfGpuFault();

  // The step whose loss is still being read back (at most one: see startTrainStep).
  let inFlight: StepInFlight | null = null;
  let epochNow = state?.epochsDone ?? 0;
  try {
    for (let epoch = state?.epochsDone ?? 0; epoch < options.epochs; epoch++) {
      epochNow = epoch + 1;
      const epochStarted = Date.now();
      const learningRate = schedule.rateForEpoch(epoch);
      optimizer.setLearningRate(learningRate);
      const random = new SeededRandom(options.seed, EPOCH_STREAM_BASE + epoch);
      let lossSum = 0;
      /** Takes a step's loss: GPU faults, divergence, the running figures and progress. */
      const finishStep = async (step: StepInFlight) => {
        const loss = await step.loss;
        throwIfGpuFault();
        divergence.check(loss, {
          epoch: epoch + 1,
          batch: step.batch,
          learningRate,
          checkpointDir: hasCheckpoint ? checkpointDir : null,
        });
        lossSum += loss;
        batchesRun += 1;
        report({
          phase: 'batch',
          epoch: epoch + 1,
          batch: step.batch,
          loss: lossSum / step.batch,
          valLoss: null,
          valAuc: null,
          valF1: null,
          learningRate,
        });
        // Let the cancel message (and progress sends) through between batches.
        await new Promise((resolve) => setImmediate(resolve));
      };
      for (let batch = 1; batch <= options.stepsPerEpoch; batch++) {
        if (input.signal?.aborted) break;
        const patches = sampler.batch(options.batchSize, random);
        const step: StepInFlight = {
          batch,
          loss: input.gradientPool
            ? Promise.resolve(
                await pooledTrainStep(model, optimizer, variables, input.gradientPool, patches),
              )
            : startTrainStep(model, optimizer, variables, patches, options.loss.kind),
        };
        // The previous step's loss is awaited only now, with this step queued behind it: a
        // GPU keeps computing while its loss is read back (on cpu and wasm the step has already
        // run). Divergence is thus caught one step late, still before any checkpoint is written.
        const previous = inFlight;
        inFlight = step;
        if (previous) await finishStep(previous);
      }
      const last = inFlight;
      inFlight = null;
      if (last && !input.signal?.aborted) await finishStep(last);
      else if (last) await settled(last);
      if (input.signal?.aborted) {
        // A partial epoch is dropped: the checkpoint keeps the last finished one.
        status = 'cancelled';
        break;
      }
      if (!(await weightsAreFinite(model))) {
        throw nonFiniteWeightsError({
          epoch: epoch + 1,
          batch: options.stepsPerEpoch,
          learningRate,
          checkpointDir: hasCheckpoint ? checkpointDir : null,
        });
      }
      const validation = validationBatch ? await validate(model, validationBatch, options) : null;
      // A fault during the reads above may have left garbage in them: never save that.
      throwIfGpuFault();
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: lossSum / options.stepsPerEpoch,
        valLoss: validation?.loss ?? null,
        valAuc: validation?.auc ?? null,
        valF1: validation?.f1 ?? null,
        learningRate,
        seconds: (Date.now() - epochStarted) / 1000,
      };
      if (validation && !Number.isFinite(validation.loss)) {
        throw nonFiniteWeightsError({
          epoch: epoch + 1,
          batch: options.stepsPerEpoch,
          learningRate,
          checkpointDir: hasCheckpoint ? checkpointDir : null,
        });
      }
      history.push(record);
      const monitored = record.valLoss ?? record.loss;
      const { improved, stop } = early.record(epoch + 1, monitored);
      schedule.endEpoch(monitored);
      const saveTo = async (dir: string, extra: Record<string, unknown> = {}) =>
        saveModelDir(dir, model, {
          config: input.config,
          ...(trainingScale ? { trainingScale } : {}),
          trainingLog: history as unknown as Record<string, unknown>[],
          training: {
            ...trainingRecord(
              input,
              split,
              positiveWeight,
              early.bestEpoch ?? epoch + 1,
              previousSeconds + elapsed(),
            ),
            ...extra,
          },
        });
      if (improved) await saveTo(input.outDir);
      // Before the checkpoint: a run killed in between redoes this epoch and writes it again.
      if (options.keepEpochs)
        await saveTo(keptEpochDirFor(input.outDir, epoch + 1), { epoch: epoch + 1 });
      const checkpoint: CheckpointState = {
        format: 'vessel-studio-checkpoint',
        version: 1,
        epochsDone: epoch + 1,
        history,
        options,
        config: input.config,
        split,
        positiveWeight,
        schedule: schedule.snapshot(),
        earlyStopping: early.snapshot(),
        seconds: previousSeconds + elapsed(),
        initialModel: input.initialModel ?? null,
        baseline,
        dataSource: input.dataSource,
        savedAt: new Date().toISOString(),
      };
      await saveCheckpoint(checkpointDir, model, optimizer, checkpoint);
      hasCheckpoint = true;
      report({
        phase: 'epoch',
        epoch: epoch + 1,
        batch: options.stepsPerEpoch,
        loss: record.loss,
        valLoss: record.valLoss,
        valAuc: record.valAuc,
        valF1: record.valF1,
        learningRate,
        message: improved ? 'best so far: saved' : undefined,
      });
      if (stop) {
        status = 'early-stopped';
        break;
      }
    }
  } catch (error) {
    throw withCheckpointDir(
      await gpuFaultOr(error),
      hasCheckpoint ? checkpointDir : null,
      epochNow,
    );
  } finally {
    // A step still queued uses the optimizer's variables: let it finish before they go.
    if (inFlight) await settled(inFlight);
    optimizer.dispose();
  }

  const bestRecord = best();
  if (bestRecord) {
    // The best model was saved at its epoch; its log gets the epochs that came after it too.
    await updateModelMeta(input.outDir, {
      trainingLog: history as unknown as Record<string, unknown>[],
      training: {
        ...trainingRecord(
          input,
          split,
          positiveWeight,
          bestRecord.epoch,
          previousSeconds + elapsed(),
        ),
        status,
        epochsRun: history.length,
      },
    });
  }
  return {
    status,
    epochsRun: history.length,
    bestEpoch: bestRecord?.epoch ?? null,
    best: bestRecord,
    history,
    modelDir: bestRecord ? input.outDir : null,
    checkpointDir,
    epochsDir: options.keepEpochs ? keptEpochsDirFor(input.outDir) : null,
    split,
    skipped: input.skipped ?? { images: [], problems: [] },
    baseline,
    seconds: previousSeconds + elapsed(),
    backend: input.backend,
    workers: input.gradientPool?.workers ?? 1,
    parameters: model.countParams(),
  };
}

function withExcluded(split: ImageSplit, excluded: string[]): ImageSplit {
  return { ...split, excluded: [...new Set([...split.excluded, ...excluded])].sort() };
}

/**
 * A split whose training images are narrowed to `trainOnly` (validation untouched); the rest
 * are recorded as excluded. Refuses a narrowing that leaves nothing to train on.
 */
function onlyTraining(split: ImageSplit, trainOnly: string[] | undefined): ImageSplit {
  if (!trainOnly) return split;
  const wanted = new Set(trainOnly);
  const train = split.train.filter((id) => wanted.has(id));
  if (train.length === 0) {
    throw new AppError(
      TRAIN_ERROR_CODES.NO_IMAGES,
      `None of the images to train on (${trainOnly.join(', ') || 'none given'}) is a training image of this split: validation and test images are never trained on.`,
    );
  }
  const left = split.train.filter((id) => !wanted.has(id));
  return { ...split, train, excluded: [...new Set([...split.excluded, ...left])].sort() };
}

function fixedSplit(images: TrainImage[], validationIds: string[], seed: number): ImageSplit {
  try {
    return splitWithValidation(images, validationIds, seed);
  } catch (error) {
    throw new AppError(TRAIN_ERROR_CODES.BAD_OPTIONS, (error as Error).message);
  }
}

/** A training step whose loss is still on its way back from the device. */
interface StepInFlight {
  /** 1-based batch within the epoch. */
  batch: number;
  loss: Promise<number>;
}

/** Waits for a step that is being dropped (cancel, an error), so its tensors are released. */
async function settled(step: StepInFlight): Promise<void> {
  await step.loss.catch(() => undefined);
}

/**
 * Queues one optimiser step on a batch and starts reading its loss back; the promise gives the
 * batch loss. Reading starts at once so that, on a GPU, the step is submitted now and runs while
 * the caller prepares and queues the next one.
 */
function startTrainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  batch: PatchBatch,
  kind: TrainOptions['loss']['kind'],
): Promise<number> {
  const [n, h, w] = batch.shape;
  const lossTensor = tf.tidy(() => {
    const x = tf.tensor4d(batch.x, batch.shape);
    const y = tf.tensor4d(batch.y, [n, h, w, 1]);
    const weight = tf.tensor4d(batch.weight, [n, h, w, 1]);
    return optimizer.minimize(
      () => {
        const probability = vesselProbability(model.apply(x, { training: true }) as tf.Tensor4D);
        const [, oh, ow] = probability.shape;
        return batchLoss(kind, cropCentre(y, oh, ow), probability, cropCentre(weight, oh, ow));
      },
      true,
      variables,
    ) as tf.Scalar;
  });
  const loss = lossTensor
    .data()
    .then((values) => values[0] as number)
    .finally(() => lossTensor.dispose());
  // The caller awaits this only after queueing the next step: a read that fails meanwhile (a
  // lost device) must not count as an unhandled rejection. Awaiting it still throws.
  loss.catch(() => undefined);
  return loss;
}

/** Loss, AUC and F1 (at the threshold) of the fixed validation patches, inside the FOV. */
async function validate(
  model: tf.LayersModel,
  batch: PatchBatch,
  options: TrainOptions,
): Promise<ValidationFigures> {
  const [n, h, w, c] = batch.shape;
  const chunk = Math.max(1, options.batchSize * 2);
  const scores: Float32Array[] = [];
  const labels: Float32Array[] = [];
  const regions: Float32Array[] = [];
  let weightedLossSum = 0;
  let weightSum = 0;
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start);
    const figures = tf.tidy(() => {
      const x = tf.tensor4d(batch.x.subarray(start * h * w * c, (start + count) * h * w * c), [
        count,
        h,
        w,
        c,
      ]);
      const slice = (data: Float32Array) =>
        tf.tensor4d(data.subarray(start * h * w, (start + count) * h * w), [count, h, w, 1]);
      const probability = vesselProbability(model.predict(x) as tf.Tensor4D);
      const [, oh, ow] = probability.shape;
      const y = cropCentre(slice(batch.y), oh, ow);
      const weight = cropCentre(slice(batch.weight), oh, ow);
      const fov = cropCentre(slice(batch.fov), oh, ow);
      // Dice is a whole-batch loss: chunks are weighted by their weight sum, exact for BCE.
      const loss = batchLoss(options.loss.kind, y, probability, weight);
      return { loss, weightSum: tf.sum(weight), probability, y, fov };
    });
    const tensors = [figures.loss, figures.weightSum, figures.probability, figures.y, figures.fov];
    try {
      // All five reads in flight together: one wait for the device, not five.
      const [loss, chunkWeightSum, probability, y, fov] = (await Promise.all(
        tensors.map((t) => t.data()),
      )) as Float32Array[];
      const chunkWeight = chunkWeightSum![0] as number;
      weightedLossSum += (loss![0] as number) * chunkWeight;
      weightSum += chunkWeight;
      scores.push(probability!);
      labels.push(y!);
      regions.push(fov!);
    } finally {
      tf.dispose(tensors);
    }
  }
  const ranked = rankImages([
    {
      id: 'validation',
      scores: concatArrays(scores),
      label: Uint8Array.from(concatArrays(labels), (v) => (v > 0.5 ? 1 : 0)),
      region: Uint8Array.from(concatArrays(regions), (v) => (v > 0.5 ? 1 : 0)),
    },
  ]);
  const auc = areaUnderRoc(ranked);
  const f1 = metricsFromCounts(countsAtThreshold(ranked, options.threshold)).f1;
  return { loss: weightSum > 0 ? weightedLossSum / weightSum : NaN, auc, f1 };
}

/** Whether every trainable weight is finite (one read for all of them). */
async function weightsAreFinite(model: tf.LayersModel): Promise<boolean> {
  const finite = tf.tidy(() =>
    model.trainableWeights
      .map((w) => tf.all(tf.isFinite(w.read())))
      .reduce((all, one) => tf.logicalAnd(all, one)),
  );
  try {
    return (await finite.data())[0] === 1;
  } finally {
    finite.dispose();
  }
}

/**
 * A GPU fault (GPU_ERROR_CODES) that ended the run, saying where its last good checkpoint is,
 * as a divergence does; any other error unchanged.
 */
function withCheckpointDir(error: unknown, checkpointDir: string | null, epoch: number): unknown {
  const codes: readonly string[] = Object.values(GPU_ERROR_CODES);
  if (!(error instanceof AppError) || !codes.includes(error.code)) return error;
  const kept = checkpointDir ? ` The last good checkpoint is in ${checkpointDir}.` : '';
  return new AppError(error.code, `${error.message}${kept}`, { epoch, checkpointDir });
}

function trainingRecord(
  input: TrainModelInput,
  split: TrainSummary['split'],
  positiveWeight: number,
  bestEpoch: number,
  seconds: number,
): Record<string, unknown> {
  return {
    dataSource: input.dataSource,
    seed: input.options.seed,
    split,
    options: input.options,
    positiveWeight,
    backend: input.backend,
    initialModel: input.initialModel ?? null,
    bestEpoch,
    seconds,
  };
}
