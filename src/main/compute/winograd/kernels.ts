/**
 * Conv2D and FusedConv2D for the wasm backend that send 3x3 stride-1 convolutions to our
 * Winograd kernel and everything else to upstream's XNNPACK kernel. Our Conv2DBackpropInput
 * runs through Conv2D, so the input gradient of a stride-1 3x3 convolution (a convolution with
 * the flipped filter) takes the same path.
 *
 * The same registration puts the module in front of the training kernels in ./training-ops and
 * lets our Conv2DBackpropFilter use its direct filter gradient; unregistering undoes all three.
 * VESSEL_WINOGRAD=0 keeps it from registering (upstream's kernels alone), for comparison and as
 * an escape.
 */
import {
  Conv2D,
  FusedConv2D,
  getKernel,
  registerKernel,
  unregisterKernel,
  type Conv2DAttrs,
  type FusedConv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { channelsLastConvInfo } from '../kernels/kernel-scratch';
import { WinogradPool } from './pool';
import { TRAINING_OP_WRAPPERS } from './training-ops';
import { backendMemory, isShared, STACK_BYTES, WinogradConv, winogradModule } from './winograd';

/**
 * Input channels below this go to XNNPACK: the tile transforms cost about what the products
 * save (in exploratory timings, slower than XNNPACK with 1 or 2 channels, about even with 4).
 */
export const MIN_WINOGRAD_CHANNELS = 8;

/** Whether the Winograd path is on (VESSEL_WINOGRAD=0 turns it off). */
export function winogradEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.VESSEL_WINOGRAD !== '0';
}

const convs = new WeakMap<BackendWasm, WinogradConv | null>();

/**
 * The Winograd convolution of `backend`, with helper threads when the backend is threaded; null
 * when this runtime cannot run the module (no wasm SIMD), after which XNNPACK does the work.
 */
export function winogradFor(backend: BackendWasm): WinogradConv | null {
  if (convs.has(backend)) return convs.get(backend)!;
  try {
    convs.set(backend, startWinograd(backend));
  } catch (error) {
    console.warn(`Winograd convolution unavailable, using XNNPACK: ${String(error)}`);
    convs.set(backend, null);
  }
  return convs.get(backend)!;
}

function startWinograd(backend: BackendWasm): WinogradConv {
  const conv = new WinogradConv(backend);
  const memory = backendMemory(backend);
  const threads = (
    backend.wasm as unknown as { tfjs?: { getThreadsCount?(): number } }
  ).tfjs?.getThreadsCount?.();
  const helpers = Math.max(0, (threads ?? 1) - 1);
  if (helpers > 0 && isShared(memory)) {
    const heap = backend.wasm as unknown as { _malloc(bytes: number): number };
    const stackTops = Array.from(
      { length: helpers },
      () => (heap._malloc(STACK_BYTES) + STACK_BYTES) & ~15,
    );
    conv.useHelpers(new WinogradPool(winogradModule(true, conv.simd), memory, stackTops));
  }
  return conv;
}

/** Whether registerWinogradKernels has put the module in front (the one switch for all). */
let registered = false;

/**
 * The module for our Conv2DBackpropFilter's direct 3x3 filter gradient while the module is
 * registered, else null (our XNNPACK composition then computes it).
 */
export function nativeFilterGradFor(backend: BackendWasm): WinogradConv | null {
  return registered ? winogradFor(backend) : null;
}

interface ConvShape {
  x: TensorInfo;
  filter: TensorInfo;
  attrs: Conv2DAttrs;
}

/** The Winograd arguments for a convolution it can compute, or null. */
function plan({ x, filter, attrs }: ConvShape) {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  if (attrs.dataFormat !== 'NHWC') return null;
  const [fh, fw, inChannels] = filter.shape;
  if (fh !== 3 || fw !== 3 || (inChannels ?? 0) < MIN_WINOGRAD_CHANNELS) return null;
  const dilations = attrs.dilations ?? 1;
  if ((Array.isArray(dilations) ? dilations : [dilations]).some((d) => d !== 1)) return null;
  const info = channelsLastConvInfo('Conv2D', x.shape, filter.shape, attrs);
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  return {
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
  };
}

function wrapConv2D(upstream: KernelFunc): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs as unknown as Conv2DAttrs;
    const shape = plan({ x, filter, attrs });
    const conv = shape && winogradFor(args.backend as BackendWasm);
    if (!shape || !conv) return upstream(args);
    return conv.conv({ x, filter, relu: false, ...shape });
  };
}

function wrapFusedConv2D(upstream: KernelFunc): KernelFunc {
  return (args) => {
    const inputs = args.inputs as NamedTensorInfoMap;
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const x = inputs.x as TensorInfo;
    const filter = inputs.filter as TensorInfo;
    const bias = inputs.bias as TensorInfo | undefined;
    const activation = attrs.activation ?? 'linear';
    const shape =
      (activation === 'linear' || activation === 'relu') &&
      !inputs.preluActivationWeights &&
      (!bias || (bias.shape.length === 1 && bias.shape[0] === filter.shape[3])) &&
      bias?.dtype !== 'int32'
        ? plan({ x, filter, attrs })
        : null;
    const conv = shape && winogradFor(args.backend as BackendWasm);
    if (!shape || !conv) return upstream(args);
    return conv.conv({
      x,
      filter,
      bias,
      relu: activation === 'relu',
      ...shape,
    });
  };
}

/** Our wrapper -> the upstream kernel it wraps. */
const upstreamOf = new WeakMap<KernelFunc, KernelConfig>();

function wrapKernel(kernelName: string, wrap: (upstream: KernelFunc) => KernelFunc): void {
  const current = getKernel(kernelName, 'wasm');
  if (!current) throw new Error(`tfjs-backend-wasm has no ${kernelName} kernel to wrap.`);
  if (upstreamOf.has(current.kernelFunc)) return;
  const kernelFunc = wrap(current.kernelFunc);
  upstreamOf.set(kernelFunc, current);
  unregisterKernel(kernelName, 'wasm');
  registerKernel({ ...current, kernelFunc });
}

function unwrapKernel(kernelName: string): void {
  const current = getKernel(kernelName, 'wasm');
  const upstream = current && upstreamOf.get(current.kernelFunc);
  if (!upstream) return;
  unregisterKernel(kernelName, 'wasm');
  registerKernel(upstream);
}

/**
 * Puts our module in front of the wasm Conv2D and FusedConv2D and of the training kernels in
 * ./training-ops (idempotent); returns the kernel names, or none when VESSEL_WINOGRAD=0.
 */
export function registerWinogradKernels(env: NodeJS.ProcessEnv = process.env): string[] {
  if (!winogradEnabled(env)) return [];
  registered = true;
  wrapKernel(Conv2D, wrapConv2D);
  wrapKernel(FusedConv2D, wrapFusedConv2D);
  for (const [name, wrap] of Object.entries(TRAINING_OP_WRAPPERS)) {
    wrapKernel(name, (upstream) => wrap(winogradFor, upstream));
  }
  return [Conv2D, FusedConv2D, ...Object.keys(TRAINING_OP_WRAPPERS)];
}

/** Puts the kernels registered before ours back (benchmarks compare the two paths). */
export function unregisterWinogradKernels(): void {
  registered = false;
  for (const name of [Conv2D, FusedConv2D, ...Object.keys(TRAINING_OP_WRAPPERS)])
    unwrapKernel(name);
}
