/**
 * The resumable state of a run, kept beside its output model as `<out>.checkpoint/`:
 * `model/` (a model folder with the last epoch's weights), `optimizer.json` + `optimizer.bin`
 * (Adam's moments and step count, so a resumed run takes the same steps) and `state.json`
 * (epoch, history, split, schedule and early-stopping state). The whole folder is written
 * beside and swapped in, so a crash while saving leaves the previous checkpoint whole.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import type { ModelConfig } from '../../../shared/model-config';
import { loadModelDir, saveModelDir } from '../model/storage';
import type { EarlyStoppingState } from './early-stopping';
import { TRAIN_ERROR_CODES, type EpochRecord, type ValidationFigures } from './job';
import type { TrainOptions } from './options';
import type { ScheduleState } from './schedule';
import type { ImageSplit } from './split';
import { exists } from '../../engine/files/exists';

export const CHECKPOINT_FORMAT = 'vessel-studio-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** Everything besides weights that a resumed run needs. */
export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** Epochs finished (the next epoch to run, 0-based). */
  epochsDone: number;
  history: EpochRecord[];
  options: TrainOptions;
  config: ModelConfig;
  split: ImageSplit;
  positiveWeight: number;
  schedule: ScheduleState;
  earlyStopping: EarlyStoppingState;
  /** Training seconds before this checkpoint (summed over resumed sessions). */
  seconds: number;
  /** Model folder the run started from when fine-tuning. */
  initialModel: string | null;
  /** The starting model's validation figures (TrainJob.validateInitial); absent in older checkpoints. */
  baseline?: ValidationFigures | null;
  /** Where the data came from, to refuse resuming on other data. */
  dataSource: string;
  savedAt: string;
}

/** `<out>.checkpoint`: the checkpoint folder of an output model folder. */
export function checkpointDirFor(outDir: string): string {
  return `${path.resolve(outDir)}.checkpoint`;
}

/** `<out>.epochs`: where TrainOptions.keepEpochs keeps every epoch's weights. */
export function keptEpochsDirFor(outDir: string): string {
  return `${path.resolve(outDir)}.epochs`;
}

/** `<out>.epochs/epoch-007`: one kept epoch's model folder. */
export function keptEpochDirFor(outDir: string, epoch: number): string {
  return path.join(keptEpochsDirFor(outDir), `epoch-${String(epoch).padStart(3, '0')}`);
}

/** Writes a checkpoint (model, optimizer state, run state) and swaps it in whole. */
export async function saveCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: CheckpointState,
): Promise<void> {
  const staging = `${dir}.saving-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  try {
    await saveModelDir(path.join(staging, 'model'), model, {
      config: state.config,
      name: 'checkpoint',
      trainingLog: state.history as unknown as Record<string, unknown>[],
    });
    const weights = await optimizer.getWeights();
    const encoded = await tf.io.encodeWeights(weights);
    // getWeights makes a fresh step-count scalar; the moments are the optimizer's own variables.
    tf.dispose(weights.filter((w) => w.name === 'iter').map((w) => w.tensor));
    const bytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(encoded.data));
    await fs.writeFile(path.join(staging, 'optimizer.bin'), bytes);
    await fs.writeFile(path.join(staging, 'optimizer.json'), JSON.stringify(encoded.specs));
    await fs.writeFile(path.join(staging, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
    const previous = `${dir}.previous-${process.pid}`;
    const hadPrevious = await exists(dir);
    if (hadPrevious) await fs.rename(dir, previous);
    await fs.rename(staging, dir);
    if (hadPrevious) await fs.rm(previous, { recursive: true, force: true });
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
}

export interface LoadedCheckpoint {
  model: tf.LayersModel;
  optimizerWeights: Array<{ name: string; tensor: tf.Tensor }>;
  state: CheckpointState;
}

/** Reads a checkpoint written by saveCheckpoint; TRAIN_NO_CHECKPOINT or TRAIN_BAD_CHECKPOINT otherwise. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const stateFile = path.join(dir, 'state.json');
  if (!(await exists(stateFile))) {
    throw new AppError(
      TRAIN_ERROR_CODES.NO_CHECKPOINT,
      `There is no checkpoint to resume in ${dir} (state.json is missing): no epoch of that run finished. Start the run again without resume.`,
    );
  }
  let state: CheckpointState;
  try {
    state = JSON.parse(await fs.readFile(stateFile, 'utf8')) as CheckpointState;
  } catch (error) {
    throw new AppError(
      TRAIN_ERROR_CODES.BAD_CHECKPOINT,
      `${stateFile} cannot be read (${(error as Error).message}); start the run again without resume.`,
    );
  }
  if (state.format !== CHECKPOINT_FORMAT || state.version > CHECKPOINT_VERSION) {
    throw new AppError(
      TRAIN_ERROR_CODES.BAD_CHECKPOINT,
      `${stateFile} is not a checkpoint this version of Vessel Studio can resume; start the run again without resume.`,
    );
  }
  const { model } = await loadModelDir(path.join(dir, 'model'));
  let optimizerWeights: Array<{ name: string; tensor: tf.Tensor }>;
  try {
    const specs = JSON.parse(
      await fs.readFile(path.join(dir, 'optimizer.json'), 'utf8'),
    ) as tf.io.WeightsManifestEntry[];
    const bytes = await fs.readFile(path.join(dir, 'optimizer.bin'));
    const decoded = tf.io.decodeWeights(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      specs,
    );
    optimizerWeights = specs.map((spec) => ({
      name: spec.name,
      tensor: decoded[spec.name] as tf.Tensor,
    }));
  } catch (error) {
    model.dispose();
    throw new AppError(
      TRAIN_ERROR_CODES.BAD_CHECKPOINT,
      `The optimizer state in ${dir} cannot be read (${(error as Error).message}); start the run again without resume.`,
    );
  }
  return { model, optimizerWeights, state };
}
