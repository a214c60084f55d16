/**
 * The comparison and the bounds of op-bounds.ts, on cpu only: the comparison rejects what lies
 * beyond a bound, the bounds are wide enough for plain float32 arithmetic (a float32 loop in
 * another order than cpu's double one stays inside them) and narrow enough to catch a wrong
 * kernel (one filter tap lost).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../engine/dataset/random';
import {
  boundsFor,
  compareWithin,
  FLT_MIN,
  gamma,
  justBeyond,
  nextFloat32Up,
  ULP_RELATIVE,
  UNIT_ROUNDOFF,
  type KernelCall,
  type TensorRecord,
  type Values,
} from './op-bounds';
import { runKernelCall as runCpu } from './test-gpu';

function randomTensor(shape: number[], stream: number, lo = -1, hi = 1): TensorRecord {
  const random = new SeededRandom(3, stream);
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    shape,
    dtype: 'float32',
    values: Float32Array.from({ length: size }, () => random.uniform(lo, hi)),
  };
}

async function boundsOf(call: KernelCall): Promise<{ reference: Values; bound: Float64Array }> {
  const [reference] = await runCpu(call);
  const [bound] = await boundsFor({ call, reference: [reference], runCpu });
  return { reference, bound };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('gamma', () => {
  it('is n u / (1 - n u), and undefined once n u reaches 1', () => {
    expect(gamma(0)).toBe(0);
    expect(gamma(1) / UNIT_ROUNDOFF).toBeCloseTo(1 / (1 - UNIT_ROUNDOFF), 12);
    expect(gamma(1000) / (1000 * UNIT_ROUNDOFF)).toBeCloseTo(1 / (1 - 1000 * UNIT_ROUNDOFF), 12);
    expect(() => gamma(2 ** 24)).toThrow(RangeError);
  });
});

describe('compareWithin', () => {
  it('accepts differences within the bound and counts each one beyond it', () => {
    const expected = Float32Array.of(1, -2, 0.5, 0);
    const bound = Float64Array.of(1e-6, 1e-6, 0, FLT_MIN);
    expect(compareWithin(expected, Float32Array.of(1 + 5e-7, -2, 0.5, 0), bound).violations).toBe(
      0,
    );
    const beyond = compareWithin(expected, Float32Array.of(1, -2, nextFloat32Up(0.5), 0), bound);
    expect(beyond.violations).toBe(1);
    expect(beyond.first?.index).toBe(2);
    expect(beyond.worstRatio).toBe(Infinity);
  });

  it('accepts NaN against NaN and equal infinities, rejects NaN against a number', () => {
    const bound = new Float64Array(3).fill(1);
    expect(
      compareWithin([NaN, Infinity, -Infinity], [NaN, Infinity, -Infinity], bound).violations,
    ).toBe(0);
    expect(compareWithin([NaN, 1, 1], [0, NaN, Infinity], bound).violations).toBe(3);
  });

  it('leaves elements with an infinite bound unchecked and counts them', () => {
    const result = compareWithin([1, 2], [5, 2], [Infinity, 0]);
    expect(result).toMatchObject({ violations: 0, unbounded: 1 });
  });

  it('refuses outputs of different lengths', () => {
    expect(() => compareWithin([1, 2], [1], [0, 0])).toThrow(/cannot compare/);
  });
});

describe('justBeyond', () => {
  it('is the nearest float32 above the value farther than the bound', () => {
    for (const [value, bound] of [
      [1, 0],
      [0.3, 1e-7],
      [-4.5, 3e-6],
      [0, FLT_MIN],
      [1e-30, 0],
    ]) {
      // Kernel outputs are float32 values.
      const moved = justBeyond(Math.fround(value), bound);
      expect(Math.fround(moved)).toBe(moved);
      expect(Math.abs(moved - Math.fround(value))).toBeGreaterThan(bound);
      // The float32 just below is not beyond: nothing nearer would do.
      const below = new Float32Array([moved]);
      const bits = new Int32Array(below.buffer);
      bits[0] += moved > 0 ? -1 : 1;
      expect(Math.abs(below[0] - Math.fround(value))).toBeLessThanOrEqual(bound);
    }
  });

  it('steps up through zero and negative numbers', () => {
    expect(nextFloat32Up(0)).toBe(2 ** -149);
    expect(nextFloat32Up(-1)).toBe(-1 + 2 ** -24);
    expect(nextFloat32Up(1)).toBe(1 + 2 ** -23);
  });
});

describe('kernel bounds', () => {
  it('Sum: a float32 loop summing in another order stays inside; a lost term does not', async () => {
    const n = 200;
    const x = randomTensor([4, n], 1, 0.25, 1);
    const call: KernelCall = {
      kernelName: 'Sum',
      inputs: { x },
      attrs: { axis: [1], keepDims: false },
    };
    const { reference, bound } = await boundsOf(call);
    const float32 = new Float32Array(4);
    const dropped = new Float32Array(4);
    for (let row = 0; row < 4; row++) {
      let sum = 0;
      // Backwards, rounding to float32 after every addition.
      for (let j = n - 1; j >= 0; j--) sum = Math.fround(sum + x.values[row * n + j]);
      float32[row] = sum;
      dropped[row] = reference[row] - x.values[row * n + 7];
      // 2 gamma_n sum |x|, and not more than rounding the magnitude run's result can add.
      let magnitude = 0;
      for (let j = 0; j < n; j++) magnitude += Math.abs(x.values[row * n + j]);
      expect(bound[row]).toBeGreaterThanOrEqual(2 * gamma(n) * magnitude);
      expect(bound[row]).toBeLessThan(2.001 * gamma(n) * magnitude);
    }
    expect(compareWithin(reference, float32, bound).violations).toBe(0);
    // The bound is about 2 n^2 u times an average term (0.005 of one here): one lost term is
    // caught while n is below about 2^11.5; longer sums need a larger error to fail.
    expect(compareWithin(reference, dropped, bound).violations).toBe(4);
  });

  it('Conv2D: a float32 loop stays inside; a kernel that drops one filter tap does not', async () => {
    const x = randomTensor([1, 6, 6, 3], 2, 0, 1);
    const filter = randomTensor([3, 3, 3, 2], 3, 0.5, 1);
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 };
    const call: KernelCall = { kernelName: 'Conv2D', inputs: { x, filter }, attrs };
    const { reference, bound } = await boundsOf(call);
    const lost = structuredClone(filter);
    lost.values[5] = 0;
    const [wrong] = await runCpu({ ...call, inputs: { x, filter: lost } });
    expect(compareWithin(reference, wrong, bound).violations).toBeGreaterThan(0);
    // Output (0, 0, 0, 0) by hand in float32, taps in reverse order.
    let sum = 0;
    for (let k = 26; k >= 0; k--) {
      const [r, c, ch] = [Math.floor(k / 9), Math.floor(k / 3) % 3, k % 3];
      sum = Math.fround(sum + Math.fround(x.values[(r * 6 + c) * 3 + ch] * filter.values[k * 2]));
    }
    expect(Math.abs(sum - reference[0])).toBeLessThanOrEqual(bound[0]);
  });

  it('RealDiv: 3 ULP of the quotient, none where WGSL sets no accuracy for the divisor', async () => {
    const a: TensorRecord = { shape: [3], dtype: 'float32', values: Float32Array.of(1, 1, 1) };
    const b: TensorRecord = { shape: [3], dtype: 'float32', values: Float32Array.of(3, 1e-39, 2) };
    const { reference, bound } = await boundsOf({
      kernelName: 'RealDiv',
      inputs: { a, b },
      attrs: {},
    });
    expect(bound[0]).toBeCloseTo(3 * ULP_RELATIVE * Math.abs(reference[0]), 12);
    expect(bound[1]).toBe(Infinity);
    expect(bound[2]).toBeLessThan(4 * ULP_RELATIVE);
  });

  it('Log: absolute 2^-21 near 1, a few ULP elsewhere', async () => {
    const x: TensorRecord = { shape: [2], dtype: 'float32', values: Float32Array.of(1.0001, 1e-7) };
    const { reference, bound } = await boundsOf({ kernelName: 'Log', inputs: { x }, attrs: {} });
    expect(bound[0]).toBeGreaterThan(2 ** -21);
    expect(bound[0]).toBeLessThan(2 ** -21 + 1e-10);
    expect(bound[1]).toBeCloseTo(3.5 * ULP_RELATIVE * Math.abs(reference[1]), 10);
  });

  it('exact kernels allow only a flushed subnormal', async () => {
    const x = randomTensor([5], 4);
    const { bound } = await boundsOf({ kernelName: 'Relu', inputs: { x }, attrs: {} });
    expect([...bound]).toEqual(new Array(5).fill(FLT_MIN));
  });

  it('refuses a kernel nobody derived a bound for', async () => {
    const x = randomTensor([2], 5);
    await expect(boundsOf({ kernelName: 'Tanh', inputs: { x }, attrs: {} })).rejects.toThrow(
      /no bound derived for kernel Tanh/,
    );
  });
});
