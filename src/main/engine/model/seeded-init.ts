/**
 * Seeded initial weights, so a training run is reproducible from its seed: tfjs-layers draws
 * its initial weights from an unseeded generator. Kernels get He initialisation (normal with
 * std sqrt(2 / fan-in), as the U-Net paper prescribes), biases and batch-norm shifts 0,
 * batch-norm scales and moving variances 1.
 */
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../dataset/random';

/** The random stream of initial weights (the data streams use others). */
export const INIT_STREAM = 7;

/** Fan-in of a kernel, computed as tfjs-layers does: input channels times the receptive field. */
export function fanIn(shape: readonly number[]): number {
  if (shape.length < 2) return shape[0] ?? 1;
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return (shape[shape.length - 2] as number) * receptive;
}

/** Re-draws every trainable weight of `model` from `seed`; the same seed gives the same weights. */
export function seedInitialWeights(model: tf.LayersModel, seed: number): void {
  const random = new SeededRandom(seed, INIT_STREAM);
  const values = model.weights.map((weight) => {
    const shape = weight.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const name = weight.originalName ?? weight.name;
    if (/(kernel|depthwise_kernel)$/.test(name)) {
      const std = Math.sqrt(2 / fanIn(shape));
      for (let i = 0; i < size; i++) data[i] = random.normal() * std;
    } else if (/(gamma|moving_variance)$/.test(name)) {
      data.fill(1);
    }
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  tf.dispose(values);
}
