/**
 * Seeded initial weights, so a training run is reproducible from its seed: tfjs-layers draws
 * its initial weights from an unseeded generator.
 *
 * Two schemes, each the one its architecture was published with:
 * - `he` (U-Net; Ronneberger et al. 2015): kernels normal with std sqrt(2 / fan-in), biases 0.
 * - `torch-default` (LadderNet; its released code, juntang-zhuang/LadderNet, sets no
 *   initialiser, so PyTorch's Conv2d/ConvTranspose2d defaults apply): kernels and biases
 *   uniform in +-1/sqrt(fan-in) (kaiming_uniform with a = sqrt(5)). LadderNet has no
 *   normalisation and about 30 residual and skip additions in sequence; with He kernels its first
 *   outputs saturate and BCE training stalls (first loss 5+, validation AUC 0.5 for an epoch).
 * Batch-norm scales and moving variances start at 1, shifts and means at 0, in both.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../../shared/model-config';
import { SeededRandom } from '../../engine/dataset/random';

/** The random stream of initial weights (the data streams use others). */
export const INIT_STREAM = 7;

export type InitScheme = 'he' | 'torch-default';

/** The initialisation an architecture was published with. */
export function initSchemeFor(config: ModelConfig): InitScheme {
  return config.arch === 'laddernet' ? 'torch-default' : 'he';
}

/** Fan-in of a kernel, computed as tfjs-layers (and PyTorch) do: input channels times the receptive field. */
export function fanIn(shape: readonly number[]): number {
  if (shape.length < 2) return shape[0] ?? 1;
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return (shape[shape.length - 2] as number) * receptive;
}

/**
 * Re-draws every weight of `model` from `seed` with `scheme`; the same seed gives the same
 * weights. A bias takes the fan-in of the kernel listed just before it (its layer's).
 */
export function seedInitialWeights(
  model: tf.LayersModel,
  seed: number,
  scheme: InitScheme = 'he',
): void {
  const random = new SeededRandom(seed, INIT_STREAM);
  let lastFanIn = 1;
  const values = model.weights.map((weight) => {
    const shape = weight.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const name = weight.originalName ?? weight.name;
    if (/(kernel|depthwise_kernel)$/.test(name)) {
      lastFanIn = fanIn(shape);
      if (scheme === 'he') {
        const std = Math.sqrt(2 / lastFanIn);
        for (let i = 0; i < size; i++) data[i] = random.normal() * std;
      } else {
        const bound = 1 / Math.sqrt(lastFanIn);
        for (let i = 0; i < size; i++) data[i] = random.uniform(-bound, bound);
      }
    } else if (/bias$/.test(name) && scheme === 'torch-default') {
      const bound = 1 / Math.sqrt(lastFanIn);
      for (let i = 0; i < size; i++) data[i] = random.uniform(-bound, bound);
    } else if (/(gamma|moving_variance)$/.test(name)) {
      data.fill(1);
    }
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  tf.dispose(values);
}
