/**
 * ResizeNearestNeighborGrad, written as the exact adjoint of tfjs's nearest-neighbour resize:
 * every dy pixel adds into the one input pixel the forward pass copied it from. Registered for
 * wasm (upstream's is a scalar loop) and for cpu, whose tfjs 4.22 kernel is wrong for a batch
 * of more than one image: it sums the first image's gradient into every image's (measured:
 * for dy = 1..32 as [2, 4, 4, 1], image 2's top-left gradient came out 30, the true sum is 78).
 * That would silently mistrain every U-Net with nearest upsampling on the cpu rung.
 */
import {
  ResizeNearestNeighborGrad,
  type KernelBackend,
  type ResizeNearestNeighborGradAttrs,
  type ResizeNearestNeighborGradInputs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, kernelConfig } from './register';

/** The source index along one axis for each output index, as tfjs's forward resize picks it. */
export function nearestSourceIndex(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Int32Array {
  const effectiveIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effectiveOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effectiveIn / effectiveOut;
  const out = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const fraction = halfPixelCenters ? ratio * (o + 0.5) : ratio * o;
    let source = Math.min(inSize - 1, alignCorners ? Math.round(fraction) : Math.floor(fraction));
    if (halfPixelCenters) source = Math.max(0, source);
    out[o] = source;
  }
  return out;
}

/** dx [B, H, W, C] from dy [B, OH, OW, C]: the adjoint of the nearest-neighbour resize. */
export function resizeNearestGradValues(
  dy: Float32Array,
  dyShape: readonly number[],
  inShape: readonly number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
  dx: Float32Array = new Float32Array(inShape[0]! * inShape[1]! * inShape[2]! * inShape[3]!),
): Float32Array {
  const [batch, outHeight, outWidth, channels] = dyShape as [number, number, number, number];
  const [, inHeight, inWidth] = inShape as [number, number, number, number];
  const rows = nearestSourceIndex(inHeight, outHeight, alignCorners, halfPixelCenters);
  const cols = nearestSourceIndex(inWidth, outWidth, alignCorners, halfPixelCenters);
  dx.fill(0);
  let d = 0;
  for (let b = 0; b < batch; b++) {
    const imageBase = b * inHeight * inWidth;
    for (let r = 0; r < outHeight; r++) {
      const rowBase = imageBase + rows[r]! * inWidth;
      for (let c = 0; c < outWidth; c++) {
        const target = (rowBase + cols[c]!) * channels;
        for (let k = 0; k < channels; k++) dx[target + k]! += dy[d++]!;
      }
    }
  }
  return dx;
}

type GradArgs<Backend> = KernelArgs<
  ResizeNearestNeighborGradInputs,
  Backend,
  ResizeNearestNeighborGradAttrs
>;

function wasmKernel(args: GradArgs<BackendWasm>): TensorInfo {
  const { inputs, attrs, backend } = args;
  const images = inputs.images as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const out = backend.makeOutput([...images.shape], 'float32');
  // Heap views are taken after makeOutput, which may grow (and so detach) the heap.
  resizeNearestGradValues(
    backend.typedArrayFromHeap(dy) as Float32Array,
    dy.shape,
    images.shape,
    attrs.alignCorners,
    attrs.halfPixelCenters,
    backend.typedArrayFromHeap(out) as Float32Array,
  );
  return out;
}

function cpuKernel(args: GradArgs<KernelBackend>): TensorInfo {
  const { inputs, attrs, backend } = args;
  const images = inputs.images as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const values = resizeNearestGradValues(
    backend.readSync(dy.dataId) as Float32Array,
    dy.shape,
    images.shape,
    attrs.alignCorners,
    attrs.halfPixelCenters,
  );
  const dataId = backend.write(values, [...images.shape], 'float32');
  return { dataId, shape: [...images.shape], dtype: 'float32' };
}

export const resizeNearestGradWasmConfig = kernelConfig(
  ResizeNearestNeighborGrad,
  'wasm',
  wasmKernel,
);

export const resizeNearestGradCpuConfig = kernelConfig(ResizeNearestNeighborGrad, 'cpu', cpuKernel);
