/**
 * Data-parallel training's arithmetic: one shard of a batch gives the gradient of its own loss,
 * and the shards' gradients combine into exactly the gradient of the whole batch's loss.
 *
 * The (weighted) binary cross-entropy of a batch is S / W, with S the weighted sum of per-pixel
 * losses and W the sum of weights. Shard s computes g_s = grad(S_s / W_s), so grad(S_s) = W_s g_s
 * and the batch gradient is sum_s(W_s g_s) / sum_s(W_s). Dice is a ratio of batch sums and does
 * not split this way: it trains on one worker (see canSplitLoss).
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainOptions } from '../train/options';
import { batchLoss, cropCentre, vesselProbability } from '../train/losses';

/** An NHWC shard of a training batch (fov is not needed for the gradient). */
export interface ShardBatch {
  x: Float32Array;
  y: Float32Array;
  weight: Float32Array;
  shape: [number, number, number, number];
}

/** What one shard contributes to a step. */
export interface ShardResult {
  /** Gradients of the shard's loss, the trainable weights' values one after another. */
  gradients: Float32Array;
  /** The shard's loss (weighted mean over its pixels). */
  loss: number;
  /** The shard's sum of loss weights over the output region. */
  weightSum: number;
  /** The non-trainable weights after the step (batch-norm moving statistics), one after another. */
  state: Float32Array;
}

type LossKind = TrainOptions['loss']['kind'];

/** Whether a loss's batch gradient is an exact combination of its shards' gradients. */
export function canSplitLoss(kind: LossKind): boolean {
  return kind === 'bce' || kind === 'weighted-bce';
}

function sizeOf(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((a, b) => a * (b ?? 1), 1);
}

/** The values of `tensors` one after another, read together (no synchronous read: webgpu has none). */
async function readAll(tensors: readonly tf.Tensor[]): Promise<Float32Array> {
  return concatArrays((await Promise.all(tensors.map((t) => t.data()))) as Float32Array[]);
}

/** All weights of the model (trainable and not, model.weights order) in one array. */
export function readAllWeights(model: tf.LayersModel): Promise<Float32Array> {
  return readAll(model.weights.map((w) => w.read()));
}

/** Writes the values readAllWeights gave (from a twin model) into `model`. */
export function writeAllWeights(model: tf.LayersModel, flat: Float32Array): void {
  const sizes = model.weights.map((w) => sizeOf(w.shape));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== flat.length) {
    throw new Error(
      `Weight transfer mismatch: the model holds ${total} values, ${flat.length} were sent.`,
    );
  }
  let offset = 0;
  const tensors = model.weights.map((w, i) => {
    const tensor = tf.tensor(flat.subarray(offset, offset + sizes[i]!), w.shape as number[]);
    offset += sizes[i]!;
    return tensor;
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** The non-trainable weights (batch-norm statistics) in one array; empty when there are none. */
export function readState(model: tf.LayersModel): Promise<Float32Array> {
  return readAll(model.nonTrainableWeights.map((w) => w.read()));
}

/** Writes values readState gave into the model's non-trainable weights. */
export function writeState(model: tf.LayersModel, flat: Float32Array): void {
  let offset = 0;
  for (const weight of model.nonTrainableWeights) {
    const size = sizeOf(weight.shape);
    const tensor = tf.tensor(flat.subarray(offset, offset + size), weight.shape as number[]);
    weight.write(tensor);
    tensor.dispose();
    offset += size;
  }
}

/** The gradient, loss and weight sum of one shard, with the model in training mode. */
export async function shardGradients(
  model: tf.LayersModel,
  batch: ShardBatch,
  kind: LossKind,
): Promise<ShardResult> {
  const [n, h, w] = batch.shape;
  const variables = model.trainableWeights.map((v) => v.read() as tf.Variable);
  let weightSum: tf.Scalar | null = null;
  const { value, grads } = tf.tidy(() => {
    const x = tf.tensor4d(batch.x, batch.shape);
    const y = tf.tensor4d(batch.y, [n, h, w, 1]);
    const weight = tf.tensor4d(batch.weight, [n, h, w, 1]);
    return tf.variableGrads(() => {
      const probability = vesselProbability(model.apply(x, { training: true }) as tf.Tensor4D);
      const [, oh, ow] = probability.shape;
      const croppedWeight = cropCentre(weight, oh, ow);
      weightSum = tf.keep(tf.sum(croppedWeight) as tf.Scalar);
      return batchLoss(kind, cropCentre(y, oh, ow), probability, croppedWeight);
    }, variables);
  });
  const kept = weightSum as tf.Scalar | null;
  try {
    const [gradients, [loss], [sum]] = await Promise.all([
      readAll(variables.map((v) => grads[v.name]!)),
      value.data(),
      kept ? kept.data() : [0],
    ]);
    return {
      gradients,
      loss: loss as number,
      weightSum: sum as number,
      state: await readState(model),
    };
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
    kept?.dispose();
  }
}

/**
 * The batch's gradient, loss and state from its shards: gradients and losses weighted by each
 * shard's weight sum (exact for BCE, see the file comment), states averaged by sample count.
 */
export function combineShards(
  shards: readonly ShardResult[],
  sampleCounts: readonly number[],
): { gradients: Float32Array; loss: number; state: Float32Array } {
  if (shards.length === 0) throw new Error('combineShards needs at least one shard');
  const totalWeight = shards.reduce((s, r) => s + r.weightSum, 0);
  const totalSamples = sampleCounts.reduce((s, c) => s + c, 0);
  const gradients = new Float32Array(shards[0]!.gradients.length);
  const state = new Float32Array(shards[0]!.state.length);
  let loss = 0;
  shards.forEach((shard, i) => {
    // A shard without weight (all pixels masked out) contributes nothing, as in the whole batch.
    const share = totalWeight > 0 ? shard.weightSum / totalWeight : 1 / shards.length;
    for (let k = 0; k < gradients.length; k++) gradients[k]! += share * shard.gradients[k]!;
    loss += share * shard.loss;
    const sampleShare = sampleCounts[i]! / totalSamples;
    for (let k = 0; k < state.length; k++) state[k]! += sampleShare * shard.state[k]!;
  });
  return { gradients, loss, state };
}

/** The samples [start, end) of a batch, copied (so their buffers can be transferred). */
export function sliceBatch(batch: ShardBatch, start: number, end: number): ShardBatch {
  const [, h, w, c] = batch.shape;
  const pixels = h * w;
  return {
    x: batch.x.slice(start * pixels * c, end * pixels * c),
    y: batch.y.slice(start * pixels, end * pixels),
    weight: batch.weight.slice(start * pixels, end * pixels),
    shape: [end - start, h, w, c],
  };
}

/** Splits n samples into `parts` contiguous ranges as even as possible (larger ones first). */
export function shardRanges(n: number, parts: number): Array<[number, number]> {
  const count = Math.max(1, Math.min(parts, n));
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const size = Math.floor(n / count) + (i < n % count ? 1 : 0);
    ranges.push([start, start + size]);
    start += size;
  }
  return ranges;
}

/** The arrays one after another in one new array. */
export function concatArrays(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
