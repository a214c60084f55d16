/**
 * A faster inference forward pass for U-Nets with nearest upsampling and concatenated skips
 * (bench-unet and its kin), computing exactly what `model.predict` computes.
 *
 * At each decoder level the model upsamples the coarse map x 2x (nearest), concatenates it after
 * the skip s, and convolves the result with a 3x3 kernel K = [K_s | K_x] (split by input
 * channel). That equals conv(s, K_s) + conv(up(x), K_x), and the second term needs no upsampled
 * map: every pair of fine rows (2i-1, 2i) reads only the coarse rows (i-1, i), through the row
 * taps [K0+K1, K2] (row 2i-1) and [K0, K1+K2] (row 2i); the same holds for columns. So one 2x2
 * convolution of the coarse map, padded by one, with the four row/column pair kernels as output
 * channels, then one transpose that interleaves them, gives conv(up(x), K_x) on a frame one
 * pixel larger on every side: 4 multiply-adds per output where the model does 9, and no
 * resize or concatenation (which tfjs-wasm runs in JavaScript). The skip term is computed on
 * the same frame (the skip padded by 2, a valid convolution), the ring outside the image is
 * zeroed, and the level's second convolution runs valid on it, which is the model's padded
 * convolution of the unframed map.
 *
 * Eligible: arch 'unet', padding 'same', upsampling 'nearest', skip 'concat', block 'plain',
 * no batch normalisation. Any other model runs through `model.predict`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig, UnetConfig } from '../../shared/model-config';

/** Whether `unetForward` rewrites this model's decoder (otherwise it calls `model.predict`). */
export function hasFastUnetForward(config: ModelConfig): config is UnetConfig {
  return (
    config.arch === 'unet' &&
    config.padding === 'same' &&
    config.upsampling === 'nearest' &&
    config.skip === 'concat' &&
    config.block === 'plain' &&
    !config.batchNorm
  );
}

type Kernel = tf.Tensor4D;

/** The layer's [kernel, bias]. */
function convWeights(model: tf.LayersModel, name: string): [Kernel, tf.Tensor1D] {
  const [kernel, bias] = model.getLayer(name).getWeights();
  if (!kernel || !bias) throw new Error(`layer ${name} has no kernel and bias`);
  return [kernel as Kernel, bias as tf.Tensor1D];
}

/** [2,2,C,4O]: the row/column pair kernels of a 3x3 kernel applied after nearest 2x upsampling. */
function pairKernels(kernel: Kernel): Kernel {
  const taps = (k: Kernel, axis: 0 | 1, second: boolean): Kernel => {
    const [k0, k1, k2] = tf.split(k, 3, axis) as [Kernel, Kernel, Kernel];
    return tf.concat(second ? [k0, tf.add(k1, k2)] : [tf.add(k0, k1), k2], axis) as Kernel;
  };
  const pairs: Kernel[] = [];
  for (const row of [false, true])
    for (const column of [false, true]) pairs.push(taps(taps(kernel, 0, row), 1, column));
  return tf.concat(pairs, 3) as Kernel;
}

function conv(x: tf.Tensor4D, [filter, bias]: [Kernel, tf.Tensor1D], pad: 'same' | 'valid') {
  return tf.fused.conv2d({ x, filter, bias, strides: 1, pad, activation: 'relu' });
}

/** The fast pass for an eligible model; input [n, h, w, c] with h and w multiples of 2^depth. */
function fastForward(model: tf.LayersModel, config: UnetConfig, x: tf.Tensor4D): tf.Tensor4D {
  const skips: tf.Tensor4D[] = [];
  let h = x;
  for (let level = 0; level < config.depth; level++) {
    h = conv(h, convWeights(model, `enc${level}_conv1`), 'same');
    h = conv(h, convWeights(model, `enc${level}_conv2`), 'same');
    skips.push(h);
    h = tf.maxPool(h, 2, 2, 'valid');
  }
  h = conv(h, convWeights(model, 'bottom_conv1'), 'same');
  h = conv(h, convWeights(model, 'bottom_conv2'), 'same');
  for (let level = config.depth - 1; level >= 0; level--) {
    const skip = skips[level]!;
    const skipChannels = skip.shape[3];
    const [kernel, bias] = convWeights(model, `dec${level}_conv1`);
    const [, , inChannels, out] = kernel.shape;
    const skipKernel = tf.slice(kernel, [0, 0, 0, 0], [3, 3, skipChannels, out]);
    const upKernel = pairKernels(
      tf.slice(kernel, [0, 0, skipChannels, 0], [3, 3, inChannels - skipChannels, out]),
    );
    // Both terms on the frame one pixel larger than the output on every side.
    const skipTerm = tf.fused.conv2d({
      x: tf.pad(skip, [
        [0, 0],
        [2, 2],
        [2, 2],
        [0, 0],
      ]),
      filter: skipKernel,
      bias,
      strides: 1,
      pad: 'valid',
    });
    const paired = tf.conv2d(
      tf.pad(h, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]),
      upKernel,
      1,
      'valid',
    );
    const [n, rows, columns] = paired.shape;
    const upTerm = tf
      .transpose(paired.reshape([n * rows, columns, 2, 2 * out]), [0, 2, 1, 3])
      .reshape([n, 2 * rows, 2 * columns, out]);
    const inside = tf.pad(tf.ones([1, 2 * rows - 2, 2 * columns - 2, 1]), [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    const framed = tf.mul(tf.relu(tf.add(skipTerm, upTerm)), inside) as tf.Tensor4D;
    h = conv(framed, convWeights(model, `dec${level}_conv2`), 'valid');
  }
  const [head, headBias] = convWeights(model, 'head');
  const logits = tf.conv2d(h, head, 1, 'same').add(headBias) as tf.Tensor4D;
  return config.output === 'softmax' ? tf.softmax(logits) : tf.sigmoid(logits);
}

/** The model's output for x: the fast pass where the config allows it, `model.predict` otherwise. */
export function unetForward(
  model: tf.LayersModel,
  config: ModelConfig,
  x: tf.Tensor4D,
): tf.Tensor4D {
  if (!hasFastUnetForward(config)) return model.predict(x) as tf.Tensor4D;
  return tf.tidy(() => fastForward(model, config, x));
}
