/**
 * The messages between the engine (ComputeHost) and the compute process (worker.ts). Every
 * request carries an id; the worker answers it with exactly one `response` (a Result, so errors
 * keep their code across the process boundary) and may send `progress` events for it before.
 * Cancel is a message too. Messages travel with structured clone (`serialization: 'advanced'`
 * under child_process.fork, MessagePort under Electron's utilityProcess), so typed arrays such
 * as images and weight maps cross without becoming JSON arrays.
 */
import type { BackendName, BackendReport } from '../../shared/api/app';
import type { Result } from '../../shared/result';
import type { PredictDatasetJob, PredictDatasetProgress, PredictedImage } from './predict-dataset';
import type { PredictImageJob, PredictImageProgress, PredictImageResult } from './predict-image';
import type { TrainJob, TrainProgress, TrainSummary } from './train/job';

export { COMPUTE_ERROR_CODES } from '../../shared/api/errors';

/** Answer of `compute.ping`: proves the process is alive and says what it runs on. */
export interface PingResult {
  pid: number;
  node: string;
  /** The text sent, echoed back. */
  echo: string;
  uptimeSeconds: number;
}

/**
 * Every method the compute process serves: its input, its result and the payload of its
 * progress events (`never` when it sends none).
 */
export interface ComputeMethods {
  'compute.ping': { input: { echo?: string }; output: PingResult; progress: never };
  /** Chooses and initialises the tfjs backend inside the compute process. */
  'compute.setup': { input: { backend?: BackendName }; output: BackendReport; progress: never };
  /** Trains (or fine-tunes, or resumes) a model; cancel stops it keeping the best checkpoint. */
  'train.run': { input: TrainJob; output: TrainSummary; progress: TrainProgress };
  /** Predicts a model folder on dataset images; probabilities come back as Float32Arrays. */
  'predict.dataset': {
    input: PredictDatasetJob;
    output: PredictedImage[];
    progress: PredictDatasetProgress;
  };
  /** Predicts one image file with a model folder (`cli predict`); progress counts tiles or batches. */
  'predict.image': {
    input: PredictImageJob;
    output: PredictImageResult;
    progress: PredictImageProgress;
  };
}

export type ComputeMethod = keyof ComputeMethods & string;
export type ComputeInput<M extends ComputeMethod> = ComputeMethods[M]['input'];
export type ComputeOutput<M extends ComputeMethod> = ComputeMethods[M]['output'];
export type ComputeProgress<M extends ComputeMethod> = ComputeMethods[M]['progress'];

export const COMPUTE_METHODS: readonly ComputeMethod[] = [
  'compute.ping',
  'compute.setup',
  'train.run',
  'predict.dataset',
  'predict.image',
];

/** Messages from the host to the compute process. */
export type HostMessage =
  | { kind: 'request'; id: number; method: ComputeMethod; input: unknown }
  | { kind: 'cancel'; id: number };

/** Messages from the compute process to the host. */
export type WorkerMessage =
  | { kind: 'ready'; pid: number }
  | { kind: 'progress'; id: number; payload: unknown }
  | { kind: 'response'; id: number; result: Result<unknown> }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** True for a well-formed message from the compute process (anything else is ignored and logged). */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (value === null || typeof value !== 'object') return false;
  const m = value as { kind?: unknown; id?: unknown };
  switch (m.kind) {
    case 'ready':
      return true;
    case 'progress':
    case 'response':
      return typeof m.id === 'number';
    case 'log':
      return typeof (value as { message?: unknown }).message === 'string';
    default:
      return false;
  }
}

/** True for a well-formed message from the host. */
export function isHostMessage(value: unknown): value is HostMessage {
  if (value === null || typeof value !== 'object') return false;
  const m = value as { kind?: unknown; id?: unknown; method?: unknown };
  if (typeof m.id !== 'number') return false;
  if (m.kind === 'cancel') return true;
  return m.kind === 'request' && typeof m.method === 'string';
}
