/**
 * What no tfjs-core spec reaches (their convolutions have few channels, so they never take
 * our Winograd path): 3x3 stride-1 convolutions with 8+ channels at odd sizes and batches of
 * 1 and 3, forward and both gradients through tf.grads, against the cpu backend; and our two
 * backprop kernels given a dy larger than the output their attributes imply.
 *
 * Tolerances, as in winograd.test.ts. The forward pass and the input gradient (a convolution
 * of dy with the flipped filter, channels swapped) are Winograd convolutions: within
 * gamma_(C+12) * W of the exact value (error-bound.ts), cpu's direct sum within gamma_9C * D,
 * D the convolution of absolute values; the two may differ by the sum. The filter gradient is a
 * direct sum of N*OH*OW products on both backends: they may differ by 2 * gamma_(N*OH*OW) times
 * the sum of absolute products. A wrong tap, tile edge or batch offset is off by the size of
 * the terms themselves, orders of magnitude above these bounds.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededUniform } from '../kernels/seeded-uniform';
import { setupCompute } from '../setup';
import { type ConvSizes, winogradScale } from './error-bound';
import { expectWinogradConv, expectWithin } from './expect-within';
import { MIN_WINOGRAD_CHANNELS } from './kernels';
import { winogradCalls } from './winograd';

interface Case extends ConvSizes {
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { n: 1, h: 7, w: 9, c: 8, k: 8, pad: 'same' },
  { n: 3, h: 13, w: 5, c: 12, k: 9, pad: 'same' },
  { n: 3, h: 7, w: 9, c: 9, k: 16, pad: 'valid' },
  { n: 1, h: 13, w: 5, c: 16, k: 10, pad: 'valid' },
];

beforeAll(async () => {
  const report = await setupCompute({ name: 'wasm', by: 'setting' }, { wasmThreads: 1 });
  expect(report.active).toBe('wasm');
});

function valuesOn(backend: string, op: () => tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => op().map((t) => (t.dataSync() as Float32Array).slice()));
}

/** The forward filter [3, 3, c, k] flipped and with channels swapped: the input gradient's. */
function flippedFilter(w: Float32Array, c: number, k: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      for (let ci = 0; ci < c; ci++)
        for (let ko = 0; ko < k; ko++)
          out[(((2 - i) * 3 + (2 - j)) * k + ko) * c + ci] = w[((i * 3 + j) * c + ci) * k + ko]!;
  return out;
}

describe('3x3 stride-1 convolutions with 8+ channels at odd sizes match cpu', () => {
  for (const [index, k] of CASES.entries()) {
    it(`${k.n}x${k.h}x${k.w}x${k.c} -> ${k.k}, ${k.pad}: forward and both gradients`, () => {
      expect(Math.min(k.c, k.k)).toBeGreaterThanOrEqual(MIN_WINOGRAD_CHANNELS);
      const pad = k.pad === 'same' ? 1 : 0;
      const oh = k.h + 2 * pad - 2;
      const ow = k.w + 2 * pad - 2;
      const xShape: [number, number, number, number] = [k.n, k.h, k.w, k.c];
      const wShape: [number, number, number, number] = [3, 3, k.c, k.k];
      const dyShape: [number, number, number, number] = [k.n, oh, ow, k.k];
      const xv = seededUniform(tf.util.sizeFromShape(xShape), 101 + index);
      const wv = seededUniform(tf.util.sizeFromShape(wShape), 103 + index);
      const dyv = seededUniform(tf.util.sizeFromShape(dyShape), 107 + index);
      const abs = (v: Float32Array) => v.map(Math.abs);
      // y, then dx and dw by tf.grads: Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter.
      const run = (x: Float32Array, w: Float32Array, dy: Float32Array) => () => {
        const conv = (a: tf.Tensor, b: tf.Tensor) =>
          tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, k.pad);
        const xt = tf.tensor4d(x, xShape);
        const wt = tf.tensor4d(w, wShape);
        return [conv(xt, wt), ...tf.grads(conv)([xt, wt], tf.tensor4d(dy, dyShape))];
      };
      const before = winogradCalls();
      const [y, dx, dw] = valuesOn('wasm', run(xv, wv, dyv));
      // Two forward passes (tf.grads runs its own), the input gradient and the filter gradient.
      expect(winogradCalls() - before, 'convolutions on the module').toBe(4);
      const [cy, cdx, cdw] = valuesOn('cpu', run(xv, wv, dyv));
      const [ay, adx, adw] = valuesOn('cpu', run(abs(xv), abs(wv), abs(dyv)));

      const forwardScale = winogradScale(xv, wv, k, pad, pad, oh, ow);
      expectWinogradConv(y!, cy!, ay!, forwardScale, k.c, 'Conv2D');
      // dx = conv(dy, flipped w) with padding 2 - pad on each side, k channels in, c out.
      const asConv = { n: k.n, h: oh, w: ow, c: k.k, k: k.c };
      const inputScale = winogradScale(
        dyv,
        flippedFilter(wv, k.c, k.k),
        asConv,
        2 - pad,
        2 - pad,
        k.h,
        k.w,
      );
      expectWinogradConv(dx!, cdx!, adx!, inputScale, k.k, 'Conv2DBackpropInput');
      expectWithin(dw!, cdw!, [[adw!, 2 * k.n * oh * ow]], 'Conv2DBackpropFilter');
    });
  }
});

describe('our backprop kernels given a dy larger than the output', () => {
  // tfjs's kernels read the leading outHeight x outWidth block of such a dy (cpu's loops are
  // bounded by the output size and step by dy's own strides); ours must read the same block.
  // Cropped and oversized dy agree to the bit on each backend; how closely the backends agree
  // with each other is what the cases above and conv2d-backprop.test.ts check.
  const cases = [
    { label: 'Winograd and direct 3x3 path', c: 8, k: 8, kernel: 3, stride: 1 },
    { label: 'XNNPACK path', c: 3, k: 2, kernel: 2, stride: 2 },
  ];
  for (const [index, c] of cases.entries()) {
    it(`reads only the block the attributes imply (${c.label}), as cpu does`, () => {
      const xShape: [number, number, number, number] = [2, 6, 5, c.c];
      const wShape: [number, number, number, number] = [c.kernel, c.kernel, c.c, c.k];
      const attrs = { strides: c.stride, pad: 'same' as const, dataFormat: 'NHWC' as const };
      const oh = Math.ceil(6 / c.stride);
      const ow = Math.ceil(5 / c.stride);
      // Two rows and three columns more than the output, filled with values that must not count.
      const bigShape: [number, number, number, number] = [2, oh + 2, ow + 3, c.k];
      const xv = seededUniform(tf.util.sizeFromShape(xShape), 131 + index);
      const wv = seededUniform(tf.util.sizeFromShape(wShape), 137 + index);
      const dyv = seededUniform(tf.util.sizeFromShape(bigShape), 139 + index);
      const grads = (cropped: boolean) => () => {
        const big = tf.tensor4d(dyv, bigShape);
        const dy = cropped ? tf.slice(big, [0, 0, 0, 0], [2, oh, ow, c.k]) : big;
        const engine = tf.engine();
        return [
          engine.runKernel(
            'Conv2DBackpropInput',
            { dy, filter: tf.tensor4d(wv, wShape) },
            { ...attrs, inputShape: xShape },
          ) as tf.Tensor,
          engine.runKernel(
            'Conv2DBackpropFilter',
            { x: tf.tensor4d(xv, xShape), dy },
            { ...attrs, filterShape: wShape },
          ) as tf.Tensor,
        ];
      };
      // cpu reads the leading block: the oversized dy gives what the cropped one gives.
      const [cpuDx, cpuDw] = valuesOn('cpu', grads(false));
      const [cpuCroppedDx, cpuCroppedDw] = valuesOn('cpu', grads(true));
      expect(Array.from(cpuDx!)).toEqual(Array.from(cpuCroppedDx!));
      expect(Array.from(cpuDw!)).toEqual(Array.from(cpuCroppedDw!));
      // So must ours: the same kernels on the same values, so identical results.
      const [dx, dw] = valuesOn('wasm', grads(false));
      const [croppedDx, croppedDw] = valuesOn('wasm', grads(true));
      expect(dx!.length).toBe(cpuDx!.length);
      expect(dw!.length).toBe(cpuDw!.length);
      expect(Array.from(dx!)).toEqual(Array.from(croppedDx!));
      expect(Array.from(dw!)).toEqual(Array.from(croppedDw!));
    });
  }
});
