/**
 * Pixel losses on vessel probabilities: binary cross-entropy, soft Dice, their sum, and the
 * weighted forms (every loss takes a per-pixel weight map, which carries class weights, the
 * border map and fine-tuning weights). Models with valid convolutions return a smaller map than
 * their input, so labels and weights are cropped to the centre of the output.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossOptions } from './options';

/** Keeps probabilities away from 0 and 1 so the logarithms stay finite. */
const EPSILON = 1e-7;
/** Dice smoothing: an empty label and an empty prediction agree perfectly. */
const DICE_SMOOTH = 1;

/** The vessel probability [n, h, w, 1] of a model output: sigmoid (1 channel) or softmax (2, vessel last). */
export function vesselProbability(output: tf.Tensor4D): tf.Tensor4D {
  const channels = output.shape[3];
  if (channels === 1) return output;
  if (channels === 2) return tf.slice(output, [0, 0, 0, 1], [-1, -1, -1, 1]);
  throw new Error(
    `The model has ${channels} output channels; training expects 1 (sigmoid) or 2 (softmax).`,
  );
}

/** Crops [n, h, w, c] to the centre [n, height, width, c] (no-op when the size already matches). */
export function cropCentre<T extends tf.Tensor4D>(tensor: T, height: number, width: number): T {
  const [, h, w] = tensor.shape;
  if (h === height && w === width) return tensor;
  if (height > h || width > w) {
    throw new Error(`The model output (${height}x${width}) is larger than its input (${h}x${w}).`);
  }
  return tf.slice(
    tensor,
    [0, Math.floor((h - height) / 2), Math.floor((w - width) / 2), 0],
    [-1, height, width, -1],
  ) as T;
}

/** Weighted mean binary cross-entropy. */
export function binaryCrossEntropy(
  labels: tf.Tensor,
  probabilities: tf.Tensor,
  weights: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(probabilities, EPSILON, 1 - EPSILON);
    const perPixel = tf.neg(
      tf.add(tf.mul(labels, tf.log(p)), tf.mul(tf.sub(1, labels), tf.log(tf.sub(1, p)))),
    );
    return tf.div(
      tf.sum(tf.mul(perPixel, weights)),
      tf.maximum(tf.sum(weights), EPSILON),
    ) as tf.Scalar;
  });
}

/** Weighted soft Dice loss over the whole batch: 1 - (2 sum(w p y) + s) / (sum(w p) + sum(w y) + s). */
export function diceLoss(
  labels: tf.Tensor,
  probabilities: tf.Tensor,
  weights: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    const intersection = tf.sum(tf.mul(weights, tf.mul(probabilities, labels)));
    const total = tf.add(tf.sum(tf.mul(weights, probabilities)), tf.sum(tf.mul(weights, labels)));
    return tf.sub(
      1,
      tf.div(tf.add(tf.mul(2, intersection), DICE_SMOOTH), tf.add(total, DICE_SMOOTH)),
    ) as tf.Scalar;
  });
}

/**
 * The configured loss of a batch. `weights` already holds class and border weights, so
 * `weighted-bce` and `bce` compute the same formula on different maps.
 */
export function batchLoss(
  kind: LossOptions['kind'],
  labels: tf.Tensor,
  probabilities: tf.Tensor,
  weights: tf.Tensor,
): tf.Scalar {
  switch (kind) {
    case 'bce':
    case 'weighted-bce':
      return binaryCrossEntropy(labels, probabilities, weights);
    case 'dice':
      return diceLoss(labels, probabilities, weights);
    case 'bce-dice':
      return tf.tidy(
        () =>
          tf.add(
            binaryCrossEntropy(labels, probabilities, weights),
            diceLoss(labels, probabilities, weights),
          ) as tf.Scalar,
      );
  }
}
