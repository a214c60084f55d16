/**
 * One-click retrain and evaluate: training runs of the open project, its model versions and
 * their evaluations on the test split, as the studio shows them. Every figure carries the
 * protocol it was measured under.
 */
import { z } from 'zod';
import { event, request } from './define';

/** What the Retrain button uses; the settings dialog edits it. */
export const retrainSettingsSchema = z
  .object({
    /** Fine-tune the active model (true) or train a new architecture from scratch (false). */
    fineTune: z.boolean().default(true),
    /** Preset of the architecture for a run from scratch (see src/shared/model-config.ts). */
    arch: z.string().min(1).max(100).default('bench-unet'),
    epochs: z.number().int().min(1).max(1000).default(5),
    stepsPerEpoch: z.number().int().min(1).max(100_000).default(50),
    batchSize: z.number().int().min(1).max(256).default(16),
    patchSize: z.number().int().min(16).max(512).default(48),
    learningRate: z.number().positive().max(1).default(1e-4),
    augment: z.boolean().default(true),
    /** Pixels the person corrected count this many times in the loss. */
    correctionWeight: z.number().min(1).max(100).default(5),
  })
  .strict();

export type RetrainSettings = z.output<typeof retrainSettingsSchema>;
export type RetrainSettingsInput = z.input<typeof retrainSettingsSchema>;

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
}

export type TrainingRunStatus =
  'queued' | 'running' | 'evaluating' | 'finished' | 'cancelled' | 'failed';

export interface TrainingProgress {
  runId: number;
  epoch: number;
  epochs: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  /** Set at the end of each epoch. */
  valLoss: number | null;
  valF1: number | null;
  valAuc: number | null;
  etaSeconds: number | null;
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
}

/** Pooled figures of a model version on the test split (FOV, 1st manual, threshold 0.5). */
export interface HeadlineFigures {
  auc: number | null;
  f1: number | null;
  precision: number | null;
  recall: number | null;
}

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
  /** One line for tables: "test split, inside the FOV, pooled over 20 images, 1st manual, threshold 0.5". */
  description: string;
}

export interface MetricRow {
  auc: number | null;
  ap: number | null;
  precision: number | null;
  recall: number | null;
  specificity: number | null;
  accuracy: number | null;
  f1: number | null;
  iou: number | null;
  mcc: number | null;
}

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
  name: 'auc' | 'f1' | 'precision' | 'recall';
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

export const trainingRequests = {
  'training.split': request<ProjectSplit>()(
    z.object({}).strict().default({}),
    'The fixed training / validation / test split of the open project.',
  ),
  'training.start': request<TrainingRunState>()(
    z.object({ settings: retrainSettingsSchema.default(retrainSettingsSchema.parse({})) }).strict(),
    'Starts a training run on the current masks (corrections included): fine-tunes the active model or trains from scratch, then evaluates the new version on the test split.',
  ),
  'training.cancel': request<{ cancelled: boolean }>()(
    z.object({ runId: z.number().int().positive() }).strict(),
    'Cancels a run; the best checkpoint so far becomes a model version.',
  ),
  'training.current': request<TrainingRunState | null>()(
    z.object({}).strict().default({}),
    'The run in progress (or the last one of this session), for a reloaded page.',
  ),
  'training.runs': request<TrainingRunState[]>()(
    z.object({}).strict().default({}),
    'Every training run recorded in the project, newest first.',
  ),
  'models.list': request<ModelVersionSummary[]>()(
    z.object({}).strict().default({}),
    'Model versions with their parent, training data and test figures.',
  ),
  'models.activate': request<ModelVersionSummary>()(
    z.object({ id: z.number().int().positive() }).strict(),
    'Makes a version the active one (roll back = activate an earlier one); predictions refresh.',
  ),
  'models.rename': request<ModelVersionSummary>()(
    z.object({ id: z.number().int().positive(), name: z.string().trim().min(1).max(200) }).strict(),
    'Renames a model version.',
  ),
  'models.delete': request<{ deleted: number }>()(
    z.object({ id: z.number().int().positive() }).strict(),
    'Deletes a model version; never the active one.',
  ),
  'evaluation.get': request<{
    evaluations: EvaluationView[];
    secondObserver: EvaluationView | null;
    published: PublishedRow[];
  }>()(
    z.object({ modelIds: z.array(z.number().int().positive()).max(20) }).strict(),
    'Evaluations of the chosen model versions, the second observer under the same protocol, and published DRIVE results.',
  ),
  'evaluation.run': request<EvaluationView>()(
    z.object({ modelId: z.number().int().positive() }).strict(),
    'Evaluates a model version on the test split (and caches its predictions for the canvas).',
  ),
  'evaluation.compare': request<ModelComparison>()(
    z
      .object({
        modelId: z.number().int().positive(),
        baselineId: z.number().int().positive().optional(),
      })
      .strict(),
    'Changes of a version against its parent (or a chosen baseline), pooled and per image; regressions flagged.',
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
