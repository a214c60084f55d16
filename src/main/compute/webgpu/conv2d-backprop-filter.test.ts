/**
 * Our webgpu Conv2DBackpropFilter against the cpu backend's, on lavapipe where no GPU is found.
 *
 * Tolerance: each weight is a sum of K = batch*outHeight*outWidth products. Whatever order a
 * float32 sum of K products is added in (our threads, tree and slices, or cpu's loop), its
 * error is at most gamma_K * sum_k |x_k * dy_k|, gamma_K = K*u / (1 - K*u), u = 2^-24 (Higham,
 * Accuracy and Stability of Numerical Algorithms, 2nd ed., section 3.1; a fused multiply-add
 * only removes roundings). Two results may then differ by 2 * gamma_K times that sum, which is
 * the same filter gradient of |x| and |dy|, computed here on cpu per weight. A wrong tap,
 * padding or channel misses by the size of the terms themselves; the last tests show that such
 * errors, and a small change to a single input, exceed the bound.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { describe, expect, it } from 'vitest';
import { type ConvCase, convCase, nhwcPad, type Pad } from '../kernels/conv-cases';
import { seededUniform } from '../kernels/seeded-uniform';
import {
  conv2dBackpropFilterWebGpuConfig,
  filterGradWebGpu,
  planFilterGrad,
} from './conv2d-backprop-filter';
import { gamma } from './op-bounds';
import {
  expectNoLeaksAcross,
  itIsRegisteredForWebGpu,
  onBackend,
  useGpuForTests,
} from './test-gpu';

interface Case extends ConvCase {
  /** Runs filterGradWebGpu with this many slices instead of the registered kernel's plan. */
  slices?: number;
  dataFormat?: 'NHWC' | 'NCHW';
}

function describeCase(c: Case): string {
  const pad = typeof c.pad === 'string' ? c.pad : `pad ${JSON.stringify(c.pad.slice(1, 3))}`;
  const extra = `${c.slices ? ` ${c.slices} slices` : ''}${c.dataFormat === 'NCHW' ? ' NCHW' : ''}`;
  return `${c.batch}x${c.height}x${c.width}x${c.inChannels} -> ${c.outChannels}, k${c.kernel.join('x')} s${c.strides.join('x')} ${pad}${extra}`;
}

function convInfoOf(c: Case): tf.backend_util.Conv2DInfo {
  const nchw = c.dataFormat === 'NCHW';
  return tf.backend_util.computeConv2DInfo(
    nchw ? [c.batch, c.inChannels, c.height, c.width] : [c.batch, c.height, c.width, c.inChannels],
    [c.kernel[0], c.kernel[1], c.inChannels, c.outChannels],
    c.strides,
    1,
    c.pad,
    undefined,
    false,
    nchw ? 'channelsFirst' : 'channelsLast',
  );
}

/** One case's inputs, as plain arrays so each backend builds its own tensors. */
function inputsOf(c: Case, seed: number) {
  const info = convInfoOf(c);
  const xShape = info.inShape;
  const dyShape = info.outShape;
  return {
    info,
    xShape,
    dyShape,
    x: seededUniform(tf.util.sizeFromShape(xShape), 11 + seed),
    dy: seededUniform(tf.util.sizeFromShape(dyShape), 37 + seed),
    terms: info.batchSize * info.outHeight * info.outWidth,
  };
}

/** The filter gradient on `backend`: the registered kernel, or filterGradWebGpu when sliced. */
function filterGradOn(
  backend: 'cpu' | 'webgpu',
  c: Case,
  inputs: ReturnType<typeof inputsOf>,
  x: Float32Array,
  dy: Float32Array,
): Promise<Float32Array> {
  return onBackend(backend, async () => {
    const xT = tf.tensor4d(x, inputs.xShape);
    const dyT = tf.tensor4d(dy, inputs.dyShape);
    let out: tf.Tensor;
    if (backend === 'webgpu' && c.slices !== undefined) {
      const info = filterGradWebGpu(tf.backend() as WebGPUBackend, xT, dyT, inputs.info, c.slices);
      out = tf.engine().makeTensorFromTensorInfo(info);
    } else {
      out = tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x: xT, dy: dyT },
        {
          strides: c.strides,
          pad: c.pad,
          dataFormat: c.dataFormat ?? 'NHWC',
          filterShape: [c.kernel[0], c.kernel[1], c.inChannels, c.outChannels],
        },
      ) as tf.Tensor;
    }
    const values = (await out.data()) as Float32Array;
    tf.dispose([xT, dyT, out]);
    return values;
  });
}

/** The worst |ours - cpu| as a fraction of the float32 bound 2 * gamma_K * (|x| (*) |dy|). */
function worstFraction(
  ours: Float32Array,
  cpu: Float32Array,
  absGrad: Float32Array,
  terms: number,
): number {
  expect(ours.length).toBe(cpu.length);
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) {
    const allowed = 2 * gamma(terms) * absGrad[i]! + 1e-30;
    worst = Math.max(worst, Math.abs(ours[i]! - cpu[i]!) / allowed);
  }
  return worst;
}

/** Ours and cpu's gradient, and the bound's |x| (*) |dy|, for one case. */
async function compare(c: Case, seed: number) {
  const inputs = inputsOf(c, seed);
  const ours = await filterGradOn('webgpu', c, inputs, inputs.x, inputs.dy);
  const cpu = await filterGradOn('cpu', c, inputs, inputs.x, inputs.dy);
  const absGrad = await filterGradOn(
    'cpu',
    c,
    inputs,
    inputs.x.map(Math.abs),
    inputs.dy.map(Math.abs),
  );
  return { inputs, ours, cpu, absGrad };
}

/** The cases of one filter size, strides and padding, by input shape and output channels. */
function family(kernel: [number, number], strides: [number, number], pad: Pad) {
  return (input: [number, number, number, number], outChannels: number) =>
    convCase(input, outChannels, kernel, strides, pad);
}

/** 3x3 stride 1 'same'. */
const same3x3 = family([3, 3], [1, 1], 'same');
/** LadderNet's downsampling: 3x3 stride 2 'same'. */
const same3x3Stride2 = family([3, 3], [2, 2], 'same');
/** A transposed convolution's upsampling: 2x2 stride 2 'valid'. */
const valid2x2Stride2 = family([2, 2], [2, 2], 'valid');

const CASES: Case[] = [
  // 3x3 stride 1 'same', odd sizes, channels on and off multiples of 4 (scalar and vec4 loads).
  same3x3([1, 7, 9, 1], 1),
  same3x3([3, 7, 9, 3], 5),
  same3x3([1, 8, 8, 8], 16),
  same3x3([3, 9, 7, 13], 16),
  same3x3([2, 6, 6, 8], 5),
  // 1x1, and the 2x2 stride-2 'valid' of transposed convolutions (odd sizes crop a row).
  convCase([2, 5, 7, 13], 8, [1, 1], [1, 1], 'valid'),
  valid2x2Stride2([3, 8, 10, 8], 16),
  valid2x2Stride2([2, 7, 9, 3], 5),
  // LadderNet's 3x3 stride-2 'same', odd and even sizes.
  same3x3Stride2([2, 9, 7, 3], 8),
  same3x3Stride2([2, 8, 8, 16], 16),
  // Explicit, asymmetric padding at strides 1 and 2.
  convCase([2, 7, 6, 5], 3, [3, 3], [1, 1], nhwcPad(2, 0, 1, 2)),
  convCase([2, 12, 11, 8], 5, [3, 3], [2, 2], nhwcPad(1, 2, 0, 1)),
  // Large enough that the plan splits the positions into slices and a second pass adds them.
  same3x3([8, 24, 24, 16], 16),
  // Forced slices whose boundaries fall inside rows and images.
  { ...same3x3([3, 9, 7, 13], 16), slices: 3 },
  { ...same3x3Stride2([4, 10, 10, 3], 5), slices: 7 },
  // NCHW goes through transposes to NHWC.
  { ...same3x3([2, 7, 9, 3], 5), dataFormat: 'NCHW' },
];

const gpu = useGpuForTests();

describe('planFilterGrad', () => {
  const plan = (c: Case) => planFilterGrad(convInfoOf(c));

  it('slices the positions only when the weight blocks cannot fill the GPU', () => {
    // LadderNet at batch 32: 9*8*8 = 576 blocks, 73728 positions -> 4 slices of 18432.
    const ladder = plan(same3x3([32, 48, 48, 32], 32));
    expect(ladder).toEqual({ positions: 73728, slices: 4, chunk: 18432, workgroups: 2304 });
    // A first layer (1 -> 16) has 36 blocks: many slices, each still 16+ positions per thread.
    const first = plan(same3x3([128, 48, 48, 1], 16));
    expect(first.slices).toBe(57);
    expect(first.chunk / 128).toBeGreaterThanOrEqual(16);
    // Small problems and wide layers stay one pass.
    expect(plan(same3x3([1, 7, 9, 1], 1)).slices).toBe(1);
    expect(plan(same3x3([8, 6, 6, 256], 256)).slices).toBe(1);
  });

  it('covers every position exactly once when forced', () => {
    for (const forced of [1, 3, 7, 64, 1000]) {
      const p = planFilterGrad(convInfoOf(same3x3([4, 10, 10, 3], 5)), forced);
      expect(p.slices * p.chunk).toBeGreaterThanOrEqual(p.positions);
      expect((p.slices - 1) * p.chunk).toBeLessThan(p.positions);
    }
  });
});

describe('webgpu Conv2DBackpropFilter matches cpu', () => {
  itIsRegisteredForWebGpu(gpu, 'Conv2DBackpropFilter', conv2dBackpropFilterWebGpuConfig);

  for (const [index, c] of CASES.entries()) {
    it(describeCase(c), async (ctx) => {
      if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
      const { inputs, ours, cpu, absGrad } = await compare(c, index);
      // Nontrivial values: the gradient is far from zero and the bound far below it.
      const largest = Math.max(...cpu.map(Math.abs));
      expect(largest).toBeGreaterThan(0.05);
      expect(2 * gamma(inputs.terms) * Math.max(...absGrad)).toBeLessThan(0.05 * largest);
      expect(worstFraction(ours, cpu, absGrad, inputs.terms)).toBeLessThanOrEqual(1);
    });
  }

  it('reaches our kernel through tf.grad of conv2d (3x3 stride 2 same)', async (ctx) => {
    if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
    const xShape: [number, number, number, number] = [2, 9, 9, 4];
    const wShape: [number, number, number, number] = [3, 3, 4, 8];
    const xValues = seededUniform(tf.util.sizeFromShape(xShape), 3);
    const wValues = seededUniform(tf.util.sizeFromShape(wShape), 4);
    const grad = (backend: 'cpu' | 'webgpu') =>
      onBackend(backend, async () => {
        const x = tf.tensor4d(xValues, xShape);
        const w = tf.tensor4d(wValues, wShape);
        const dw = tf.grad((f: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, 2, 'same'))),
        )(w);
        const values = (await dw.data()) as Float32Array;
        tf.dispose([x, w, dw]);
        return values;
      });
    const ours = await grad('webgpu');
    const cpu = await grad('cpu');
    // Here dy = 2y differs too: each y is a 36-term sum (3*3*4), so |dy_ours - dy_cpu| <=
    // 4 gamma_36 Y with Y = |x| (*) |w|, and |dy| <= 2Y. Each weight sums 50 positions (2*5*5),
    // so |ours - cpu| <= (4 gamma_36 + 4 gamma_50)(1 + 4 gamma_36) * G, G = sum |x| Y per weight.
    const g = await onBackend('cpu', async () => {
      const absX = tf.tensor4d(xValues.map(Math.abs), xShape);
      const y = tf.conv2d(absX, tf.tensor4d(wValues.map(Math.abs), wShape), 2, 'same');
      const out = tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: absX, dy: y },
          { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: wShape },
        ) as tf.Tensor;
      const values = (await out.data()) as Float32Array;
      tf.dispose([absX, y, out]);
      return values;
    });
    const scale = (4 * gamma(36) + 4 * gamma(50)) * (1 + 4 * gamma(36));
    expect(Math.max(...cpu.map(Math.abs))).toBeGreaterThan(0.1);
    let worst = 0;
    for (let i = 0; i < cpu.length; i++) {
      worst = Math.max(worst, Math.abs(ours[i]! - cpu[i]!) / (scale * g[i]! + 1e-30));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('unfolds a dispatch of more than 65535 workgroups', async (ctx) => {
    if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
    // One weight, 70000 positions, one slice per position: 70000 workgroups fold into y.
    const c: Case = { ...convCase([1, 250, 280, 1], 1, [1, 1], [1, 1], 'valid'), slices: 70000 };
    const { inputs, ours, cpu, absGrad } = await compare(c, 99);
    expect(worstFraction(ours, cpu, absGrad, inputs.terms)).toBeLessThanOrEqual(1);
  });

  it('fails on a wrong padding and on one changed input (the bound is tight enough to see them)', async (ctx) => {
    if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
    const c: Case = same3x3([1, 7, 9, 3], 5);
    const { inputs, ours, absGrad } = await compare(c, 7);
    // cpu with the padding one row off (same output shape): a tap misplaced by one.
    const shifted: Case = {
      ...c,
      pad: nhwcPad(0, 2, 1, 1),
    };
    const wrong = await filterGradOn('cpu', shifted, inputs, inputs.x, inputs.dy);
    expect(worstFraction(ours, wrong, absGrad, inputs.terms)).toBeGreaterThan(10);
    // One element of x moved by 0.01 (inputs are in [-0.5, 0.5)) on the webgpu side only.
    const nudged = inputs.x.slice();
    nudged[40] = nudged[40]! + 0.01;
    const cpu = await filterGradOn('cpu', c, inputs, inputs.x, inputs.dy);
    const oursNudged = await filterGradOn('webgpu', c, inputs, nudged, inputs.dy);
    expect(worstFraction(oursNudged, cpu, absGrad, inputs.terms)).toBeGreaterThan(1);
  });

  it('leaves no tensor or GPU buffer behind across repeated calls', async (ctx) => {
    if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
    // One pass, two passes by plan and forced, and NCHW's transposes.
    const cases = [
      CASES[0]!,
      CASES.find((c) => c.batch === 8)!,
      CASES.find((c) => c.slices !== undefined)!,
      CASES.find((c) => c.dataFormat === 'NCHW')!,
    ];
    const run = async () => {
      for (const [i, c] of cases.entries()) {
        const inputs = inputsOf(c, i);
        await filterGradOn('webgpu', c, inputs, inputs.x, inputs.dy);
      }
    };
    await expectNoLeaksAcross(run);
  });
});
