/**
 * How far a webgpu kernel's float32 output may lie from the cpu backend's for the same inputs,
 * element by element, and the comparison that applies it (ops-equivalence.test.ts).
 *
 * Each bound is the sum of what each side may lose to rounding, so a difference beyond it is a
 * kernel computing something else, not rounding. The cpu backend's kernels compute in double
 * (JavaScript numbers) and round once into a Float32Array; they are modelled as float32 code
 * anyway, which only widens the bound. The webgpu side is bounded by what the WGSL
 * specification lets any implementation do ("Floating Point Accuracy",
 * https://www.w3.org/TR/WGSL/#floating-point-accuracy, and "Floating Point Evaluation",
 * https://www.w3.org/TR/WGSL/#floating-point-evaluation), not by what lavapipe happens to do,
 * so the same bounds hold on a hardware GPU. From that table, for f32:
 *   x + y, x - y, x * y: correctly rounded;      x / y: 2.5 ULP for |y| in [2^-126, 2^126];
 *   exp(x): 3 + 2 * |x| ULP;                     inverseSqrt(x): 2 ULP;
 *   log(x): 3 ULP outside [0.5, 2.0], absolute error < 2^-21 inside it;
 *   sqrt(x): inherited from 1.0 / inverseSqrt(x);  max, min, clamp, floor, round, select: exact.
 * The same section lets an implementation flush subnormal inputs and results to zero, which
 * costs at most FLT_MIN per rounding: every bound carries that as an absolute floor.
 */
import * as tf from '@tensorflow/tfjs';

/** Unit roundoff of float32 (round to nearest): fl(x) = x (1 + d) with |d| <= u. */
export const UNIT_ROUNDOFF = 2 ** -24;
/** One ULP of a normal float32 x is at most 2^-23 |x|: ULP counts become relative errors. */
export const ULP_RELATIVE = 2 ** -23;
/** The smallest normal float32: what a flushed subnormal can lose. */
export const FLT_MIN = 2 ** -126;

/**
 * Higham's gamma_n = n u / (1 - n u): the relative error bound of n roundings in sequence,
 * so |fl(sum of n products) - sum| <= gamma_n * sum |products| in any summation order
 * (tree, split, fused multiply-add or not: fusing only removes roundings).
 */
export function gamma(n: number): number {
  const nu = n * UNIT_ROUNDOFF;
  if (!(n >= 0 && nu < 1)) throw new RangeError(`gamma(${n}) is undefined (n u must be < 1)`);
  return nu / (1 - nu);
}

export type Values = Float32Array | Int32Array | Uint8Array;

/** A kernel input as recorded on cpu (values copied out of the backend). */
export interface TensorRecord {
  shape: number[];
  dtype: tf.DataType;
  values: Values;
}

/** One call of a registered kernel: what `tf.engine().runKernel` takes. */
export interface KernelCall {
  kernelName: string;
  /** By input name; a kernel taking a list of tensors (Concat) has them under '0', '1', ... */
  inputs: Record<string, TensorRecord>;
  /** Whether the kernel takes its inputs as a list. */
  list?: boolean;
  attrs: tf.NamedAttrMap;
}

/** Runs a call on the cpu backend and returns its outputs' values. */
export type CpuRunner = (call: KernelCall) => Promise<Values[]>;

/** What a bound may look at: the call, cpu's outputs, and cpu to run helper calls on. */
export interface BoundContext {
  call: KernelCall;
  reference: Values[];
  runCpu: CpuRunner;
}

/** Per output, per element: the largest allowed |webgpu - cpu| (Infinity: the spec sets none). */
export type Bounds = Float64Array[];

export interface BoundRule {
  /** Why this bound (for the report and for whoever adds the next kernel). */
  why: string;
  bounds(context: BoundContext): Bounds | Promise<Bounds>;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function input(call: KernelCall, name: string): TensorRecord {
  const record = call.inputs[name];
  if (!record) throw new Error(`${call.kernelName} has no input '${name}'`);
  return record;
}

/** Every element gets the same bound. */
function uniform(reference: Values[], bound: number): Bounds {
  return reference.map((values) => new Float64Array(values.length).fill(bound));
}

/**
 * Both sides return the correctly rounded result (or move values without arithmetic), so they
 * agree exactly except where the GPU flushed a subnormal. The cpu's double arithmetic rounded
 * once to float32 is correctly rounded for +, -, *: double has at least 2 * 24 + 2 bits, so the
 * double rounding is innocuous (Figueroa 1995, "When is double rounding innocuous?").
 */
const exact = (why: string): BoundRule => ({
  why,
  bounds: ({ reference }) => uniform(reference, FLT_MIN),
});

/** The value of `record` that broadcasts onto output element `index` of `outShape`. */
function broadcastReader(
  record: TensorRecord,
  outShape: readonly number[],
): (index: number) => number {
  const rank = outShape.length;
  const shape = [...new Array<number>(rank - record.shape.length).fill(1), ...record.shape];
  const strides = new Array<number>(rank).fill(0);
  for (let axis = rank - 1, stride = 1; axis >= 0; axis--) {
    strides[axis] = shape[axis] === 1 ? 0 : stride;
    stride *= shape[axis];
  }
  return (index) => {
    let offset = 0;
    for (let axis = rank - 1, rest = index; axis >= 0; axis--) {
      offset += (rest % outShape[axis]) * strides[axis];
      rest = Math.floor(rest / outShape[axis]);
    }
    return record.values[offset];
  };
}

/** `ulps` ULPs of the cpu value (as a relative error), plus the subnormal floor. */
function ulpsOf(value: number, ulps: number): number {
  return ulps * ULP_RELATIVE * Math.abs(value) * (1 + UNIT_ROUNDOFF) + FLT_MIN;
}

/**
 * Bilinear kernels and sums: each output is a sum of n terms (products, or plain values), so
 * each side is within gamma_n * sum |terms| of the exact sum and they are within twice that of
 * each other. sum |terms| is the same kernel run on cpu on |inputs|; that float32 run may itself
 * fall short of the exact magnitude by a factor (1 - gamma_n), undone here. Flushing a subnormal
 * product or partial sum loses at most FLT_MIN each: 2n FLT_MIN.
 */
function dot(
  why: string,
  terms: (call: KernelCall) => number,
  magnitudeCall: (call: KernelCall) => KernelCall,
): BoundRule {
  return {
    why,
    async bounds({ call, runCpu }) {
      const n = Math.max(1, terms(call));
      const factor = (2 * gamma(n)) / (1 - gamma(n));
      const magnitudes = await runCpu(magnitudeCall(call));
      return magnitudes.map((m) => Float64Array.from(m, (v) => factor * v + 2 * n * FLT_MIN));
    },
  };
}

function absolute(record: TensorRecord): TensorRecord {
  return { ...record, values: Float32Array.from(record.values, Math.abs) };
}

/** The same call with the named inputs replaced by their absolute values. */
function withAbsolute(
  call: KernelCall,
  names: readonly string[],
  attrs?: tf.NamedAttrMap,
): KernelCall {
  const inputs = { ...call.inputs };
  for (const name of names) if (inputs[name]) inputs[name] = absolute(inputs[name]);
  return { ...call, inputs, attrs: { ...call.attrs, ...attrs } };
}

function checkNhwc(call: KernelCall): void {
  const format = call.attrs.dataFormat;
  if (format !== undefined && format !== 'NHWC' && format !== 'channelsLast') {
    throw new Error(`${call.kernelName}: no bound derived for data format ${String(format)}`);
  }
}

/**
 * `dot` for an NHWC convolution: `terms` reads the count from the shape of input `shapeOf`, and
 * the magnitudes come from the same call on the absolute values of `absoluteInputs`.
 */
function convDot(
  why: string,
  shapeOf: string,
  terms: (shape: number[]) => number,
  absoluteInputs: readonly string[],
): BoundRule {
  return dot(
    why,
    (call) => {
      checkNhwc(call);
      return terms(input(call, shapeOf).shape);
    },
    (call) => withAbsolute(call, absoluteInputs),
  );
}

/** A kernel's [height, width] attribute given as one number or a pair (filterSize, strides). */
export function pairOf(value: unknown): [number, number] {
  return typeof value === 'number' ? [value, value] : (value as [number, number]);
}

/**
 * The rule of every kernel the model presets run. A kernel without one fails the test until
 * someone derives its bound here.
 */
export const KERNEL_RULES: Readonly<Record<string, BoundRule>> = {
  // Data movement, comparisons and selections: no arithmetic on the values.
  Identity: exact('copies'),
  Reshape: exact('copies'),
  Cast: exact('float to float copies; float to int truncates (WGSL i32(f32) and Int32Array agree)'),
  Concat: exact('copies'),
  SplitV: exact('copies'),
  Slice: exact('copies'),
  PadV2: exact('copies and fills a constant'),
  MirrorPad: exact('copies'),
  Reverse: exact('copies'),
  Transpose: exact('copies'),
  ZerosLike: exact('fills'),
  OnesLike: exact('fills'),
  Fill: exact('fills'),
  MaxPool: exact('a maximum is one of its inputs'),
  ResizeNearestNeighbor: exact('copies'),
  Relu: exact('max(x, 0) is exact'),
  Step: exact('selects 1 or alpha'),
  Neg: exact('flips the sign'),
  Maximum: exact('WGSL max is exact'),
  Minimum: exact('WGSL min is exact'),
  ClipByValue: exact('WGSL clamp is exact; the bounds round to the same float32 on both sides'),
  Floor: exact('WGSL floor is exact'),
  Round: exact('WGSL round is exact (half to even, as cpu)'),
  Select: exact('selects'),
  LogicalAnd: exact('boolean'),
  GreaterEqual: exact('compares'),
  LessEqual: exact('compares'),
  Greater: exact('compares'),
  Less: exact('compares'),
  Equal: exact('compares'),
  IsFinite: exact('classifies'),
  All: exact('boolean'),
  // One correctly rounded operation on each side (WGSL: +, -, * correctly rounded).
  Add: exact('one correctly rounded addition'),
  Sub: exact('one correctly rounded subtraction'),
  Multiply: exact('one correctly rounded multiplication'),
  Square: exact('x * x, one correctly rounded multiplication'),
  RealDiv: {
    why: 'WGSL x / y: 2.5 ULP for |y| in [2^-126, 2^126] (no bound outside); cpu: 0.5 ULP',
    bounds({ call, reference }) {
      const divisor = broadcastReader(input(call, 'b'), outputShapeOf(call));
      return reference.map((values) =>
        Float64Array.from(values, (v, i) => {
          const y = Math.abs(divisor(i));
          return y >= FLT_MIN && y <= 2 ** 126 ? ulpsOf(v, 3) : Infinity;
        }),
      );
    },
  },
  Sqrt: {
    why:
      'WGSL sqrt is inherited from 1.0 / inverseSqrt(x): 2 ULP then a 2.5 ULP division, ' +
      '4.5 ULP; cpu: 0.5 ULP',
    bounds: ({ reference }) =>
      reference.map((values) => Float64Array.from(values, (v) => ulpsOf(v, 5))),
  },
  Log: {
    why: 'WGSL log: 3 ULP outside [0.5, 2], absolute 2^-21 inside; cpu: 0.5 ULP',
    bounds({ call, reference }) {
      const x = input(call, 'x').values;
      return reference.map((values) =>
        Float64Array.from(values, (v, i) =>
          x[i] >= 0.5 && x[i] <= 2 ? 2 ** -21 + ulpsOf(v, 0.5) : ulpsOf(v, 3.5),
        ),
      );
    },
  },
  Sigmoid: {
    why:
      'webgpu computes 1 / (1 + exp(-a)): exp (3 + 2|a| ULP) enters 1 + exp(-a) scaled by ' +
      'exp(-a) / (1 + exp(-a)) = 1 - s, the addition rounds once (0.5 ULP), the division ' +
      '2.5 ULP; cpu: 0.5 ULP. Relative to s: (1 - s)(3 + 2|a|) + 3.5 ULP',
    bounds({ call, reference }) {
      const a = input(call, 'x').values;
      return reference.map((values) =>
        Float64Array.from(values, (s, i) => ulpsOf(s, (1 - s) * (3 + 2 * Math.abs(a[i])) + 3.5)),
      );
    },
  },
  Softmax: {
    why:
      'both compute exp(x - max) / sum exp(x - max) over the last axis, with the same ' +
      'correctly rounded x - max. webgpu: exp(x_i - max) within 3 + 2|x_i - max| ULP, the sum ' +
      'of n positive terms within the worst term error + gamma_n, the division 2.5 ULP; cpu: ' +
      '0.5 ULP per exp and division and gamma_n for its sum. Relative to p_i: ' +
      '(3 + 2|x_i - max|) + max_j (3 + 2|x_j - max|) + 4 ULP + 2 gamma_n',
    bounds({ call, reference }) {
      const logits = input(call, 'logits');
      const rank = logits.shape.length;
      const dim = call.attrs.dim as number;
      if (dim !== -1 && dim !== rank - 1) {
        throw new Error(`Softmax: no bound derived for dim ${dim} of a rank ${rank} input`);
      }
      const n = logits.shape[rank - 1];
      const x = logits.values;
      return reference.map((values) => {
        const bounds = new Float64Array(values.length);
        for (let row = 0; row < values.length; row += n) {
          let max = -Infinity;
          for (let j = 0; j < n; j++) max = Math.max(max, x[row + j]);
          const expUlps = (j: number) => 3 + 2 * Math.abs(Math.fround(x[row + j] - max));
          let worst = 0;
          for (let j = 0; j < n; j++) worst = Math.max(worst, expUlps(j));
          for (let j = 0; j < n; j++) {
            const p = Math.abs(values[row + j]);
            bounds[row + j] = ulpsOf(p, expUlps(j) + worst + 4) + 2 * gamma(n) * p;
          }
        }
        return bounds;
      });
    },
  },
  Sum: dot(
    'a sum of n = (input size / output size) values',
    (call) => sizeOf(input(call, 'x').shape) / Math.max(1, outputSizeOfSum(call)),
    (call) => withAbsolute(call, ['x']),
  ),
  Conv2D: convDot(
    'each output sums filterHeight * filterWidth * inChannels products',
    'filter',
    ([fh, fw, inChannels]) => fh * fw * inChannels,
    ['x', 'filter'],
  ),
  FusedConv2D: {
    why:
      'Conv2D plus the bias (one more term); ReLU is exact and 1-Lipschitz, so it adds ' +
      'nothing (other activations have no bound here)',
    bounds(context) {
      const { call } = context;
      const activation = call.attrs.activation ?? 'linear';
      if (activation !== 'linear' && activation !== 'relu') {
        throw new Error(`FusedConv2D: no bound derived for activation ${String(activation)}`);
      }
      if (call.inputs.preluActivationWeights) {
        throw new Error('FusedConv2D: no bound derived for prelu weights');
      }
      checkNhwc(call);
      return dot(
        '',
        (c) => {
          const [fh, fw, inChannels] = input(c, 'filter').shape;
          return fh * fw * inChannels + (c.inputs.bias ? 1 : 0);
        },
        (c) => withAbsolute(c, ['x', 'filter', 'bias'], { activation: 'linear' }),
      ).bounds(context);
    },
  },
  Conv2DBackpropInput: convDot(
    'each input gradient sums at most filterHeight * filterWidth * outChannels products',
    'filter',
    ([fh, fw, , outChannels]) => fh * fw * outChannels,
    ['dy', 'filter'],
  ),
  Conv2DBackpropFilter: convDot(
    'each filter gradient sums batch * outHeight * outWidth products',
    'dy',
    ([batch, height, width]) => batch * height * width,
    ['x', 'dy'],
  ),
  MaxPoolGrad: dot(
    'each input pixel sums dy over the windows that picked it: at most ' +
      'ceil(filter / stride) per axis (the first maximum takes a tied window, as on cpu)',
    (call) => {
      const [fh, fw] = pairOf(call.attrs.filterSize);
      const [sh, sw] = pairOf(call.attrs.strides);
      return Math.ceil(fh / sh) * Math.ceil(fw / sw);
    },
    (call) => withAbsolute(call, ['dy']),
  ),
  ResizeNearestNeighborGrad: dot(
    'each image pixel sums the dy pixels mapped onto it: at most ceil(dy / image) + 1 per axis',
    (call) => {
      const [, imageHeight, imageWidth] = input(call, 'images').shape;
      const [, dyHeight, dyWidth] = input(call, 'dy').shape;
      return (Math.ceil(dyHeight / imageHeight) + 1) * (Math.ceil(dyWidth / imageWidth) + 1);
    },
    (call) => withAbsolute(call, ['dy']),
  ),
};

function outputSizeOfSum(call: KernelCall): number {
  const shape = input(call, 'x').shape;
  const rank = shape.length;
  const axes = ([] as number[]).concat(call.attrs.axis as number | number[]);
  const reduced = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  return sizeOf(shape.filter((_, axis) => !reduced.has(axis)));
}

/** The broadcast output shape of a binary kernel's inputs a and b. */
function outputShapeOf(call: KernelCall): number[] {
  return tf.backend_util.assertAndGetBroadcastShape(input(call, 'a').shape, input(call, 'b').shape);
}

/** The bounds of one call's outputs; throws when no rule covers its kernel. */
export async function boundsFor(context: BoundContext): Promise<Bounds> {
  const rule = KERNEL_RULES[context.call.kernelName];
  if (!rule) throw new Error(`no bound derived for kernel ${context.call.kernelName}`);
  return rule.bounds(context);
}

export interface Comparison {
  elements: number;
  /** Elements beyond their bound (NaN or infinity on one side only counts). */
  violations: number;
  /** Elements the spec leaves unbounded (see RealDiv), not checked. */
  unbounded: number;
  /** max |actual - expected| / bound over the checked elements (0 when all agree exactly). */
  worstRatio: number;
  /** The first violation, for the failure message. */
  first: { index: number; expected: number; actual: number; bound: number } | null;
}

/** Compares element by element: |actual - expected| <= bound. */
export function compareWithin(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  bound: ArrayLike<number>,
): Comparison {
  if (expected.length !== actual.length || expected.length !== bound.length) {
    throw new Error(
      `cannot compare ${actual.length} values with ${expected.length} (${bound.length} bounds)`,
    );
  }
  const result: Comparison = {
    elements: expected.length,
    violations: 0,
    unbounded: 0,
    worstRatio: 0,
    first: null,
  };
  for (let i = 0; i < expected.length; i++) {
    const e = Number(expected[i]);
    const a = Number(actual[i]);
    const b = bound[i];
    if (b === Infinity) {
      result.unbounded += 1;
      continue;
    }
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const difference = e === a ? 0 : Math.abs(a - e);
    const ratio = difference === 0 ? 0 : b > 0 ? difference / b : Infinity;
    // NaN differences (NaN on one side) compare false here, so they count as violations.
    if (!(difference <= b)) {
      result.violations += 1;
      result.first ??= { index: i, expected: e, actual: a, bound: b };
      result.worstRatio = Math.max(result.worstRatio, Number.isNaN(ratio) ? Infinity : ratio);
    } else {
      result.worstRatio = Math.max(result.worstRatio, ratio);
    }
  }
  return result;
}

const bits = new DataView(new ArrayBuffer(4));

/** The next float32 above `x` (finite x). */
export function nextFloat32Up(x: number): number {
  if (x === 0) return 2 ** -149;
  bits.setFloat32(0, x);
  bits.setInt32(0, bits.getInt32(0) + (x > 0 ? 1 : -1));
  return bits.getFloat32(0);
}

/** The float32 nearest above `value` whose distance from it exceeds `bound`. */
export function justBeyond(value: number, bound: number): number {
  let candidate = Math.fround(value + bound);
  while (!(Math.abs(candidate - value) > bound)) candidate = nextFloat32Up(candidate);
  return candidate;
}
