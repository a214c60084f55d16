import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelPreset, type LadderNetConfig } from '../../../shared/model-config';
import { buildLadderNet, strideTwoDown, strideTwoUp } from './laddernet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A one-channel model around one of the stride-2 helpers, kernel 1..9 and bias 0.5. */
function singleChannel(helper: typeof strideTwoDown): tf.LayersModel {
  const input = tf.input({ shape: [null, null, 1] });
  const model = tf.model({ inputs: input, outputs: helper(input, 1, 'op') });
  const kernel = tf.tensor4d(
    Array.from({ length: 9 }, (_, i) => i + 1),
    [3, 3, 1, 1],
  );
  model.getLayer('op').setWeights([kernel, tf.tensor1d([0.5])]);
  return model;
}

const w = (a: number, b: number) => a * 3 + b + 1;
const image = [
  [1, -2, 3, 0],
  [0, 4, -1, 2],
  [2, 1, 0, -3],
  [-1, 0, 2, 1],
];
const at = (y: number, x: number) => (y >= 0 && y < 4 && x >= 0 && x < 4 ? image[y][x] : 0);

describe("LadderNet's resampling matches the released PyTorch layers", () => {
  it('Conv2d(k=3, stride=2, padding=1) + ReLU: y[i][j] = relu(b + sum w[a][c] x[2i+a-1][2j+c-1])', () => {
    const model = singleChannel(strideTwoDown);
    const out = (
      model.predict(tf.tensor4d(image.flat(), [1, 4, 4, 1])) as tf.Tensor
    ).arraySync() as number[][][][];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        let sum = 0.5;
        for (let a = 0; a < 3; a++)
          for (let c = 0; c < 3; c++) sum += w(a, c) * at(2 * i + a - 1, 2 * j + c - 1);
        expect(out[0][i][j][0]).toBeCloseTo(Math.max(0, sum), 4);
      }
    }
    model.dispose();
  });

  it('ConvTranspose2d(k=3, stride=2, padding=1, output_padding=1): out[2i+a-1][2j+c-1] += w[a][c] x[i][j]', () => {
    const model = singleChannel(strideTwoUp);
    const out = (
      model.predict(tf.tensor4d(image.flat(), [1, 4, 4, 1])) as tf.Tensor
    ).arraySync() as number[][][][];
    const expected = Array.from({ length: 8 }, () => new Array<number>(8).fill(0.5));
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        for (let a = 0; a < 3; a++) {
          for (let c = 0; c < 3; c++) {
            const p = 2 * i + a - 1;
            const q = 2 * j + c - 1;
            if (p >= 0 && p < 8 && q >= 0 && q < 8) expected[p][q] += w(a, c) * image[i][j];
          }
        }
      }
    }
    expect(out[0].length).toBe(8);
    for (let p = 0; p < 8; p++)
      for (let q = 0; q < 8; q++) expect(out[0][p][q][0]).toBeCloseTo(expected[p][q], 4);
    model.dispose();
  });
});

describe('LadderNet', () => {
  it('keeps the input size and gives 2 softmax channels summing to 1', () => {
    const config = { ...modelPreset('laddernet'), layers: 2, filters: 4 } as LadderNetConfig;
    const model = buildLadderNet(config);
    const out = model.predict(tf.randomNormal([2, 12, 8, 1], 0, 1, 'float32', 5)) as tf.Tensor;
    expect(out.shape).toEqual([2, 12, 8, 2]);
    const sums = tf.sum(out, -1).dataSync();
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    model.dispose();
  });
});
