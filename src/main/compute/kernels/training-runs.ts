/**
 * Test support for the training-equivalence tests (wasm against cpu beside this file, webgpu
 * against cpu in ../webgpu): the same Adam steps of one model, from the same seeded weights on
 * the same batch, on a chosen backend. Every read is asynchronous: webgpu in Node has no
 * synchronous one.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, type ModelConfig } from '../model';
import { seedInitialWeights } from '../model/seeded-init';
import { seededUniform } from './seeded-uniform';

/** Adam's learning rate in every run. */
export const LEARNING_RATE = 1e-3;

/** The loss of every step and the weights after the last one (model.getWeights order). */
export interface TrainingRun {
  losses: number[];
  weights: Float32Array[];
}

/** One training batch as plain arrays, so each backend builds its own tensors from it. */
export interface EquivalenceBatch {
  x: Float32Array;
  /** 1 for vessel, 0 for background, [n, h, w]. */
  y: Float32Array;
  shape: [number, number, number, number];
  /** 1: a sigmoid output trained with BCE; 2: softmax (background, vessel) with cross-entropy. */
  classes: number;
}

/** Reads every tensor's values (copies, so they outlive the tensors). */
async function readValues(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  const values = await Promise.all(tensors.map((t) => t.data()));
  return values.map((v) => Float32Array.from(v));
}

/** Builds `config` on `backend` with the given initial weights and takes `steps` Adam steps. */
export async function trainSteps(
  backend: string,
  config: ModelConfig,
  initial: Float32Array[],
  batch: EquivalenceBatch,
  steps: number,
): Promise<TrainingRun> {
  await tf.setBackend(backend);
  const model = buildModel(config);
  const weights = model.getWeights();
  const start = weights.map((w, i) => tf.tensor(initial[i]!, w.shape));
  model.setWeights(start);
  tf.dispose(start);
  const [n, h, w] = batch.shape;
  const x = tf.tensor4d(batch.x, batch.shape);
  const vessel = tf.tensor4d(batch.y, [n, h, w, 1]);
  const y = batch.classes === 2 ? tf.concat([tf.sub(1, vessel), vessel], -1) : vessel;
  model.compile({
    optimizer: tf.train.adam(LEARNING_RATE),
    loss: batch.classes === 2 ? 'categoricalCrossentropy' : 'binaryCrossentropy',
  });
  try {
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) losses.push((await model.trainOnBatch(x, y)) as number);
    return { losses, weights: await readValues(model.getWeights()) };
  } finally {
    tf.dispose([x, vessel, y]);
    model.optimizer.dispose();
    model.dispose();
  }
}

/**
 * He-initialised weights from seed 1, drawn once on cpu and shared by the runs compared.
 * Seeded, so the test is the same every time: with tfjs-layers' unseeded draws the worst
 * LadderNet weight difference between wasm and cpu ranged from 2.6e-7 to 1.8e-5 over 8 draws
 * (seeds 1 to 5: 3.3e-7 to 6.5e-6), because Adam divides by the gradient's size, which turns a
 * rounding-level difference in a weight whose gradient is near zero (below Adam's epsilon,
 * 1e-7) into a larger step difference.
 */
export async function seededWeights(config: ModelConfig): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  const model = buildModel(config);
  try {
    seedInitialWeights(model, 1);
    return await readValues(model.getWeights());
  } finally {
    model.dispose();
  }
}

/** A seeded batch of `count` square patches with vessel-like labels (bright pixels mostly vessel). */
export function vesselBatch(count: number, size: number, classes: number): EquivalenceBatch {
  const values = count * size * size;
  const x = seededUniform(values, 3, 0, 1);
  const noise = seededUniform(values, 5, 0, 1);
  const y = x.map((v, i) => (v + 0.5 * noise[i]! > 0.9 ? 1 : 0));
  return { x, y: Float32Array.from(y), shape: [count, size, size, 1], classes };
}

/** The largest absolute difference between two runs' weights. */
export function maxWeightDifference(a: TrainingRun, b: TrainingRun): number {
  if (a.weights.length !== b.weights.length) throw new Error('the runs hold different weights');
  let worst = 0;
  a.weights.forEach((values, t) => {
    const other = b.weights[t]!;
    if (other.length !== values.length) throw new Error(`weight ${t} differs in size`);
    for (let i = 0; i < values.length; i++)
      worst = Math.max(worst, Math.abs(values[i]! - other[i]!));
  });
  return worst;
}
