/**
 * Our wasm convolution kernels against the cpu backend on random shapes.
 *
 * Tolerance: every output is a float32 sum of K products. By the standard inner-product bound
 * (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., section 3.1), each backend's
 * result lies within gamma_K * sum|products| of the exact value, gamma_K = K*u / (1 - K*u),
 * u = 2^-24, whatever order it sums in. Two backends may therefore differ by 2 * gamma_K times
 * the same convolution of the absolute values, which we compute on cpu. A wrong tap, phase
 * or padding breaks this by orders of magnitude (errors of the size of the terms themselves).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupCompute } from '../setup';
import { gamma } from '../webgpu/op-bounds';
import { planPhaseAxis } from './conv2d-backprop-input';
import { type ConvCase, convCase, nhwcPad } from './conv-cases';
import { seededUniform } from './seeded-uniform';

type Case = ConvCase;

/** Runs `op` on one backend, returns its values. */
function valuesOn(backend: string, op: () => tf.Tensor): Float32Array {
  tf.setBackend(backend);
  const result = tf.tidy(op);
  const values = result.dataSync() as Float32Array;
  result.dispose();
  return values.slice();
}

/** Asserts wasm matches cpu within 2*gamma_K times the bound tensor, element by element. */
function expectClose(
  wasm: Float32Array,
  cpu: Float32Array,
  bound: Float32Array,
  terms: number,
  label: string,
) {
  expect(wasm.length, label).toBe(cpu.length);
  const scale = 2 * gamma(terms);
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) {
    const allowed = scale * bound[i]! + 1e-30;
    worst = Math.max(worst, Math.abs(wasm[i]! - cpu[i]!) / allowed);
  }
  expect(worst, `${label}: worst error as a fraction of the float32 bound`).toBeLessThanOrEqual(1);
}

const CASES: Case[] = [
  convCase([1, 5, 5, 1], 1, [3, 3], [1, 1], 'same'),
  convCase([3, 7, 6, 3], 4, [3, 3], [2, 2], 'same'),
  convCase([2, 8, 9, 2], 5, [3, 3], [2, 2], 'valid'),
  convCase([1, 9, 7, 4], 3, [3, 3], [1, 1], 'valid'),
  convCase([4, 6, 6, 3], 2, [1, 1], [2, 2], 'same'),
  convCase([2, 10, 11, 5], 6, [2, 2], [2, 2], 'valid'),
  convCase([5, 13, 13, 1], 8, [3, 3], [2, 2], 'same'),
  convCase([1, 12, 12, 8], 1, [5, 5], [1, 1], 'same'),
  convCase([2, 11, 9, 3], 4, [3, 2], [1, 2], 'same'),
  convCase([2, 12, 12, 6], 4, [3, 3], [2, 2], nhwcPad(1, 2, 2, 0)),
  convCase([6, 16, 16, 8], 12, [3, 3], [1, 1], 'same'),
];

function describeCase(c: Case): string {
  return `${c.batch}x${c.height}x${c.width}x${c.inChannels} -> ${c.outChannels}, k${c.kernel.join('x')} s${c.strides.join('x')} ${typeof c.pad === 'string' ? c.pad : 'explicit'}`;
}

beforeAll(async () => {
  const report = await setupCompute({ name: 'wasm', by: 'setting' }, { wasmThreads: 1 });
  expect(report.active).toBe('wasm');
});

describe('planPhaseAxis', () => {
  it('is the plain flipped filter at stride 1', () => {
    const plan = planPhaseAxis(10, 10, 3, 1, 1);
    expect(plan).toMatchObject({ taps: 3, padBefore: 1, padAfter: 1, phaseSize: 10, skip: 0 });
    expect(plan.filterIndex).toEqual([[2, 1, 0]]);
  });

  it('splits a 3-tap stride-2 filter into a 2-tap phase and a 1-tap phase', () => {
    // 'same' at stride 2 on 8 rows: 4 outputs, padding 0 before, 1 after.
    const plan = planPhaseAxis(8, 4, 3, 2, 0);
    expect(plan.taps).toBe(2);
    expect(plan.phaseSize).toBe(4);
    // Phase 0 (even rows) uses taps 2 and 0; phase 1 (odd rows) uses tap 1 only.
    expect(plan.filterIndex).toEqual([
      [2, 0],
      [-1, 1],
    ]);
  });
});

describe('wasm convolution kernels match cpu', () => {
  for (const [index, c] of CASES.entries()) {
    it(describeCase(c), () => {
      const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
      const wShape: [number, number, number, number] = [
        c.kernel[0],
        c.kernel[1],
        c.inChannels,
        c.outChannels,
      ];
      const xValues = seededUniform(tf.util.sizeFromShape(xShape), 11 + index);
      const wValues = seededUniform(tf.util.sizeFromShape(wShape), 23 + index);
      tf.setBackend('cpu');
      const yShape = tf.tidy(() =>
        tf.conv2d(tf.tensor4d(xValues, xShape), tf.tensor4d(wValues, wShape), c.strides, c.pad),
      ).shape as [number, number, number, number];
      const dyValues = seededUniform(tf.util.sizeFromShape(yShape), 37 + index);
      const x = (abs = false) => tf.tensor4d(abs ? xValues.map(Math.abs) : xValues, xShape);
      const w = (abs = false) => tf.tensor4d(abs ? wValues.map(Math.abs) : wValues, wShape);
      const dy = (abs = false) => tf.tensor4d(abs ? dyValues.map(Math.abs) : dyValues, yShape);
      // Each gradient kernel, its inputs (|inputs| for the bound) and the products it sums.
      const gradients: {
        kernel: string;
        inputs: (abs: boolean) => tf.NamedTensorMap;
        shape: tf.NamedAttrMap;
        terms: number;
      }[] = [
        {
          kernel: 'Conv2DBackpropFilter',
          inputs: (abs: boolean) => ({ x: x(abs), dy: dy(abs) }),
          shape: { filterShape: wShape },
          terms: c.batch * yShape[1] * yShape[2],
        },
        {
          kernel: 'Conv2DBackpropInput',
          inputs: (abs: boolean) => ({ dy: dy(abs), filter: w(abs) }),
          shape: { inputShape: xShape },
          terms: c.kernel[0] * c.kernel[1] * c.outChannels,
        },
      ];
      for (const { kernel, inputs, shape, terms } of gradients) {
        const run = (abs: boolean) => () =>
          tf.engine().runKernel(kernel, inputs(abs), {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            ...shape,
          }) as tf.Tensor;
        expectClose(
          valuesOn('wasm', run(false)),
          valuesOn('cpu', run(false)),
          valuesOn('cpu', run(true)),
          terms,
          kernel,
        );
      }
    });
  }

  it('trains through strided and transposed convolutions like cpu (gradients of a LadderNet step)', () => {
    const xValues = seededUniform(2 * 9 * 9 * 3, 5);
    const downValues = seededUniform(3 * 3 * 3 * 4, 6);
    const upValues = seededUniform(3 * 3 * 3 * 4, 7);
    const grads = () => {
      const x = tf.tensor4d(xValues, [2, 9, 9, 3]);
      const f = (down: tf.Tensor, up: tf.Tensor) => {
        const h = tf.relu(tf.conv2d(x, down as tf.Tensor4D, 2, 'same'));
        // Transposed conv back to the input size, then a skip added (LadderNet's decoder).
        const u = tf.conv2dTranspose(h, up as tf.Tensor4D, [2, 9, 9, 3], 2, 'same');
        return tf.sum(tf.square(tf.add(u, x)));
      };
      const [dDown, dUp] = tf.grads(f)([
        tf.tensor4d(downValues, [3, 3, 3, 4]),
        tf.tensor4d(upValues, [3, 3, 3, 4]),
      ]);
      return tf.concat([dDown!.flatten(), dUp!.flatten()]);
    };
    const wasm = valuesOn('wasm', grads);
    const cpu = valuesOn('cpu', grads);
    const scale = Math.max(...cpu.map(Math.abs));
    // Two chained convolutions of at most 2*5*5*4 = 200 terms each: well inside 1e-4 relative.
    for (let i = 0; i < cpu.length; i++)
      expect(Math.abs(wasm[i]! - cpu[i]!)).toBeLessThan(1e-4 * scale);
  });
});
