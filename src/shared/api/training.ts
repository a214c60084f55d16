/**
 * One-click retrain and evaluate: training runs of the open project, its model versions and
 * their evaluations on the test split, as the studio shows them. Every figure carries the
 * protocol it was measured under.
 */
import { z } from 'zod';
import { event, request } from './define';
import {
  codesOf,
  COMPUTE_WORK_ERRORS,
  METRICS_ERROR_CODES,
  SESSION_ERRORS,
  SESSION_READ_ERRORS,
  TRAIN_ERROR_CODES,
  TRAINING_ERROR_CODES,
} from './errors';
import type { HeadlineMetricName, MetricName } from './metrics';

/**
 * The one set of limits of every training option, whoever sets it: the studio's settings panel,
 * the engine's `training.start`, the CLI's flags and `--config` files, the compute process.
 * Outside them a value is a mistake, not a choice: a learning rate above 1 is far past where Adam
 * diverges, and seeds are 32-bit.
 */
export const TRAINING_LIMITS = {
  seed: { min: 0, max: 2 ** 31 - 1 },
  epochs: { min: 1, max: 100_000 },
  /** Batches per epoch. */
  stepsPerEpoch: { min: 1, max: 10_000_000 },
  batchSize: { min: 1, max: 1024 },
  /** Side of the square output patch in pixels. */
  patchSize: { min: 8, max: 4096 },
  learningRate: { min: 1e-9, max: 1 },
  /** Pixels the person corrected count this many times in the loss (Retrain only). */
  correctionWeight: { min: 1, max: 100 },
} as const;

/** An option with limits. */
export type LimitedTrainingOption = keyof typeof TRAINING_LIMITS;

/** Options counted in whole numbers; the others (learning rate, correction weight) are real. */
const WHOLE_NUMBER_OPTIONS: readonly LimitedTrainingOption[] = [
  'seed',
  'epochs',
  'stepsPerEpoch',
  'batchSize',
  'patchSize',
];

/** Whether an option takes whole numbers only (the CLI and the settings panel step by 1). */
export function isWholeNumberOption(key: LimitedTrainingOption): boolean {
  return WHOLE_NUMBER_OPTIONS.includes(key);
}

function limited(key: LimitedTrainingOption) {
  const { min, max } = TRAINING_LIMITS[key];
  const number = isWholeNumberOption(key) ? z.number().int() : z.number();
  return number.min(min).max(max);
}

/** The zod schema of each limited option, without a default: the only place limits become zod. */
export const trainingOptionFields = {
  seed: limited('seed'),
  epochs: limited('epochs'),
  stepsPerEpoch: limited('stepsPerEpoch'),
  batchSize: limited('batchSize'),
  patchSize: limited('patchSize'),
  learningRate: limited('learningRate'),
  correctionWeight: limited('correctionWeight'),
};

/**
 * Defaults of a training run from scratch (the CLI's `train`, --config files, the ablation
 * table). LadderNet's released DRIVE setup where it states one: 48x48 patches, Adam with
 * lr 1e-3, best validation loss kept.
 */
export const TRAINING_DEFAULTS = {
  seed: 1,
  epochs: 50,
  stepsPerEpoch: 200,
  batchSize: 16,
  patchSize: 48,
  learningRate: 1e-3,
  augment: true,
} as const;

/**
 * The options every training run has, with their limits and defaults. The compute process
 * extends it with its own (validation, loss, schedule, augmentation config...); the studio's
 * Retrain settings take their fields from `trainingOptionFields` too.
 */
export const trainingOptionsSchema = z
  .object({
    seed: trainingOptionFields.seed.default(TRAINING_DEFAULTS.seed),
    epochs: trainingOptionFields.epochs.default(TRAINING_DEFAULTS.epochs),
    /** Batches per epoch. */
    stepsPerEpoch: trainingOptionFields.stepsPerEpoch.default(TRAINING_DEFAULTS.stepsPerEpoch),
    batchSize: trainingOptionFields.batchSize.default(TRAINING_DEFAULTS.batchSize),
    /**
     * Side of the square training patches, in pixels: the network output. U-Nets with valid
     * convolutions read their receptive border around it as input context.
     */
    patchSize: trainingOptionFields.patchSize.default(TRAINING_DEFAULTS.patchSize),
    learningRate: trainingOptionFields.learningRate.default(TRAINING_DEFAULTS.learningRate),
    augment: z.boolean().default(TRAINING_DEFAULTS.augment),
  })
  .strict();

/**
 * What a run learns from: `all` the training images (the full Retrain, evaluated on the test
 * split before it ends), or `corrections`, the quick fine-tune: only the training images the
 * person corrected, with every patch centred near a corrected pixel. A quick run ends with its
 * validation decision; the background predictions then show and evaluate the new version.
 */
export const RETRAIN_SCOPES = ['all', 'corrections'] as const;

export type RetrainScope = (typeof RETRAIN_SCOPES)[number];

/** What the Retrain button runs, every field decided (the run's record keeps it). */
export const retrainSettingsSchema = z
  .object({
    /** Fine-tune the active model (true) or train a new architecture from scratch (false). */
    fineTune: z.boolean(),
    /** Every training image, or only the corrected ones and their neighbourhoods (fine-tune only). */
    scope: z.enum(RETRAIN_SCOPES),
    /** Preset of the architecture for a run from scratch (see src/shared/model-config.ts). */
    arch: z.string().min(1).max(100),
    epochs: trainingOptionFields.epochs,
    stepsPerEpoch: trainingOptionFields.stepsPerEpoch,
    batchSize: trainingOptionFields.batchSize,
    patchSize: trainingOptionFields.patchSize,
    learningRate: trainingOptionFields.learningRate,
    augment: z.boolean(),
    /** Pixels the person corrected count this many times in the loss. */
    correctionWeight: trainingOptionFields.correctionWeight,
  })
  .strict();

export type RetrainSettings = z.output<typeof retrainSettingsSchema>;

/**
 * What `training.start` takes: any of the settings, the rest filled by the engine with
 * `defaultRetrainSettings` (src/shared/retrain-defaults.ts) for its backend and model.
 */
export const retrainSettingsInputSchema = retrainSettingsSchema.partial();

export type RetrainSettingsInput = z.input<typeof retrainSettingsInputSchema>;

/** The architectures the studio offers for a Retrain from scratch (presets of model-config.ts). */
export const RETRAIN_ARCHS = ['bench-unet', 'unet-shared-residual', 'laddernet'] as const;

/**
 * Retrain's defaults on a backend of CPU speed (wasm, cpu, tensorflow, a software GPU adapter).
 * A fine-tune starts from trained weights: a tenth of the from-scratch learning rate and
 * 5 epochs x 50 steps x 16 = 4,000 patches, about 2-3 minutes at wasm's 20-30 patches/s on two
 * cores. `defaultRetrainSettings` scales them up for a GPU.
 */
export const RETRAIN_DEFAULTS: Readonly<RetrainSettings> = Object.freeze({
  fineTune: true,
  scope: 'all',
  arch: 'bench-unet',
  epochs: 5,
  stepsPerEpoch: 50,
  batchSize: TRAINING_DEFAULTS.batchSize,
  patchSize: TRAINING_DEFAULTS.patchSize,
  learningRate: 1e-4,
  augment: true,
  correctionWeight: 5,
});

/**
 * The fixed split of a project: validation images are drawn once with the project's split seed
 * (never reshuffled by a retrain, so nothing trained on earlier leaks into validation), and
 * test images are never trained on.
 */
export interface ProjectSplit {
  training: string[];
  validation: string[];
  test: string[];
  seed: number;
  /** Where the test images come from: the set's own test split, or the held-out rule and why. */
  testRule?: string;
}

export type TrainingRunStatus =
  'queued' | 'running' | 'evaluating' | 'finished' | 'cancelled' | 'failed';

export interface TrainingProgress {
  runId: number;
  /** Training, then (a full Retrain) predicting every image and scoring the test split. */
  phase: 'training' | 'evaluating';
  epoch: number;
  epochs: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  /** Set at the end of each epoch. */
  valLoss: number | null;
  valF1: number | null;
  valAuc: number | null;
  /**
   * Seconds left in the whole run: the training still to do and, for a run that evaluates, the
   * images still to predict (counted at the time per image measured this session, then at the
   * evaluation's own pace). Null until it can be estimated.
   */
  etaSeconds: number | null;
  /**
   * The evaluation's images: done of total (done is 0 while training); null for a run that does
   * not evaluate (the quick fine-tune).
   */
  evaluation: { done: number; total: number } | null;
  /**
   * False while the time the evaluation will take is not known yet (no image predicted this
   * session): `etaSeconds` then covers the training only and the front ends say so.
   */
  evaluationTimed: boolean;
  /** Share of the whole run done, in [0, 1]: elapsed / (elapsed + etaSeconds) once it is known. */
  fraction: number;
  backend: string;
}

export interface TrainingRunState {
  runId: number;
  status: TrainingRunStatus;
  settings: RetrainSettings;
  parentModelId: number | null;
  /** The model version the run produced (finished, or cancelled with a checkpoint). */
  modelId: number | null;
  startedAt: string;
  finishedAt: string | null;
  /** One point per finished epoch, for the live chart. */
  history: { epoch: number; loss: number; valLoss: number | null; valF1: number | null }[];
  last: TrainingProgress | null;
  error: { code: string; message: string; action: string } | null;
  /**
   * Whether the new version replaced the active one, decided on validation once the run ended
   * (null before that, or when no version came out of it).
   */
  decision: RunDecision | null;
}

/** A run's verdict on its new version: made active, or kept beside the active one. */
export interface RunDecision {
  activate: boolean;
  /** One sentence for the person: the figures compared and what to do to switch. */
  message: string;
}

/** Pooled figures of a model version on the test split (FOV, 1st manual, threshold 0.5). */
export type HeadlineFigures = Record<HeadlineMetricName, number | null>;

export interface ModelVersionSummary {
  id: number;
  name: string;
  parentId: number | null;
  createdAt: string;
  backend: string;
  arch: string;
  active: boolean;
  /** Training data: how many images, how many of them with the person's corrections. */
  trainedOn: { images: number; corrected: number };
  /** Null until evaluated. */
  test: HeadlineFigures | null;
}

export interface EvaluationProtocol {
  split: 'test';
  observer: '1st' | '2nd';
  region: 'fov' | 'whole-image';
  pooling: 'pooled' | 'per-image-mean';
  threshold: { value: number; chosenOn: 'fixed' | 'training' };
  /** True when each probability map is the mean over the four flips (the model's setting). */
  flips?: boolean;
  /** With flips: true when the mean is over the eight flips and quarter turns (the model's `turns`). */
  turns?: boolean;
  /**
   * The dataset's unusable files the evaluation went on without (the studio trains and scores
   * the images it opened): each problem with its file, and the images left out. Absent: none.
   */
  leftOut?: {
    images: string[];
    problems: { file: string; code: string; message: string }[];
  };
  /** One line for tables: "test split, inside the FOV, pooled over 20 images, 1st manual, threshold 0.5". */
  description: string;
}

/** Every metric of an evaluation, null where it is undefined (e.g. a zero denominator). */
export type MetricRow = Record<MetricName, number | null>;

export interface EvaluationView {
  /** Null for the second observer. */
  modelId: number | null;
  label: string;
  protocol: EvaluationProtocol;
  pooled: MetricRow;
  /** Per-image mean and standard deviation of each metric. */
  perImageMean: MetricRow;
  perImageStd: MetricRow;
  perImage: { imageId: string; metrics: MetricRow }[];
  /** Downsampled curves (area within 1e-4 of the exact one); null for binary masks. */
  roc: { fpr: Float32Array; tpr: Float32Array } | null;
  pr: { recall: Float32Array; precision: Float32Array } | null;
  /** The threshold chosen on training images (best F1), with its pooled test figures. */
  trainingThreshold: { value: number; metrics: MetricRow } | null;
  createdAt: string;
}

export interface PublishedRow {
  method: string;
  source: string;
  protocol: string;
  comparable: boolean;
  f1: number | null;
  sensitivity: number | null;
  specificity: number | null;
  accuracy: number | null;
  auc: number | null;
  note: string | null;
}

export interface MetricDelta {
  name: HeadlineMetricName;
  before: number | null;
  after: number | null;
  delta: number | null;
}

export interface ModelComparison {
  modelId: number;
  baselineId: number;
  pooled: MetricDelta[];
  perImage: { imageId: string; deltas: MetricDelta[]; regressed: boolean }[];
}

/** What the evaluation requests fail with: the session, the dataset, the model records, the metrics. */
const EVALUATION_ERRORS = [
  ...SESSION_READ_ERRORS,
  ...codesOf(TRAINING_ERROR_CODES),
  ...codesOf(METRICS_ERROR_CODES),
];

export const trainingRequests = {
  'training.split': request<ProjectSplit>()(
    z.object({}).strict().default({}),
    'The fixed training / validation / test split of the open project.',
    { errors: SESSION_READ_ERRORS },
  ),
  'training.start': request<TrainingRunState>()(
    z.object({ settings: retrainSettingsInputSchema.default({}) }).strict(),
    'Starts a training run on the current masks (corrections included): fine-tunes the active model or trains from scratch, then evaluates the new version on the test split; with scope "corrections" (the quick fine-tune) it trains on the corrected training images only and leaves the evaluation to the background predictions. Settings left out take the defaults for the backend in use, the model trained and the scope.',
    {
      errors: [
        ...SESSION_READ_ERRORS,
        ...codesOf(TRAINING_ERROR_CODES),
        // A run that fails later carries these in its state (training.current, training.runs).
        ...codesOf(TRAIN_ERROR_CODES),
        ...COMPUTE_WORK_ERRORS,
      ],
    },
  ),
  'training.cancel': request<{ cancelled: boolean }>()(
    z.object({ runId: z.number().int().positive() }).strict(),
    'Cancels a run; the best checkpoint so far becomes a model version.',
    { errors: [...SESSION_ERRORS, ...codesOf(TRAINING_ERROR_CODES)] },
  ),
  'training.current': request<TrainingRunState | null>()(
    z.object({}).strict().default({}),
    'The run in progress (or the last one of this session), for a reloaded page.',
    { errors: [...SESSION_ERRORS, ...codesOf(TRAINING_ERROR_CODES)] },
  ),
  'training.runs': request<TrainingRunState[]>()(
    z.object({}).strict().default({}),
    'Every training run recorded in the project, newest first.',
    { errors: [...SESSION_ERRORS, ...codesOf(TRAINING_ERROR_CODES)] },
  ),
  'models.list': request<ModelVersionSummary[]>()(
    z.object({}).strict().default({}),
    'Model versions with their parent, training data and test figures.',
    { errors: SESSION_ERRORS },
  ),
  'models.activate': request<ModelVersionSummary>()(
    z.object({ id: z.number().int().positive() }).strict(),
    'Makes a version the active one (roll back = activate an earlier one); predictions refresh.',
    { errors: [...SESSION_ERRORS, ...codesOf(TRAINING_ERROR_CODES), ...COMPUTE_WORK_ERRORS] },
  ),
  'models.rename': request<ModelVersionSummary>()(
    z.object({ id: z.number().int().positive(), name: z.string().trim().min(1).max(200) }).strict(),
    'Renames a model version.',
    { errors: SESSION_ERRORS },
  ),
  'models.delete': request<{ deleted: number }>()(
    z.object({ id: z.number().int().positive() }).strict(),
    'Deletes a model version; never the active one.',
    { errors: [...SESSION_ERRORS, ...codesOf(TRAINING_ERROR_CODES)] },
  ),
  'evaluation.get': request<{
    evaluations: EvaluationView[];
    secondObserver: EvaluationView | null;
    published: PublishedRow[];
  }>()(
    z.object({ modelIds: z.array(z.number().int().positive()).max(20) }).strict(),
    'Evaluations of the chosen model versions, the second observer under the same protocol, and published DRIVE results.',
    {
      errors: EVALUATION_ERRORS,
    },
  ),
  'evaluation.run': request<EvaluationView>()(
    z.object({ modelId: z.number().int().positive() }).strict(),
    'Evaluates a model version on the test split (and caches its predictions for the canvas).',
    {
      errors: [...EVALUATION_ERRORS, ...COMPUTE_WORK_ERRORS],
    },
  ),
  'evaluation.compare': request<ModelComparison>()(
    z
      .object({
        modelId: z.number().int().positive(),
        baselineId: z.number().int().positive().optional(),
      })
      .strict(),
    'Changes of a version against its parent (or a chosen baseline), pooled and per image; regressions flagged.',
    {
      errors: [...EVALUATION_ERRORS, ...COMPUTE_WORK_ERRORS],
    },
  ),
};

export const trainingEvents = {
  'training.progress': event<TrainingProgress>(
    'A batch or an epoch of the running training finished.',
  ),
  'training.state': event<TrainingRunState>(
    'A run started, moved to evaluation, finished, was cancelled or failed.',
  ),
  'models.changed': event<{ activeId: number | null }>(
    'Model versions changed (new, activated, renamed, deleted).',
  ),
};
