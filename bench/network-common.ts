/**
 * What the compute benches share about the two reference networks: the model compiled as
 * the bench trains it (Adam 1e-3, binary or categorical cross-entropy on 48x48x1 patches),
 * a seeded random batch, and the whole-image forward pass the app infers with. The wasm bench
 * (compute-network.ts) and the GPU bench (gpu-run.ts) both build on these, so their figures
 * measure the same work.
 */
import * as tf from '@tensorflow/tfjs';
import { unetForward } from '../src/main/compute/unet-forward';
import { buildModel, modelPreset, type ModelConfig } from '../src/main/compute/model';

export const BENCH_NETWORKS = ['bench-unet', 'laddernet'] as const;
export type BenchNetwork = (typeof BENCH_NETWORKS)[number];

/** The side of a training patch, as the app trains. */
export const PATCH = 48;

/** The network's size multiple: 2^poolings (bench-unet: 3, LadderNet: 4). */
const MULTIPLE: Record<BenchNetwork, number> = { 'bench-unet': 8, laddernet: 16 };

export function isBenchNetwork(name: string | undefined): name is BenchNetwork {
  return (BENCH_NETWORKS as readonly string[]).includes(name ?? '');
}

export interface CompiledNetwork {
  model: tf.LayersModel;
  config: ModelConfig;
  /** LadderNet ends in a 2-class softmax; bench-unet in one sigmoid channel. */
  softmax: boolean;
}

/** The network built from its preset and compiled with the loss and optimiser the bench uses. */
export function compileNetwork(name: BenchNetwork): CompiledNetwork {
  const config = modelPreset(name);
  const model = buildModel(config);
  const softmax = model.outputs[0]!.shape[3] === 2;
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: softmax ? 'categoricalCrossentropy' : 'binaryCrossentropy',
  });
  return { model, config, softmax };
}

export interface TrainingBatch {
  x: tf.Tensor4D;
  /** The target in the network's output layout (two channels for a softmax). */
  y: tf.Tensor4D;
  /** The vessel mask alone, one channel. */
  vessel: tf.Tensor4D;
}

/** A seeded batch of random patches with a sparse vessel mask (about 20% foreground). */
export function trainingBatch(batch: number, softmax: boolean): TrainingBatch {
  const x = tf.randomUniform([batch, PATCH, PATCH, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const vessel = tf.tidy(() =>
    tf.randomUniform([batch, PATCH, PATCH, 1], 0, 1, 'float32', 2).greater(0.8).toFloat(),
  ) as tf.Tensor4D;
  const y = softmax
    ? (tf.tidy(() => tf.concat([tf.sub(1, vessel), vessel], -1)) as tf.Tensor4D)
    : vessel;
  return { x, y, vessel };
}

/** The image's size rounded up to the network's multiple, as the app pads it. */
export function paddedSize(name: BenchNetwork, height: number, width: number): [number, number] {
  const multiple = MULTIPLE[name];
  return [Math.ceil(height / multiple) * multiple, Math.ceil(width / multiple) * multiple];
}

/** A forward pass of the whole padded image: the app's (unetForward) or the plain graph. */
export type Forward = (x: tf.Tensor4D) => tf.Tensor4D;

export function appForward(network: CompiledNetwork): Forward {
  // As the app infers (compute/infer.ts): unetForward rewrites bench-unet's decoder
  // (compute/unet-forward.ts) and is model.predict for LadderNet.
  return (x) => unetForward(network.model, network.config, x);
}

/**
 * The vessel probabilities of one whole image: mirror-padded to the network's multiple, run
 * through `forward`, cropped back. The caller reads the result (synchronously on wasm; on
 * webgpu only `await data()` works) and disposes it.
 */
export function wholeImageProbabilities(
  name: BenchNetwork,
  network: CompiledNetwork,
  image: tf.Tensor4D,
  forward: Forward,
): tf.Tensor4D {
  const [, height, width] = image.shape;
  const [paddedHeight, paddedWidth] = paddedSize(name, height, width);
  return tf.tidy(() => {
    const padded = tf.mirrorPad(
      image,
      [
        [0, 0],
        [0, paddedHeight - height],
        [0, paddedWidth - width],
        [0, 0],
      ],
      'reflect',
    );
    const out = forward(padded);
    const channel = network.softmax ? 1 : 0;
    return out.slice([0, 0, 0, channel], [1, height, width, 1]);
  });
}

/** The median of a list of numbers (the upper middle one for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
