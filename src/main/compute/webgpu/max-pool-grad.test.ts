/**
 * Our webgpu MaxPoolGrad against the cpu backend's, on lavapipe where no GPU is found.
 *
 * Both route each window's dy to the window's first maximum (row-major), so each dx element is
 * the sum, in the same order (output row, then column), of the n dy values of the windows that
 * picked it. Where n <= 1 nothing is rounded (0 + dy is dy): the results must be bit-identical.
 * Where windows overlap and n >= 2, cpu adds in float64 and rounds once to float32, and we add
 * in float32. Recursive summation of n terms errs by at most gamma_{n-1} * S, S = sum |dy|,
 * gamma_k = k*u / (1 - k*u) (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.,
 * section 3.1), so with u = 2^-24 for ours and v = 2^-53 for cpu's float64 sum d, and cpu's
 * final rounding adding u*|d| <= u (1 + gamma'_{n-1}) S:
 *
 *   |ours - cpu| <= (gamma_{n-1} + (1 + u) gamma'_{n-1} + u) * S.
 *
 * n and S come from a float64 reference of cpu's rule written here (which also checks that cpu
 * gives ties to the first maximum). Inputs full of ties (constant regions, ReLU zeros, small
 * integers) take dy of small nonzero integers, whose sums are exact in both precisions: those
 * must match bit for bit at every window setting.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type ExplicitPad, nhwcPad } from '../kernels/conv-cases';
import { seededUniform } from '../kernels/seeded-uniform';
import { maxPoolGradWebGpuConfig } from './max-pool-grad';
import {
  expectNoLeaksAcross,
  itIsRegisteredForWebGpu,
  onBackend,
  useGpuForTests,
} from './test-gpu';

type Shape = [number, number, number, number];

interface Pool {
  filter: [number, number];
  strides: [number, number];
  pad: 'valid' | 'same' | number | ExplicitPad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

interface Case extends Pool {
  shape: Shape;
}

const UNIT_ROUNDOFF = 2 ** -24;
const DOUBLE_ROUNDOFF = 2 ** -53;

function gamma(terms: number, unit: number): number {
  return (terms * unit) / (1 - terms * unit);
}

/** The bound above for an element that n windows picked, with S = the sum of their |dy|. */
function sumBound(n: number, absSum: number): number {
  if (n <= 1) return 0;
  const ours = gamma(n - 1, UNIT_ROUNDOFF);
  const cpu = (1 + UNIT_ROUNDOFF) * gamma(n - 1, DOUBLE_ROUNDOFF) + UNIT_ROUNDOFF;
  // absSum is itself a float64 sum of n terms: scale it up by its own worst error.
  return ((ours + cpu) * absSum) / (1 - gamma(n, DOUBLE_ROUNDOFF));
}

const POOL_2X2_VALID: Pool = { filter: [2, 2], strides: [2, 2], pad: 'valid' };
const POOL_2X2_SAME: Pool = { filter: [2, 2], strides: [2, 2], pad: 'same' };
const POOL_3X3_S2_SAME: Pool = { filter: [3, 3], strides: [2, 2], pad: 'same' };
const POOL_3X3_S1_SAME: Pool = { filter: [3, 3], strides: [1, 1], pad: 'same' };
const POOL_3X3_S2_PAD1_CEIL: Pool = {
  filter: [3, 3],
  strides: [2, 2],
  pad: 1,
  dimRoundingMode: 'ceil',
};

/** Asymmetric explicit padding: two rows on top, none below; one column each side. */
const POOL_3X3_S2_EXPLICIT: Pool = {
  filter: [3, 3],
  strides: [2, 2],
  pad: nhwcPad(2, 0, 1, 1),
};

const POOLS: Pool[] = [
  POOL_2X2_VALID,
  POOL_2X2_SAME,
  POOL_3X3_S2_SAME,
  POOL_3X3_S1_SAME,
  POOL_3X3_S2_PAD1_CEIL,
  POOL_3X3_S2_EXPLICIT,
];

/** Random inputs (ties unlikely): batches and channels on and off multiples of 4. */
const CASES: Case[] = [
  // The U-Nets' pooling: even sizes, and odd ones whose last row and column no window covers.
  { shape: [2, 16, 16, 4], ...POOL_2X2_VALID },
  { shape: [4, 8, 10, 8], ...POOL_2X2_VALID },
  { shape: [1, 7, 9, 1], ...POOL_2X2_VALID },
  { shape: [5, 7, 9, 6], ...POOL_2X2_VALID },
  { shape: [3, 9, 7, 12], ...POOL_2X2_VALID },
  // Odd sizes under 'same': the last windows are half padding.
  { shape: [2, 7, 9, 4], ...POOL_2X2_SAME },
  { shape: [3, 9, 7, 3], ...POOL_2X2_SAME },
  // Overlapping windows: an element picked by several windows sums their dy.
  { shape: [2, 9, 7, 3], ...POOL_3X3_S2_SAME },
  { shape: [4, 8, 8, 4], ...POOL_3X3_S2_SAME },
  { shape: [3, 7, 9, 12], ...POOL_3X3_S2_SAME },
  { shape: [2, 7, 9, 5], ...POOL_3X3_S1_SAME },
  { shape: [1, 8, 8, 16], ...POOL_3X3_S1_SAME },
  { shape: [4, 7, 9, 1], ...POOL_3X3_S1_SAME },
  // Explicit padding with rounded-up output sizes: windows past the bottom and right edges.
  { shape: [2, 7, 9, 4], ...POOL_3X3_S2_PAD1_CEIL },
  { shape: [3, 8, 6, 7], ...POOL_3X3_S2_PAD1_CEIL },
  { shape: [2, 9, 7, 3], ...POOL_3X3_S2_EXPLICIT },
  { shape: [1, 8, 10, 8], ...POOL_3X3_S2_EXPLICIT },
];

function describePool(p: Pool): string {
  const rounding = p.dimRoundingMode ? ` ${p.dimRoundingMode}` : '';
  const pad = typeof p.pad === 'object' ? JSON.stringify(p.pad.slice(1, 3)) : p.pad;
  return `${p.filter.join('x')} stride ${p.strides.join('x')} pad ${pad}${rounding}`;
}

function poolInfo(shape: Shape, p: Pool): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(shape, p.filter, p.strides, 1, p.pad, p.dimRoundingMode);
}

/** MaxPoolGrad on `backend` from plain arrays (`output` is that backend's own maxPool of x). */
function maxPoolGradOn(
  backend: 'cpu' | 'webgpu',
  shape: Shape,
  p: Pool,
  x: Float32Array,
  dy: Float32Array,
): Promise<Float32Array> {
  return onBackend(backend, async () => {
    const info = poolInfo(shape, p);
    const input = tf.tensor4d(x, shape);
    const dyT = tf.tensor4d(dy, info.outShape);
    const output = tf.maxPool(input, p.filter, p.strides, p.pad, p.dimRoundingMode);
    // The attributes as tf.maxPool's gradient passes them (explicit padding is a nested array).
    const attrs = {
      filterSize: p.filter,
      strides: p.strides,
      pad: p.pad,
      dimRoundingMode: p.dimRoundingMode,
    } as unknown as tf.NamedAttrMap;
    const dx = tf.engine().runKernel('MaxPoolGrad', { dy: dyT, input, output }, attrs) as tf.Tensor;
    const values = (await dx.data()) as Float32Array;
    tf.dispose([input, dyT, output, dx]);
    return values;
  });
}

/** cpu's rule in float64: per dx element, its sum, n (windows that picked it) and S. */
interface Reference {
  dx: Float64Array;
  picks: Int32Array;
  absSum: Float64Array;
  /** Windows with two or more maxima whose first and last maxima differ (all of them do). */
  tiedWindows: number;
}

function reference(shape: Shape, p: Pool, x: Float32Array, dy: Float32Array): Reference {
  const info = poolInfo(shape, p);
  const [batch, height, width, channels] = shape;
  const size = x.length;
  const dx = new Float64Array(size);
  const picks = new Int32Array(size);
  const absSum = new Float64Array(size);
  let tiedWindows = 0;
  const at = (b: number, r: number, c: number, d: number) =>
    ((b * height + r) * width + c) * channels + d;
  for (let b = 0; b < batch; b++)
    for (let oh = 0; oh < info.outHeight; oh++)
      for (let ow = 0; ow < info.outWidth; ow++)
        for (let d = 0; d < channels; d++) {
          const r0 = oh * info.strideHeight - info.padInfo.top;
          const c0 = ow * info.strideWidth - info.padInfo.left;
          // Row-major scan over the window's real pixels; '>' keeps the first maximum.
          let best = -Infinity;
          let first = -1;
          let count = 0;
          for (let r = Math.max(r0, 0); r < Math.min(r0 + info.filterHeight, height); r++)
            for (let c = Math.max(c0, 0); c < Math.min(c0 + info.filterWidth, width); c++) {
              const v = x[at(b, r, c, d)]!;
              if (v > best) {
                best = v;
                first = at(b, r, c, d);
                count = 1;
              } else if (v === best) {
                count += 1;
              }
            }
          if (count > 1 && best > -Infinity) tiedWindows += 1;
          if (first < 0) continue;
          const g = dy[((b * info.outHeight + oh) * info.outWidth + ow) * channels + d]!;
          dx[first] += g;
          picks[first] += 1;
          absSum[first] += Math.abs(g);
        }
  return { dx, picks, absSum, tiedWindows };
}

/** Where two float32 arrays differ bit for bit (so -0 and +0 differ), and the first place. */
function bitDifferences(a: Float32Array, b: Float32Array): { count: number; first: number } {
  expect(a.length).toBe(b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let count = 0;
  let first = -1;
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) {
      count += 1;
      if (first < 0) first = i;
    }
  }
  return { count, first };
}

function expectBitIdentical(ours: Float32Array, cpu: Float32Array, what: string): void {
  const { count, first } = bitDifferences(ours, cpu);
  expect(
    count,
    `${what}: ${count} differ; first at ${first}: ours ${ours[first]} cpu ${cpu[first]}`,
  ).toBe(0);
}

/** Nonzero small integers for dy: every sum of them is exact, and every window's routing shows. */
function integerDy(count: number, seed: number): Float32Array {
  return seededUniform(count, seed, 1, 9).map((v, i) => Math.floor(v) * (i % 3 === 0 ? -1 : 1));
}

const gpu = useGpuForTests();

describe('webgpu MaxPoolGrad matches cpu on random inputs', () => {
  itIsRegisteredForWebGpu(gpu, 'MaxPoolGrad', maxPoolGradWebGpuConfig);

  for (const [index, c] of CASES.entries()) {
    it(`${c.shape.join('x')}, ${describePool(c)}`, async (ctx) => {
      if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
      const info = poolInfo(c.shape, c);
      const x = seededUniform(tf.util.sizeFromShape(c.shape), 11 + index);
      const dy = seededUniform(tf.util.sizeFromShape(info.outShape), 37 + index);
      const ours = await maxPoolGradOn('webgpu', c.shape, c, x, dy);
      const cpu = await maxPoolGradOn('cpu', c.shape, c, x, dy);
      const ref = reference(c.shape, c, x, dy);
      let summed = 0;
      let worst = 0;
      for (let i = 0; i < cpu.length; i++) {
        // The reference rounded to float32 is cpu's result: same picks, same float64 sums.
        expect(Math.fround(ref.dx[i]!), `reference at ${i}`).toBe(cpu[i]);
        const n = ref.picks[i]!;
        if (n <= 1) {
          expect(Object.is(ours[i], cpu[i]), `at ${i} (n = ${n}): ${ours[i]} vs ${cpu[i]}`).toBe(
            true,
          );
          continue;
        }
        summed += 1;
        const bound = sumBound(n, ref.absSum[i]!);
        const error = Math.abs(ours[i]! - cpu[i]!);
        expect(error, `at ${i} (n = ${n}): ${ours[i]} vs ${cpu[i]}`).toBeLessThanOrEqual(bound);
        worst = Math.max(worst, error / bound);
      }
      // Overlapping windows do sum somewhere; others never (each element is in one window).
      const overlapping = c.filter[0] > c.strides[0] || c.filter[1] > c.strides[1];
      if (overlapping) expect(summed).toBeGreaterThan(0);
      else {
        expect(summed).toBe(0);
        expectBitIdentical(ours, cpu, 'disjoint windows');
      }
      expect(worst).toBeLessThanOrEqual(1);
      // Every window gave its dy to one element, and the values are far from zero.
      expect(ref.picks.reduce((a, b) => a + b, 0)).toBe(tf.util.sizeFromShape(info.outShape));
      expect(Math.max(...cpu.map(Math.abs))).toBeGreaterThan(0.1);
    });
  }

  it('fails on the last-maximum rule and on a window shifted by one (the check has teeth)', async (ctx) => {
    if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
    // Ties in every window: upstream's rule (last maximum) would put every dy elsewhere.
    const shape: Shape = [1, 4, 4, 1];
    const x = new Float32Array(16).fill(1);
    const dy = Float32Array.from([1, 2, 3, 4]);
    const ours = await maxPoolGradOn('webgpu', shape, POOL_2X2_VALID, x, dy);
    const first = Float32Array.from([1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
    const last = Float32Array.from([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
    expectBitIdentical(ours, first, 'first maxima');
    expect(bitDifferences(ours, last).count).toBe(8);
    // cpu with the padding moved down one row (same output shape): the windows shift by one.
    const shape2: Shape = [2, 9, 7, 3];
    const info = poolInfo(shape2, POOL_3X3_S2_SAME);
    const x2 = seededUniform(tf.util.sizeFromShape(shape2), 5);
    const dy2 = seededUniform(tf.util.sizeFromShape(info.outShape), 6);
    const mine = await maxPoolGradOn('webgpu', shape2, POOL_3X3_S2_SAME, x2, dy2);
    expect(info.padInfo.top).toBe(1);
    const shifted = await maxPoolGradOn('cpu', shape2, POOL_3X3_S2_EXPLICIT, x2, dy2);
    expect(poolInfo(shape2, POOL_3X3_S2_EXPLICIT).outShape).toEqual(info.outShape);
    expect(bitDifferences(mine, shifted).count).toBeGreaterThan(x2.length / 10);
  });
});

/** Inputs full of ties, each a flat NHWC array for `shape`. */
const TIED_INPUTS: { name: string; make: (size: number, seed: number) => Float32Array }[] = [
  // A flat image region.
  { name: 'constant', make: (size) => new Float32Array(size).fill(0.25) },
  // Below a ReLU most values of a sparse layer are 0, and whole windows are.
  {
    name: 'ReLU zeros',
    make: (size, seed) => seededUniform(size, seed, -2, 0.5).map((v) => Math.max(0, v)),
  },
  // Few distinct values: ties between nonzero maxima, negative ones included.
  {
    name: 'integers',
    make: (size, seed) => seededUniform(size, seed, -2, 3).map(Math.floor),
  },
  // -0 and +0 tie (cpu compares them equal); -inf never wins, NaN never moves the maximum.
  {
    name: 'signed zeros, -inf and NaN',
    make: (size, seed) =>
      seededUniform(size, seed, 0, 5).map((v) => [0, -0, -Infinity, Number.NaN, 0][Math.floor(v)]!),
  },
];

describe('webgpu MaxPoolGrad matches cpu exactly on tied maxima', () => {
  const shapes: Shape[] = [
    [3, 7, 9, 4],
    [2, 9, 7, 3],
  ];
  for (const [t, tied] of TIED_INPUTS.entries())
    for (const p of POOLS)
      it(`${tied.name}, ${describePool(p)}`, async (ctx) => {
        if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
        let windows = 0;
        for (const [s, shape] of shapes.entries()) {
          const info = poolInfo(shape, p);
          const x = tied.make(tf.util.sizeFromShape(shape), 100 + 10 * t + s);
          const dy = integerDy(tf.util.sizeFromShape(info.outShape), 200 + 10 * t + s);
          const ours = await maxPoolGradOn('webgpu', shape, p, x, dy);
          const cpu = await maxPoolGradOn('cpu', shape, p, x, dy);
          const ref = reference(shape, p, x, dy);
          // cpu gives ties to the first maximum: our float64 reference of that rule is cpu.
          expectBitIdentical(Float32Array.from(ref.dx), cpu, 'reference');
          expectBitIdentical(ours, cpu, `${shape.join('x')}`);
          windows += ref.tiedWindows;
        }
        expect(windows, 'windows with tied maxima').toBeGreaterThan(10);
      });

  it('through tf.grad of tf.maxPool, as training takes it', async (ctx) => {
    if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
    const shape: Shape = [2, 12, 12, 8];
    const values = TIED_INPUTS[1]!.make(tf.util.sizeFromShape(shape), 7);
    const weights = integerDy(6 * 6 * 8 * 2, 8);
    const grad = (backend: 'cpu' | 'webgpu') =>
      onBackend(backend, async () => {
        const x = tf.tensor4d(values, shape);
        const w = tf.tensor4d(weights, [2, 6, 6, 8]);
        const dx = tf.grad((v: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid'), w)),
        )(x);
        const out = (await dx.data()) as Float32Array;
        tf.dispose([x, w, dx]);
        return out;
      });
    expectBitIdentical(await grad('webgpu'), await grad('cpu'), 'tf.grad');
  });
});

describe('webgpu MaxPoolGrad resources and size', () => {
  it('leaves no tensor or GPU buffer behind across repeated calls', async (ctx) => {
    if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
    const cases = [CASES[0]!, CASES[3]!, CASES[7]!, CASES[10]!];
    const run = async () => {
      for (const [i, c] of cases.entries()) {
        const info = poolInfo(c.shape, c);
        const x = seededUniform(tf.util.sizeFromShape(c.shape), i);
        const dy = seededUniform(tf.util.sizeFromShape(info.outShape), 50 + i);
        await maxPoolGradOn('webgpu', c.shape, c, x, dy);
      }
    };
    await expectNoLeaksAcross(run);
  });

  it('covers a dispatch of more than 65535 workgroups', async (ctx) => {
    if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
    // 2050 * 2048 threads of 64 per workgroup: 65600 workgroups, folded into y by the backend.
    const shape: Shape = [1, 2050, 2048, 1];
    const info = poolInfo(shape, POOL_2X2_VALID);
    const x = TIED_INPUTS[2]!.make(tf.util.sizeFromShape(shape), 3);
    const dy = seededUniform(tf.util.sizeFromShape(info.outShape), 4);
    const ours = await maxPoolGradOn('webgpu', shape, POOL_2X2_VALID, x, dy);
    const cpu = await maxPoolGradOn('cpu', shape, POOL_2X2_VALID, x, dy);
    expectBitIdentical(ours, cpu, 'large');
  });
});
