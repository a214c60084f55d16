/**
 * Data-parallel training on several cores: wasm in Node computes on one thread, and the threaded
 * wasm build (threaded-wasm.ts) speeds up inference but not training (its pool parallelises
 * inside each convolution, and backprop's many small ones don't scale). Instead, each step
 * splits the batch into one shard per gradient worker (a worker thread with its own one-thread
 * tfjs and a twin of the model), the workers compute their shards' gradients at the same time,
 * and the coordinator combines them exactly (shard-gradients.ts) and applies the optimiser once.
 * The twins get the coordinator's weights with every step, so they never drift.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../shared/api/app';
import type { ModelConfig } from '../../../shared/model-config';
import { AppError, type ErrorInfo } from '../../../shared/result';
import { COMPUTE_ERROR_CODES } from '../protocol';
import type { TrainOptions } from '../train/options';
import type { GradientWorkerReply, GradientWorkerRequest } from './gradient-protocol';
import {
  combineShards,
  readAllWeights,
  writeState,
  shardRanges,
  sliceBatch,
  type ShardBatch,
  type ShardResult,
} from './shard-gradients';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The worker entry: gradient-worker.js of the built bundle (beside this file, or one folder up
 * when the bundler put this code in a chunk), else (a checkout) the small module that loads
 * gradient-worker.ts through tsx.
 */
export function gradientWorkerPath(dir = here): string {
  for (const candidate of [dir, path.dirname(dir)]) {
    const built = path.join(candidate, 'gradient-worker.js');
    if (existsSync(built)) return built;
  }
  return path.join(dir, 'gradient-worker-tsx.mjs');
}

export interface GradientPoolOptions {
  workers: number;
  config: ModelConfig;
  lossKind: TrainOptions['loss']['kind'];
  backend: BackendName;
  /** Module to run in each thread (tests); defaults to gradientWorkerPath(). */
  modulePath?: string;
}

/** The combined result of one data-parallel step. */
export interface PooledStep {
  gradients: Float32Array;
  loss: number;
  state: Float32Array;
}

interface Pending {
  resolve(reply: GradientWorkerReply): void;
  reject(error: Error): void;
}

/** One worker thread and its one outstanding request. */
class GradientThread {
  private pending: Pending | null = null;
  private failure: AppError | null = null;

  constructor(
    private readonly worker: Worker,
    readonly index: number,
  ) {
    worker.on('message', (reply: GradientWorkerReply) => {
      const pending = this.pending;
      this.pending = null;
      if (!pending) return;
      if (reply.kind === 'error') pending.reject(workerError(index, reply.error));
      else pending.resolve(reply);
    });
    worker.on('error', (error) => this.fail(`it threw ${error.message}`));
    worker.on('exit', (code) => this.fail(`it exited with code ${code}`));
  }

  request(
    message: GradientWorkerRequest,
    transfer: ArrayBuffer[] = [],
  ): Promise<GradientWorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message, transfer);
    });
  }

  terminate(): Promise<number> {
    this.failure ??= new AppError(
      COMPUTE_ERROR_CODES.GRADIENT_WORKER_FAILED,
      'The gradient workers were stopped.',
    );
    return this.worker.terminate();
  }

  private fail(why: string): void {
    if (this.failure) return;
    this.failure = new AppError(
      COMPUTE_ERROR_CODES.GRADIENT_WORKER_FAILED,
      `Gradient worker ${this.index + 1} stopped (${why}). The last checkpoint is kept: resume the run, or train on one worker (--workers 1).`,
    );
    this.pending?.reject(this.failure);
    this.pending = null;
  }
}

function workerError(index: number, info: ErrorInfo): AppError {
  return new AppError(
    COMPUTE_ERROR_CODES.GRADIENT_WORKER_FAILED,
    `Gradient worker ${index + 1} failed: ${info.message}`,
    info,
  );
}

/** A set of gradient workers holding twins of one model. */
export class GradientWorkerPool {
  private nextId = 1;

  private constructor(private readonly threads: GradientThread[]) {}

  get workers(): number {
    return this.threads.length;
  }

  /** Starts the threads and builds the twins; rejects (and stops them) if any fails. */
  static async start(options: GradientPoolOptions): Promise<GradientWorkerPool> {
    const modulePath = options.modulePath ?? gradientWorkerPath();
    const threads = Array.from(
      { length: Math.max(1, options.workers) },
      (_, i) => new GradientThread(new Worker(modulePath), i),
    );
    try {
      await Promise.all(
        threads.map((thread) =>
          thread.request({
            kind: 'init',
            config: options.config,
            lossKind: options.lossKind,
            backend: options.backend,
          }),
        ),
      );
      return new GradientWorkerPool(threads);
    } catch (error) {
      await Promise.all(threads.map((t) => t.terminate()));
      throw error;
    }
  }

  /**
   * One step: every worker gets `weights` (readAllWeights of the coordinator's model) and a
   * shard of `batch`; returns the batch's exact gradient (in trainable-weight order), loss and
   * the non-trainable state averaged over the shards.
   */
  async step(weights: Float32Array, batch: ShardBatch): Promise<PooledStep> {
    const ranges = shardRanges(batch.shape[0], this.threads.length);
    const replies = await Promise.all(
      ranges.map(([start, end], i) => {
        const shard = sliceBatch(batch, start, end);
        return this.threads[i]!.request(
          { kind: 'step', id: this.nextId++, weights: weights.slice(), batch: shard },
          [shard.x.buffer, shard.y.buffer, shard.weight.buffer] as ArrayBuffer[],
        );
      }),
    );
    const shards = replies.map((reply) => {
      if (reply.kind !== 'shard')
        throw new Error(`A gradient worker answered ${reply.kind} to a step.`);
      return reply as ShardResult;
    });
    return combineShards(
      shards,
      ranges.map(([start, end]) => end - start),
    );
  }

  /** Stops every thread. */
  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

/**
 * One optimiser step with the batch split between gradient workers: they get the current weights
 * and a shard each, the exact batch gradient comes back (shard-gradients.ts), and Adam is applied
 * here once, as trainStep would. Returns the batch loss.
 */
export async function pooledTrainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  pool: GradientWorkerPool,
  batch: ShardBatch,
): Promise<number> {
  const step = await pool.step(await readAllWeights(model), batch);
  const gradients: tf.NamedTensorMap = {};
  let offset = 0;
  for (const variable of variables) {
    gradients[variable.name] = tf.tensor(
      step.gradients.subarray(offset, offset + variable.size),
      variable.shape,
      'float32',
    );
    offset += variable.size;
  }
  if (offset !== step.gradients.length) {
    tf.dispose(Object.values(gradients));
    throw new Error(
      `The gradient workers returned ${step.gradients.length} values for ${offset} trainable weights.`,
    );
  }
  optimizer.applyGradients(gradients);
  tf.dispose(Object.values(gradients));
  if (step.state.length > 0) writeState(model, step.state);
  return step.loss;
}
