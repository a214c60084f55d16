/**
 * Training kernels for the wasm backend that tfjs-wasm runs slowly (generic loops or JavaScript)
 * and a U-Net calls on every step, each one function of our wasm module on the backend's tensors:
 *
 * - MaxPoolGrad for 2x2 stride-2 valid pooling (the first maximum of each window in row-major
 *   order takes the gradient, as tfjs's cpu kernel decides);
 * - Concat and SplitV along the last axis (skip connections, and their gradient);
 * - Sum over every axis but the last (bias gradients);
 * - ResizeNearestNeighborGrad for plain 2x upsampling.
 *
 * Every other case goes to the kernel registered before (upstream's, or ours in JavaScript).
 * VESSEL_WINOGRAD=0 leaves them all to those.
 */
import {
  backend_util,
  Concat,
  MaxPoolGrad,
  ResizeNearestNeighborGrad,
  Sum,
  SplitV,
  util,
  type ConcatAttrs,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type NamedTensorInfoMap,
  type ResizeNearestNeighborGradAttrs,
  type SplitVAttrs,
  type SumAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { WinogradConv } from './winograd';

type ModuleFor = (backend: BackendWasm) => WinogradConv | null;

/** One kernel's module path: its output, or null to leave the call to the kernel before ours. */
type ModuleKernel = (
  args: Parameters<KernelFunc>[0],
  mod: WinogradConv,
  backend: BackendWasm,
) => TensorInfo | TensorInfo[] | null;

let calls = 0;

/** How many of these kernels ran on the module in this thread (tests check the routing). */
export function trainingOpCalls(): number {
  return calls;
}

const isPair = (value: number | [number, number], expected: number) =>
  Array.isArray(value) ? value[0] === expected && value[1] === expected : value === expected;

const floats = (infos: TensorInfo[]) => infos.every((info) => info.dtype === 'float32');

const maxPoolGrad: ModuleKernel = (args, mod, backend) => {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = args.attrs as unknown as MaxPoolGradAttrs;
  const plain =
    isPair(attrs.filterSize, 2) &&
    isPair(attrs.strides, 2) &&
    (attrs.pad === 'valid' || attrs.pad === 0) &&
    input.shape.length === 4 &&
    floats([dy, input]);
  if (!plain) return null;
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const dx = backend.makeOutput([n, h, w, c], 'float32');
  mod.functions.max_pool_grad_2x2(mod.offset(input), mod.offset(dy), mod.offset(dx), n, h, w, c);
  return dx;
};

const splitV: ModuleKernel = (args, mod, backend) => {
  const { x } = args.inputs as { x: TensorInfo };
  const attrs = args.attrs as unknown as SplitVAttrs;
  const rank = x.shape.length;
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
  if (rank < 2 || axis !== rank - 1 || !floats([x])) return null;
  // tfjs's own checks (one -1 at most, sizes summing to the axis, splits dividing it), which
  // the op leaves to the kernel; it rewrites a -1 in place, hence the copy.
  const { numOrSizeSplits } = attrs;
  const sizes = backend_util.prepareSplitSize(
    x,
    Array.isArray(numOrSizeSplits) ? [...numOrSizeSplits] : numOrSizeSplits,
    axis,
  );
  const width = x.shape[rank - 1]!;
  const rows = util.sizeFromShape(x.shape) / width;
  let start = 0;
  return sizes.map((size) => {
    const out = backend.makeOutput([...x.shape.slice(0, -1), size], 'float32');
    if (size > 0 && rows > 0) {
      mod.functions.copy_rows(mod.offset(x) + start * 4, width, mod.offset(out), size, rows, size);
    }
    start += size;
    return out;
  });
};

const concat: ModuleKernel = (args, mod, backend) => {
  const inputs = Object.values(args.inputs as NamedTensorInfoMap) as TensorInfo[];
  const attrs = args.attrs as unknown as ConcatAttrs;
  const first = inputs[0];
  if (!first || !floats(inputs)) return null;
  const rank = first.shape.length;
  const axis = util.parseAxisParam(attrs.axis, first.shape)[0];
  const lead = first.shape.slice(0, -1);
  const sameLead = inputs.every(
    (t) => t.shape.length === rank && t.shape.slice(0, -1).every((d, i) => d === lead[i]),
  );
  if (rank < 2 || axis !== rank - 1 || !sameLead) return null;
  const width = inputs.reduce((sum, t) => sum + t.shape[rank - 1]!, 0);
  const rows = util.sizeFromShape(lead);
  const out = backend.makeOutput([...lead, width], 'float32');
  let start = 0;
  for (const t of inputs) {
    const size = t.shape[rank - 1]!;
    if (size > 0 && rows > 0) {
      mod.functions.copy_rows(mod.offset(t), size, mod.offset(out) + start * 4, width, rows, size);
    }
    start += size;
  }
  return out;
};

const sum: ModuleKernel = (args, mod, backend) => {
  const { x } = args.inputs as { x: TensorInfo };
  const attrs = args.attrs as unknown as SumAttrs;
  const rank = x.shape.length;
  const axes = [...util.parseAxisParam(attrs.axis, x.shape)].sort((a, b) => a - b);
  const allButLast = axes.length === rank - 1 && axes.every((a, i) => a === i);
  const size = util.sizeFromShape(x.shape);
  if (rank < 2 || !allButLast || size === 0 || !floats([x])) return null;
  const width = x.shape[rank - 1]!;
  const shape = attrs.keepDims ? [...new Array<number>(rank - 1).fill(1), width] : [width];
  const out = backend.makeOutput(shape, 'float32');
  mod.functions.sum_rows(mod.offset(x), size / width, width, mod.offset(out));
  return out;
};

const upsampleGrad: ModuleKernel = (args, mod, backend) => {
  const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as ResizeNearestNeighborGradAttrs;
  const [n, h, w, c] = images.shape as [number, number, number, number];
  const twice = dy.shape[1] === 2 * h && dy.shape[2] === 2 * w;
  const plain = !attrs.alignCorners && !attrs.halfPixelCenters;
  if (images.shape.length !== 4 || !twice || !plain || !floats([dy])) return null;
  const dx = backend.makeOutput([n, h, w, c], 'float32');
  mod.functions.upsample2x_grad(mod.offset(dy), mod.offset(dx), n, h, w, c);
  return dx;
};

/** The kernel that sends what `run` handles to the module and the rest to `upstream`. */
function onModule(run: ModuleKernel) {
  return (moduleFor: ModuleFor, upstream: KernelFunc): KernelFunc =>
    (args) => {
      const backend = args.backend as BackendWasm;
      const mod = moduleFor(backend);
      const out = mod && run(args, mod, backend);
      if (!out) return upstream(args);
      calls += 1;
      return out as TensorInfo;
    };
}

/** Kernel name -> the wrapper that sends its common case to the module. */
export const TRAINING_OP_WRAPPERS: Record<
  string,
  (moduleFor: ModuleFor, upstream: KernelFunc) => KernelFunc
> = {
  [MaxPoolGrad]: onModule(maxPoolGrad),
  [SplitV]: onModule(splitV),
  [Concat]: onModule(concat),
  [Sum]: onModule(sum),
  [ResizeNearestNeighborGrad]: onModule(upsampleGrad),
};
