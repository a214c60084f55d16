import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchLoss, binaryCrossEntropy, cropCentre, diceLoss, vesselProbability } from './losses';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (t: tf.Tensor) => t.dataSync()[0] as number;

describe('losses', () => {
  const labels = tf.tensor4d([1, 0, 1, 0], [1, 2, 2, 1]);
  const probabilities = tf.tensor4d([0.9, 0.2, 0.6, 0.1], [1, 2, 2, 1]);
  const ones = tf.onesLike(labels);

  it('binary cross-entropy is the mean of -log of the probability given to the truth', () => {
    const expected = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.6) + Math.log(0.9)) / 4;
    expect(value(binaryCrossEntropy(labels, probabilities, ones))).toBeCloseTo(expected, 5);
  });

  it('weights scale each pixel and normalise by their sum', () => {
    const weights = tf.tensor4d([3, 1, 3, 1], [1, 2, 2, 1]);
    const expected = -(3 * Math.log(0.9) + Math.log(0.8) + 3 * Math.log(0.6) + Math.log(0.9)) / 8;
    expect(value(batchLoss('weighted-bce', labels, probabilities, weights))).toBeCloseTo(
      expected,
      5,
    );
    // A zero weight removes a pixel entirely.
    const masked = tf.tensor4d([1, 0, 0, 0], [1, 2, 2, 1]);
    expect(value(binaryCrossEntropy(labels, probabilities, masked))).toBeCloseTo(-Math.log(0.9), 5);
  });

  it('stays finite for certain, wrong predictions', () => {
    const wrong = tf.tensor4d([0, 1, 0, 1], [1, 2, 2, 1]);
    const loss = value(binaryCrossEntropy(labels, wrong, ones));
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeGreaterThan(10);
  });

  it('dice is 1 - 2|P.Y| / (|P| + |Y|) with smoothing, and bce-dice adds both', () => {
    const dice = 1 - (2 * (0.9 + 0.6) + 1) / (0.9 + 0.2 + 0.6 + 0.1 + 2 + 1);
    expect(value(diceLoss(labels, probabilities, ones))).toBeCloseTo(dice, 5);
    expect(value(batchLoss('bce-dice', labels, probabilities, ones))).toBeCloseTo(
      value(binaryCrossEntropy(labels, probabilities, ones)) + dice,
      5,
    );
    expect(value(diceLoss(labels, labels, ones))).toBeCloseTo(0, 5);
  });

  it('takes the vessel channel of a softmax output and crops labels to a smaller output', () => {
    const softmax = tf.tensor4d([0.3, 0.7, 0.6, 0.4], [1, 1, 2, 2]);
    expect(Array.from(vesselProbability(softmax).dataSync())).toEqual([
      expect.closeTo(0.7, 6),
      expect.closeTo(0.4, 6),
    ]);
    const big = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i),
      [1, 4, 4, 1],
    );
    expect(Array.from(cropCentre(big, 2, 2).dataSync())).toEqual([5, 6, 9, 10]);
    expect(() => vesselProbability(tf.zeros([1, 2, 2, 3]) as tf.Tensor4D)).toThrow(
      /3 output channels/,
    );
  });
});
