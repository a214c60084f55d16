/**
 * The module's training kernels against the cpu backend. Max pooling's gradient, the copies of
 * concatenation and split, and the upsampling gradient (summed in the same order as our cpu
 * kernel) must agree exactly; the bias-gradient sum within gamma_rows times the sum of absolute
 * values (both backends sum the same terms, in any order).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededUniform } from '../kernels/seeded-uniform';
import { setupCompute } from '../setup';
import { trainingOpCalls } from './training-ops';

const U = 2 ** -24;

beforeAll(async () => {
  const report = await setupCompute({ name: 'wasm', by: 'setting' }, { wasmThreads: 1 });
  expect(report.active).toBe('wasm');
});

function on(backend: string, op: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const out = op();
    return (Array.isArray(out) ? out : [out]).map((t) => (t.dataSync() as Float32Array).slice());
  });
}

/** Runs `op` on wasm (through the module: `routed` more calls) and on cpu; returns both. */
function both(op: () => tf.Tensor | tf.Tensor[], routed: number) {
  const before = trainingOpCalls();
  const wasm = on('wasm', op);
  expect(trainingOpCalls() - before, 'kernels that ran on the module').toBe(routed);
  return { wasm, cpu: on('cpu', op) };
}

describe('training kernels on the module match cpu', () => {
  it('max-pooling gradient, ties included (the first maximum takes it), odd sizes', () => {
    for (const [n, h, w, c] of [
      [2, 7, 9, 6],
      [1, 4, 4, 16],
      [3, 5, 2, 3],
    ] as const) {
      const values = seededUniform(n * h * w * c, 81 + c);
      // A third of the values rounded to a few levels, so windows hold ties (as after a ReLU).
      const tied = values.map((v, i) => (i % 3 === 0 ? Math.round(v * 2) / 2 : v));
      const dy = seededUniform(n * Math.floor(h / 2) * Math.floor(w / 2) * c, 90 + c);
      const op = () =>
        tf.grad((x: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'),
              tf.tensor4d(dy, [n, Math.floor(h / 2), Math.floor(w / 2), c]),
            ),
          ),
        )(tf.tensor4d(tied, [n, h, w, c]));
      const { wasm, cpu } = both(op, 1);
      expect(Array.from(wasm[0]!)).toEqual(Array.from(cpu[0]!));
    }
  });

  it('concatenation and split along the channels, and the gradient of a concatenation', () => {
    const a = seededUniform(2 * 5 * 3 * 4, 101);
    const b = seededUniform(2 * 5 * 3 * 7, 102);
    const concat = () =>
      tf.concat([tf.tensor4d(a, [2, 5, 3, 4]), tf.tensor4d(b, [2, 5, 3, 7])], -1);
    let { wasm, cpu } = both(concat, 1);
    expect(Array.from(wasm[0]!)).toEqual(Array.from(cpu[0]!));
    const joined = seededUniform(2 * 5 * 3 * 11, 103);
    ({ wasm, cpu } = both(() => tf.split(tf.tensor4d(joined, [2, 5, 3, 11]), [4, -1, 2], 3), 1));
    expect(wasm.map((v) => Array.from(v))).toEqual(cpu.map((v) => Array.from(v)));
    const weights = tf.tensor4d(seededUniform(2 * 5 * 3 * 11, 104), [2, 5, 3, 11]);
    const grad = () =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.concat([x, y], 3), weights)))([
        tf.tensor4d(a, [2, 5, 3, 4]),
        tf.tensor4d(b, [2, 5, 3, 7]),
      ]);
    ({ wasm, cpu } = both(grad, 2));
    expect(wasm.map((v) => Array.from(v))).toEqual(cpu.map((v) => Array.from(v)));
    weights.dispose();
  });

  it('bias-gradient sums over every axis but the channels', () => {
    const [n, h, w, c] = [3, 17, 13, 10];
    const values = seededUniform(n * h * w * c, 111);
    for (const keepDims of [false, true]) {
      const op = () => tf.sum(tf.tensor4d(values, [n, h, w, c]), [0, 1, 2], keepDims);
      const { wasm, cpu } = both(op, 1);
      const abs = on('cpu', () => tf.sum(tf.abs(tf.tensor4d(values, [n, h, w, c])), [0, 1, 2]))[0]!;
      const rows = n * h * w;
      wasm[0]!.forEach((v, i) => {
        expect(Math.abs(v - cpu[0]![i]!)).toBeLessThanOrEqual(2 * rows * U * abs[i]!);
      });
    }
  });

  it('nearest 2x upsampling gradient', () => {
    const [n, h, w, c] = [2, 5, 3, 6];
    const dy = seededUniform(n * 2 * h * 2 * w * c, 121);
    const op = () =>
      tf.grad((x: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [2 * h, 2 * w]),
            tf.tensor4d(dy, [n, 2 * h, 2 * w, c]),
          ),
        ),
      )(tf.tensor4d(seededUniform(n * h * w * c, 122), [n, h, w, c]));
    const { wasm, cpu } = both(op, 1);
    expect(Array.from(wasm[0]!)).toEqual(Array.from(cpu[0]!));
  });
});
