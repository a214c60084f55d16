/**
 * Runs kernels already registered for the wasm backend directly on backend data, outside the
 * gradient tape, and frees every intermediate when the caller is done. Our training kernels
 * are compositions of upstream's fast ones (XNNPACK Conv2D, Transpose, PadV2, Slice).
 */
import {
  backend_util,
  getKernel,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export class KernelScratch {
  private readonly temporaries: TensorInfo[] = [];

  constructor(readonly backend: BackendWasm) {}

  /** Runs `kernelName` for wasm; the result is freed by dispose() unless kept. */
  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = getKernel(kernelName, 'wasm');
    if (!kernel) {
      throw new Error(
        `Kernel ${kernelName} is not registered for wasm: our training kernels need it.`,
      );
    }
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend }) as TensorInfo;
    this.temporaries.push(out);
    return out;
  }

  /** A new float32 tensor on the wasm heap filled from `values`; freed by dispose(). */
  upload(values: Float32Array, shape: number[]): TensorInfo {
    const out = this.backend.makeOutput(shape, 'float32');
    (this.backend.typedArrayFromHeap(out) as Float32Array).set(values);
    this.temporaries.push(out);
    return out;
  }

  /** The values of a float32 tensor (a copy). */
  read(info: TensorInfo): Float32Array {
    return this.backend.readSync(info.dataId) as Float32Array;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  /** Stride-1 NHWC convolution with explicit padding and optional dilation (XNNPACK). */
  conv2d(
    x: TensorInfo,
    filter: TensorInfo,
    pads: { top: number; bottom: number; left: number; right: number },
    dilations: [number, number] = [1, 1],
  ): TensorInfo {
    return this.run(
      'Conv2D',
      { x, filter },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [pads.top, pads.bottom],
          [pads.left, pads.right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations,
      },
    );
  }

  /**
   * [A, M, C] -> [C, M, A] (outer and inner axes swapped), written in JS over the wasm heap:
   * upstream's generic N-d Transpose takes longer than the convolution it feeds here. Per
   * middle index the A x C block is transposed with writes in runs of A floats while the A
   * source rows stay in L1. `shape` is the output's shape.
   */
  swapOuterInner(
    x: TensorInfo,
    outer: number,
    middle: number,
    inner: number,
    shape: number[],
  ): TensorInfo {
    const out = this.backend.makeOutput(shape, 'float32');
    this.temporaries.push(out);
    const src = this.backend.typedArrayFromHeap(x) as Float32Array;
    const dst = this.backend.typedArrayFromHeap(out) as Float32Array;
    const srcOuterStride = middle * inner;
    const dstInnerStride = middle * outer;
    for (let m = 0; m < middle; m++) {
      const srcBase = m * inner;
      const dstBase = m * outer;
      for (let c = 0; c < inner; c++) {
        const d = c * dstInnerStride + dstBase;
        let si = srcBase + c;
        for (let a = 0; a < outer; a++) {
          dst[d + a] = src[si]!;
          si += srcOuterStride;
        }
      }
    }
    return out;
  }

  /** Hands `info` to the caller: dispose() will not free it. */
  keep(info: TensorInfo): TensorInfo {
    const index = this.temporaries.indexOf(info);
    if (index >= 0) this.temporaries.splice(index, 1);
    return info;
  }

  /** Frees every intermediate that was not kept. */
  dispose(): void {
    for (const info of this.temporaries) this.backend.disposeData(info.dataId);
    this.temporaries.length = 0;
  }
}

/** Shape information of a stride/pad-attributed NHWC convolution; throws for NCHW. */
export function channelsLastConvInfo(
  kernelName: string,
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  },
): backend_util.Conv2DInfo {
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') {
    throw new Error(`${kernelName} on wasm supports NHWC only: build the model channels-last.`);
  }
  return info;
}
