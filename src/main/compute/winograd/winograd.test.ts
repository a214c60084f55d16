/**
 * Our Winograd convolution (through the wasm Conv2D, FusedConv2D and Conv2DBackpropInput
 * kernels) against the cpu backend, on random shapes: odd sizes, batches, channel counts that
 * are and are not multiples of the SIMD width, same, valid and explicit padding, bias and ReLU.
 *
 * Tolerance. The cpu backend sums 9C products directly: within gamma_9C * D of the exact value,
 * D = conv(|x|, |w|) (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., 3.1),
 * gamma_n = n*u / (1 - n*u), u = 2^-24. Winograd computes Y = A^T [sum_c (G g G^T) (.) (B^T d B)] A:
 * two rounded additions per entry of B^T d B, four for G g G^T (its halves are exact), C - 1 in
 * the channel sum, four in A^T . A, and the products: each output is within gamma_(C+12) * W of
 * the exact value, W = |A^T| [sum_c (|G||g||G^T|) (.) (|B^T||d||B|)] |A|, computed here in
 * float64. The two backends may differ by the sum of both bounds. A wrong tap, pad or tile
 * offset breaks it by orders of magnitude (errors the size of the terms themselves).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { nhwcPad, type Pad } from '../kernels/conv-cases';
import { seededUniform } from '../kernels/seeded-uniform';
import { setupCompute } from '../setup';
import { MIN_WINOGRAD_CHANNELS, registerWinogradKernels, winogradFor } from './kernels';
import { winogradScale } from './error-bound';
import { expectWinogradConv, expectWithin } from './expect-within';
import { simdLevel, WinogradConv, winogradCalls } from './winograd';

interface Case {
  n: number;
  h: number;
  w: number;
  c: number;
  k: number;
  pad: Pad;
}

const CASES: Case[] = [
  { n: 1, h: 5, w: 5, c: 8, k: 8, pad: 'same' },
  { n: 3, h: 7, w: 6, c: 9, k: 5, pad: 'same' },
  { n: 2, h: 9, w: 13, c: 16, k: 1, pad: 'valid' },
  { n: 1, h: 6, w: 4, c: 13, k: 10, pad: nhwcPad(2, 0, 0, 1) },
  { n: 4, h: 11, w: 3, c: 32, k: 17, pad: 'same' },
  { n: 1, h: 2, w: 2, c: 8, k: 4, pad: 'same' },
  { n: 2, h: 17, w: 15, c: 24, k: 32, pad: 'same' },
  { n: 1, h: 3, w: 3, c: 10, k: 3, pad: 'valid' },
];

function valuesOn(backend: string, op: () => tf.Tensor): Float32Array {
  tf.setBackend(backend);
  const result = tf.tidy(op);
  const values = (result.dataSync() as Float32Array).slice();
  result.dispose();
  return values;
}

function explicitPads(pad: Pad, h: number, w: number) {
  if (pad === 'same') return { top: 1, left: 1, oh: h, ow: w };
  if (pad === 'valid') return { top: 0, left: 0, oh: h - 2, ow: w - 2 };
  return {
    top: pad[1][0],
    left: pad[2][0],
    oh: h + pad[1][0] + pad[1][1] - 2,
    ow: w + pad[2][0] + pad[2][1] - 2,
  };
}

beforeAll(async () => {
  const report = await setupCompute({ name: 'wasm', by: 'setting' }, { wasmThreads: 1 });
  expect(report.active).toBe('wasm');
  expect(registerWinogradKernels()).toContain('FusedConv2D');
});

describe('Winograd convolution matches cpu', () => {
  CASES.forEach((k, index) => {
    const label = `${k.n}x${k.h}x${k.w}x${k.c} -> ${k.k}, ${JSON.stringify(k.pad)}`;
    it(label, () => {
      const xShape: [number, number, number, number] = [k.n, k.h, k.w, k.c];
      const wShape: [number, number, number, number] = [3, 3, k.c, k.k];
      const xv = seededUniform(tf.util.sizeFromShape(xShape), 11 + index);
      const wv = seededUniform(tf.util.sizeFromShape(wShape), 23 + index);
      const bv = seededUniform(k.k, 31 + index);
      const x = (abs = false) => tf.tensor4d(abs ? xv.map(Math.abs) : xv, xShape);
      const w = (abs = false) => tf.tensor4d(abs ? wv.map(Math.abs) : wv, wShape);
      const { top, left, oh, ow } = explicitPads(k.pad, k.h, k.w);
      const wino = winogradScale(xv, wv, k, top, left, oh, ow);
      const direct = valuesOn('cpu', () => tf.conv2d(x(true), w(true), 1, k.pad));

      const before = winogradCalls();
      expectWinogradConv(
        valuesOn('wasm', () => tf.conv2d(x(), w(), 1, k.pad)),
        valuesOn('cpu', () => tf.conv2d(x(), w(), 1, k.pad)),
        direct,
        wino,
        k.c,
        'Conv2D',
      );
      expect(winogradCalls(), 'Conv2D took the Winograd path').toBe(before + 1);

      // Fused with bias and ReLU: the bias adds one rounding, ReLU none; compare before ReLU
      // would hide nothing, so compare the fused output with cpu's fused output.
      const fused = () =>
        tf.fused.conv2d({
          x: x(),
          filter: w(),
          bias: tf.tensor1d(bv),
          strides: 1,
          pad: k.pad,
          activation: 'relu',
        });
      const withBias = Float32Array.from(direct, (v, i) => v + Math.abs(bv[i % k.k]!));
      expectWinogradConv(
        valuesOn('wasm', fused),
        valuesOn('cpu', fused),
        withBias,
        wino.map((v, i) => v + Math.abs(bv[i % k.k]!)),
        k.c + 1,
        'FusedConv2D',
      );
      expect(winogradCalls(), 'FusedConv2D took the Winograd path').toBe(before + 2);
    });
  });

  it('computes the input gradient of a stride-1 3x3 convolution (the flipped filter)', () => {
    const k: Case = { n: 2, h: 9, w: 7, c: 12, k: 10, pad: 'same' };
    const dyShape: [number, number, number, number] = [k.n, k.h, k.w, k.k];
    const wShape: [number, number, number, number] = [3, 3, k.c, k.k];
    const dyv = seededUniform(tf.util.sizeFromShape(dyShape), 41);
    const wv = seededUniform(tf.util.sizeFromShape(wShape), 43);
    const grad = (abs: boolean) => () =>
      tf.conv2dTranspose(
        tf.tensor4d(abs ? dyv.map(Math.abs) : dyv, dyShape),
        tf.tensor4d(abs ? wv.map(Math.abs) : wv, wShape),
        [k.n, k.h, k.w, k.c],
        1,
        'same',
      );
    // The gradient is conv(dy, flipped w with in and out swapped): its Winograd scale.
    const flipped = new Float32Array(wv.length);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++)
        for (let ci = 0; ci < k.c; ci++)
          for (let ko = 0; ko < k.k; ko++)
            flipped[(((2 - i) * 3 + (2 - j)) * k.k + ko) * k.c + ci] =
              wv[((i * 3 + j) * k.c + ci) * k.k + ko]!;
    const asConv: Case = { ...k, c: k.k, k: k.c };
    const wino = winogradScale(dyv, flipped, asConv, 1, 1, k.h, k.w);
    const before = winogradCalls();
    expectWinogradConv(
      valuesOn('wasm', grad(false)),
      valuesOn('cpu', grad(false)),
      valuesOn('cpu', grad(true)),
      wino,
      k.k,
      'Conv2DBackpropInput',
    );
    expect(winogradCalls()).toBe(before + 1);
  });

  // The filter gradient is a direct sum per entry (see filter_grad in winograd.c): both backends
  // sum the same N*OH*OW products, so they may differ by 2 * gamma_P times the absolute sum.
  it('computes the filter gradient of stride-1 3x3 convolutions directly', () => {
    const cases: Case[] = [
      { n: 2, h: 9, w: 7, c: 12, k: 10, pad: 'same' },
      { n: 3, h: 6, w: 11, c: 8, k: 3, pad: 'valid' },
      { n: 1, h: 5, w: 4, c: 9, k: 17, pad: nhwcPad(0, 2, 1, 0) },
    ];
    cases.forEach((k, index) => {
      const { oh, ow } = explicitPads(k.pad, k.h, k.w);
      const xShape: [number, number, number, number] = [k.n, k.h, k.w, k.c];
      const dyShape: [number, number, number, number] = [k.n, oh, ow, k.k];
      const xv = seededUniform(tf.util.sizeFromShape(xShape), 51 + index);
      const dyv = seededUniform(tf.util.sizeFromShape(dyShape), 53 + index);
      const grad = (abs: boolean) => () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          {
            x: tf.tensor4d(abs ? xv.map(Math.abs) : xv, xShape),
            dy: tf.tensor4d(abs ? dyv.map(Math.abs) : dyv, dyShape),
          },
          { strides: 1, pad: k.pad, dataFormat: 'NHWC', filterShape: [3, 3, k.c, k.k] },
        ) as tf.Tensor;
      const products = k.n * oh * ow;
      const before = winogradCalls();
      expectWithin(
        valuesOn('wasm', grad(false)),
        valuesOn('cpu', grad(false)),
        [[valuesOn('cpu', grad(true)), 2 * products]],
        `Conv2DBackpropFilter ${JSON.stringify(k)}`,
      );
      expect(winogradCalls()).toBe(before + 1);
    });
  });

  it('gives the same results with the plain-SIMD build as with the relaxed one, within the bound', () => {
    tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const k: Case = { n: 2, h: 13, w: 11, c: 20, k: 12, pad: 'same' };
    const xv = seededUniform(k.n * k.h * k.w * k.c, 71);
    const wv = seededUniform(9 * k.c * k.k, 72);
    const x = tf.tensor4d(xv, [k.n, k.h, k.w, k.c]);
    const w = tf.tensor4d(wv, [3, 3, k.c, k.k]);
    const args = {
      x,
      filter: w,
      relu: false,
      padTop: 1,
      padLeft: 1,
      outHeight: k.h,
      outWidth: k.w,
    };
    const read = (info: tf.TensorInfo) => {
      const values = (backend.readSync(info.dataId) as Float32Array).slice();
      backend.disposeData(info.dataId);
      return values;
    };
    // Node 20 runs relaxed SIMD once its flag is set (simdLevel sets it).
    expect(simdLevel()).toBe('relaxed');
    const plain = read(new WinogradConv(backend, 'plain').conv(args));
    const relaxed = read(new WinogradConv(backend, 'relaxed').conv(args));
    const direct = valuesOn('cpu', () =>
      tf.conv2d(tf.abs(x) as tf.Tensor4D, tf.abs(w) as tf.Tensor4D, 1, 'same'),
    );
    expectWinogradConv(
      plain,
      relaxed,
      direct,
      winogradScale(xv, wv, k, 1, 1, k.h, k.w).map((v) => 2 * v),
      k.c,
      'plain against relaxed',
    );
    tf.dispose([x, w]);
  });

  it('leaves strided, dilated, non-3x3 and few-channel convolutions to XNNPACK', () => {
    tf.setBackend('wasm');
    const before = winogradCalls();
    tf.tidy(() => {
      const x = tf.randomUniform([1, 9, 9, 8]) as tf.Tensor4D;
      tf.conv2d(x, tf.randomUniform([3, 3, 8, 4]) as tf.Tensor4D, 2, 'same').dataSync();
      tf.conv2d(x, tf.randomUniform([3, 3, 8, 4]) as tf.Tensor4D, 1, 'same', 'NHWC', 2).dataSync();
      tf.conv2d(x, tf.randomUniform([5, 5, 8, 4]) as tf.Tensor4D, 1, 'same').dataSync();
      const few = tf.randomUniform([1, 9, 9, MIN_WINOGRAD_CHANNELS - 1]) as tf.Tensor4D;
      tf.conv2d(
        few,
        tf.randomUniform([3, 3, MIN_WINOGRAD_CHANNELS - 1, 4]) as tf.Tensor4D,
        1,
        'same',
      ).dataSync();
    });
    expect(winogradCalls()).toBe(before);
  });

  it('frees its heap blocks and tensors: repeated convolutions neither grow memory nor leak', () => {
    tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    expect(winogradFor(backend)).not.toBeNull();
    const x = tf.randomUniform([2, 40, 40, 16]) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 16, 16]) as tf.Tensor4D;
    const run = () => tf.tidy(() => tf.conv2d(x, w, 1, 'same').sum().dataSync());
    for (let i = 0; i < 5; i++) run();
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    const heap = (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.length;
    for (let i = 0; i < 50; i++) run();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    expect((backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.length).toBe(heap);
    tf.dispose([x, w]);
  });
});
