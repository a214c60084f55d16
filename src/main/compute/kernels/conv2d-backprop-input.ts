/**
 * Conv2DBackpropInput for the wasm backend (the input gradient of a convolution, and the
 * forward pass of a transposed convolution), as one XNNPACK convolution with no wasted work.
 *
 * Upstream's wasm kernel is a scalar loop; the textbook alternative (dilate dy with zeros,
 * convolve with the flipped filter) wastes (s^2 - 1)/s^2 of its multiplications on zeros at
 * stride s. Instead we split dx into its s x s phases (sub-pixel convolution): along one axis,
 * with i = s*m + r,
 *
 *   dx[s*m + r] = sum_j dy[m + q_r - j] * w[k_r + s*j],   k_r = (r + top) mod s,  q_r = floor((r + top) / s)
 *
 * so every phase is a stride-1 correlation of the undilated dy with a slice of the filter.
 * All phases share one convolution whose output channels are (phase, ci); a transpose then
 * interleaves the phases into dx. At stride 1 this is the plain flipped-filter convolution.
 */
import {
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { channelsLastConvInfo, KernelScratch } from './kernel-scratch';
import { type KernelArgs, kernelConfig } from './register';

/** How one spatial axis of the input gradient maps onto one stride-1 convolution. */
export interface PhaseAxisPlan {
  stride: number;
  /** Output positions per phase: ceil(inSize / stride). */
  phaseSize: number;
  /** Taps of the combined filter along this axis. */
  taps: number;
  /** Leading dy entries skipped (when the padding puts every tap past the start). */
  skip: number;
  /** dy entries used after the skip. */
  used: number;
  padBefore: number;
  padAfter: number;
  /** For phase r and tap a: the forward filter index, or -1 when that tap is unused. */
  filterIndex: number[][];
}

/** Plans one axis: `inSize` of dx, `outSize` of dy, filter size, stride and leading pad. */
export function planPhaseAxis(
  inSize: number,
  outSize: number,
  filterSize: number,
  stride: number,
  leadingPad: number,
): PhaseAxisPlan {
  const phaseSize = Math.ceil(inSize / stride);
  // (phase r, tap offset d = q_r - j, filter index k) for every contributing tap.
  const contributions: { r: number; d: number; k: number }[] = [];
  for (let r = 0; r < stride; r++) {
    const kr = (((r + leadingPad) % stride) + stride) % stride;
    const qr = Math.floor((r + leadingPad) / stride);
    for (let j = 0; kr + stride * j < filterSize; j++) {
      contributions.push({ r, d: qr - j, k: kr + stride * j });
    }
  }
  const minD = Math.min(...contributions.map((c) => c.d));
  const maxD = Math.max(...contributions.map((c) => c.d));
  const taps = maxD - minD + 1;
  // Tap a of output m reads dy[m + a - padBefore + skip]; tap a = d - minD carries offset d.
  const padBefore = Math.max(-minD, 0);
  const skip = Math.max(minD, 0);
  const filterIndex = Array.from({ length: stride }, () => new Array<number>(taps).fill(-1));
  for (const c of contributions) filterIndex[c.r]![c.d - minD] = c.k;
  // Output length = used + padBefore + padAfter - taps + 1 must equal phaseSize; dy entries
  // past what any output reads are cut off rather than padded negatively.
  let used = outSize - skip;
  let padAfter = phaseSize + taps - 1 - padBefore - used;
  if (padAfter < 0) {
    used += padAfter;
    padAfter = 0;
  }
  return { stride, phaseSize, taps, skip, used, padBefore, padAfter, filterIndex };
}

/**
 * The combined filter [tapsH, tapsW, co, sH*sW*ci] from the forward filter [kh, kw, ci, co]:
 * output channel (rh*sW + rw)*ci + c of tap (a, b) holds w[kh(rh, a), kw(rw, b), c, :].
 */
export function combinedPhaseFilter(
  filter: Float32Array,
  filterShape: [number, number, number, number],
  rows: PhaseAxisPlan,
  cols: PhaseAxisPlan,
): Float32Array {
  const [, kw, ci, co] = filterShape;
  const phases = rows.stride * cols.stride;
  const outCh = phases * ci;
  const out = new Float32Array(rows.taps * cols.taps * co * outCh);
  for (let a = 0; a < rows.taps; a++) {
    for (let b = 0; b < cols.taps; b++) {
      for (let rh = 0; rh < rows.stride; rh++) {
        const fh = rows.filterIndex[rh]![a]!;
        if (fh < 0) continue;
        for (let rw = 0; rw < cols.stride; rw++) {
          const fw = cols.filterIndex[rw]![b]!;
          if (fw < 0) continue;
          const channelBase = (rh * cols.stride + rw) * ci;
          for (let c = 0; c < ci; c++) {
            const src = ((fh * kw + fw) * ci + c) * co;
            const dst = (a * cols.taps + b) * co * outCh + channelBase + c;
            for (let o = 0; o < co; o++) out[dst + o * outCh] = filter[src + o]!;
          }
        }
      }
    }
  }
  return out;
}

/** The input gradient of an NHWC convolution (also the transposed convolution), by XNNPACK. */
export function conv2dBackpropInputWasm(
  args: KernelArgs<Conv2DBackpropInputInputs, BackendWasm, Conv2DBackpropInputAttrs>,
): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as Record<'dy' | 'filter', TensorInfo>;
  const info = channelsLastConvInfo(
    'Conv2DBackpropInput',
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const rows = planPhaseAxis(
    inHeight,
    outHeight,
    info.filterHeight,
    info.strideHeight,
    info.padInfo.top,
  );
  const cols = planPhaseAxis(
    inWidth,
    outWidth,
    info.filterWidth,
    info.strideWidth,
    info.padInfo.left,
  );
  const scratch = new KernelScratch(backend);
  try {
    const weights = combinedPhaseFilter(
      scratch.read(filter),
      filter.shape as [number, number, number, number],
      rows,
      cols,
    );
    const phases = rows.stride * cols.stride;
    const combined = scratch.upload(weights, [
      rows.taps,
      cols.taps,
      outChannels,
      phases * inChannels,
    ]);
    // dy may be larger than the output the attributes imply (a caller's runKernel, or
    // conv2dTranspose given a too-large input): like tfjs's own kernels, read only its leading
    // outHeight x outWidth block.
    const sourceShape = [batchSize, rows.used, cols.used, outChannels];
    let source = dy;
    if (rows.skip > 0 || cols.skip > 0 || dy.shape.some((d, i) => d !== sourceShape[i])) {
      source = scratch.slice(dy, [0, rows.skip, cols.skip, 0], sourceShape);
    }
    const phased = scratch.conv2d(source, combined, {
      top: rows.padBefore,
      bottom: rows.padAfter,
      left: cols.padBefore,
      right: cols.padAfter,
    });
    let dx = phased;
    if (phases > 1) {
      // [B, mh, mw, sh, sw, ci] -> [B, mh, sh, mw, sw, ci] interleaves the phases.
      const split = scratch.reshape(phased, [
        batchSize,
        rows.phaseSize,
        cols.phaseSize,
        rows.stride,
        cols.stride,
        inChannels,
      ]);
      const interleaved = scratch.transpose(split, [0, 1, 3, 2, 4, 5]);
      dx = scratch.reshape(interleaved, [
        batchSize,
        rows.phaseSize * rows.stride,
        cols.phaseSize * cols.stride,
        inChannels,
      ]);
    }
    if (rows.phaseSize * rows.stride !== inHeight || cols.phaseSize * cols.stride !== inWidth) {
      dx = scratch.slice(dx, [0, 0, 0, 0], [batchSize, inHeight, inWidth, inChannels]);
    }
    return scratch.keep(dx);
  } finally {
    scratch.dispose();
  }
}

export const conv2dBackpropInputWasmConfig = kernelConfig(
  Conv2DBackpropInput,
  'wasm',
  conv2dBackpropInputWasm,
);
