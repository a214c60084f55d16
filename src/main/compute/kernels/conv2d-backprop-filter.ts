/**
 * Conv2DBackpropFilter for the wasm backend, which upstream lacks (tfjs issue 8474), as one
 * XNNPACK convolution: swap the roles of batch and channels so the filter gradient becomes a
 * forward convolution of the input (channels as batch, batch as channels) with the output
 * gradient as the filter, dilated by the forward stride.
 *
 *   dW[kh, kw, ci, co] = sum_{b, oh, ow} x[b, oh*s + kh - top, ow*s + kw - left, ci] * dy[b, oh, ow, co]
 *                      = conv(xT, dyT, dilation s)[ci, kh, kw, co]
 *   with xT = x transposed to [ci, H, W, B] and dyT = dy transposed to [oh, ow, B, co].
 *
 * 3x3 stride-1 filters with 8+ input channels (most of a U-Net's) go instead to the direct
 * SIMD kernel of our wasm module (../winograd), which needs no transposes and is faster.
 */
import {
  type backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { MIN_WINOGRAD_CHANNELS, nativeFilterGradFor } from '../winograd/kernels';
import { channelsLastConvInfo, KernelScratch } from './kernel-scratch';
import { type KernelArgs, kernelConfig } from './register';

/** The filter gradient of an NHWC convolution, computed by XNNPACK. */
export function conv2dBackpropFilterWasm(
  args: KernelArgs<Conv2DBackpropFilterInputs, BackendWasm, Conv2DBackpropFilterAttrs>,
): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const info = channelsLastConvInfo(
    'Conv2DBackpropFilter',
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs,
  );
  const scratch = new KernelScratch(backend);
  try {
    // dy may be larger than the output the attributes imply (a caller's runKernel): like
    // tfjs's own kernels, use only its leading outHeight x outWidth block.
    const dyShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
    let dy = inputs.dy as TensorInfo;
    if (dy.shape.some((d, i) => d !== dyShape[i])) dy = scratch.slice(dy, [0, 0, 0, 0], dyShape);
    return filterGrad(x, dy, info, scratch);
  } finally {
    scratch.dispose();
  }
}

/** The filter gradient for a dy of exactly the output's shape; intermediates go to `scratch`. */
function filterGrad(
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
  scratch: KernelScratch,
): TensorInfo {
  const { backend } = scratch;
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  if (
    filterHeight === 3 &&
    filterWidth === 3 &&
    strideHeight === 1 &&
    strideWidth === 1 &&
    inChannels >= MIN_WINOGRAD_CHANNELS &&
    x.dtype === 'float32' &&
    dy.dtype === 'float32'
  ) {
    const winograd = nativeFilterGradFor(backend);
    if (winograd) return winograd.filterGrad({ x, dy, padTop: top, padLeft: left });
  }
  // Rows past (outHeight-1)*stride + filterHeight - top never reach an output: crop them
  // rather than pad negatively, so the gradient convolution yields exactly filterHeight rows.
  let bottom = filterHeight - 1 + (outHeight - 1) * strideHeight - inHeight - top + 1;
  let right = filterWidth - 1 + (outWidth - 1) * strideWidth - inWidth - left + 1;
  let input = x;
  if (bottom < 0 || right < 0) {
    const rows = inHeight + Math.min(bottom, 0);
    const cols = inWidth + Math.min(right, 0);
    input = scratch.slice(x, [0, 0, 0, 0], [batchSize, rows, cols, inChannels]);
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }
  const rows = input.shape[1]!;
  const cols = input.shape[2]!;
  const inputT = scratch.swapOuterInner(input, batchSize, rows * cols, inChannels, [
    inChannels,
    rows,
    cols,
    batchSize,
  ]);
  const dyT = scratch.transpose(dy, [1, 2, 0, 3]);
  const gradT = scratch.conv2d(inputT, dyT, { top, bottom, left, right }, [
    strideHeight,
    strideWidth,
  ]);
  if (inChannels === 1) {
    return scratch.keep(scratch.reshape(gradT, [filterHeight, filterWidth, 1, outChannels]));
  }
  return scratch.keep(scratch.transpose(gradT, [1, 2, 0, 3]));
}

export const conv2dBackpropFilterWasmConfig = kernelConfig(
  Conv2DBackpropFilter,
  'wasm',
  conv2dBackpropFilterWasm,
);
