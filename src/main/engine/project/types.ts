/** The records a project holds, as the Project class hands them out. */
import type { MaskEncoding } from './mask-codec';

export { PROJECT_ERROR_CODES } from '../../../shared/api/errors';

export type ImageFileRole = 'image' | 'label-1st' | 'label-2nd' | 'fov';
export const IMAGE_FILE_ROLES: readonly ImageFileRole[] = [
  'image',
  'label-1st',
  'label-2nd',
  'fov',
];

/** An image to add: absolute paths of its files, all under the dataset root. */
export interface ImageInput {
  /** The dataset's stable image id, e.g. `test/01_test`. */
  key: string;
  split: string;
  name: string;
  width?: number | null;
  height?: number | null;
  files: Partial<Record<ImageFileRole, string>>;
}

export interface ImageFileRecord {
  role: ImageFileRole;
  /** Relative to the dataset root, with `/` separators on every platform. */
  relPath: string;
  size: number;
  sha256: string;
}

export interface ProjectImage {
  key: string;
  split: string;
  name: string;
  width: number | null;
  height: number | null;
  files: ImageFileRecord[];
}

/** A mask to save: PNG bytes as they are, or a 0/1 mask the project run-length encodes. */
export type MaskInput =
  | { kind: 'png'; bytes: Uint8Array }
  | { kind: 'binary'; width: number; height: number; data: Uint8Array };

export interface MaskRevision {
  id: number;
  imageKey: string;
  /** The revision this one was edited from (null for the first correction of an image). */
  parentId: number | null;
  createdAt: string;
  note: string;
  encoding: MaskEncoding;
  width: number;
  height: number;
  byteLength: number;
  /** SHA-256 of the stored bytes. */
  sha256: string;
}

export type RunKind = 'train' | 'eval' | 'predict';
export type RunStatus = 'queued' | 'running' | 'finished' | 'cancelled' | 'failed';

export interface Run {
  id: number;
  kind: RunKind;
  status: RunStatus;
  config: unknown;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: { code: string; message: string } | null;
}

/** One line of a training log: the epoch number and whatever figures it reported. */
export interface EpochLogEntry {
  epoch: number;
  [metric: string]: number | string | null;
}

/** Which label trained a model for one image: a mask revision, or null for the original label file. */
export interface TrainingMask {
  imageKey: string;
  revisionId: number | null;
}

export interface ModelVersionInput {
  name: string;
  /** The model's JSON config (ModelConfig of the model area), stored as JSON. */
  config: unknown;
  /** The tfjs model folder: `model.json`, the weight shards it lists, optional `vessel.json`. */
  files: Record<string, Uint8Array>;
  parentId?: number | null;
  runId?: number | null;
  backend: string;
  epochLog?: EpochLogEntry[];
  trainedOn?: TrainingMask[];
}

export interface ModelFileRecord {
  name: string;
  size: number;
  sha256: string;
}

export interface ModelVersion {
  id: number;
  name: string;
  parentId: number | null;
  runId: number | null;
  config: unknown;
  backend: string;
  epochLog: EpochLogEntry[];
  createdAt: string;
  /** Set when the version was deleted: its files are gone, its record and evaluations stay. */
  deletedAt: string | null;
  files: ModelFileRecord[];
  trainedOn: TrainingMask[];
}

/** A curve as parallel arrays (stored as Float32 blobs). */
export interface RocCurve {
  fpr: ArrayLike<number>;
  tpr: ArrayLike<number>;
  thresholds?: ArrayLike<number>;
}
export interface PrCurve {
  recall: ArrayLike<number>;
  precision: ArrayLike<number>;
  thresholds?: ArrayLike<number>;
}

export interface EvaluationInput {
  name?: string;
  modelVersionId: number | null;
  runId?: number | null;
  /** How it was measured: split, reference observer, FOV, threshold and how it was picked, ... */
  protocol: unknown;
  /** Metrics pooled over all images. */
  pooled: Record<string, unknown>;
  perImage?: { imageKey: string; metrics: Record<string, unknown> }[];
  roc?: RocCurve;
  pr?: PrCurve;
}

export interface Evaluation {
  id: number;
  name: string;
  modelVersionId: number | null;
  runId: number | null;
  protocol: unknown;
  pooled: Record<string, unknown>;
  perImage: { imageKey: string; metrics: Record<string, unknown> }[];
  roc: { fpr: Float32Array; tpr: Float32Array; thresholds: Float32Array | null } | null;
  pr: { recall: Float32Array; precision: Float32Array; thresholds: Float32Array | null } | null;
  createdAt: string;
}

export interface CachedPrediction {
  width: number;
  height: number;
  /** Probabilities, row-major HxW. */
  probabilities: Float32Array;
  createdAt: string;
  /** The scale it was predicted at, or null when unknown (cached before scales were kept). */
  scale: PredictionScale | null;
}

/** The scale a prediction was made at (the fields of compute/rescale.ts ImageScale it keeps). */
export interface PredictionScale {
  /** The factor the image was resampled by (network pixels per image pixel; 1: its own size). */
  factor: number;
  /** The image's FOV diameter in pixels that the factor matched (auto scale), else null. */
  fovDiameter: number | null;
}

export interface RelocationReport {
  root: string;
  /** Files found again (by SHA-256). */
  found: number;
  /** Files found at a different path relative to the new root than before. */
  moved: number;
  missing: { imageKey: string; role: ImageFileRole; relPath: string }[];
}

export interface ProjectInfo {
  file: string;
  readOnly: boolean;
  schemaVersion: number;
  createdAt: string | null;
  appVersion: string | null;
  datasetRoot: string;
  images: number;
  maskRevisions: number;
  correctedImages: number;
  modelVersions: number;
  runs: Record<RunStatus, number>;
  evaluations: number;
  cachedPredictions: number;
  fileBytes: number;
}
