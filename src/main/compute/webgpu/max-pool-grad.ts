/**
 * MaxPoolGrad for the webgpu backend with the cpu backend's tie rule. Upstream's shader picks
 * each window's argmax with '>=', so of tied maxima the last one takes the window's gradient;
 * tfjs-cpu (maxPoolPositions) and our wasm module scan the window in row-major order with a
 * running maximum that starts at -inf and only moves on '>', so the first one does. Flat image
 * regions and ReLU zeros tie often, and training on webgpu then routed gradients differently
 * from cpu and wasm.
 *
 * One thread per dx element (per four channels when the channel count allows vec4 loads): for
 * each window that contains the element, in cpu's order (output row, then column, ascending),
 * it rescans the window's input and adds the window's dy when the element is the window's first
 * maximum. That is: the element is not -inf or NaN (cpu's running maximum never moves to those),
 * no earlier element of the window is >= it and no later one is > it. NaN elements never move
 * cpu's maximum, so they disqualify nobody. Window positions in the padding are never visited,
 * as in cpu. The `output` input (the forward result) goes unused, as in cpu: the maximum is
 * recomputed from `input`, which also keeps the tie rule independent of the forward kernel.
 */
import {
  type backend_util,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
  type MaxPoolGradInputs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { poolGradInfo } from '../kernels/grad-window';
import { type KernelArgs, kernelConfig } from '../kernels/register';

/** Channels a thread handles when the channel count is a multiple of 4 (one vec4 per load). */
const VEC = 4;

/** One thread per dx element, or per 4 channels of one dx pixel with vec4 loads. */
class MaxPoolGradProgram implements WebGPUProgram {
  variableNames = ['x', 'dy'];
  variableComponents: number[];
  outputComponent: number;
  outputShape: number[];
  shaderKey: string;
  workgroupSize: [number, number, number] = [64, 1, 1];
  dispatchLayout = { x: [0, 1, 2, 3] };
  dispatch: [number, number, number];
  size = true;
  uniforms = 'filterDims : vec2<i32>, strides : vec2<i32>, pads : vec2<i32>, groups : i32,';
  private readonly vec4: boolean;

  constructor(convInfo: backend_util.Conv2DInfo) {
    this.vec4 = convInfo.inChannels % VEC === 0;
    const components = this.vec4 ? VEC : 1;
    this.variableComponents = [components, components];
    this.outputComponent = components;
    this.outputShape = [...convInfo.inShape];
    // Threads, not elements: each covers `components` of them. The backend folds dispatches
    // over 65535 workgroups into y and z, and getGlobalIndex unfolds them.
    const threads = this.outputShape.reduce((a, d) => a * d, 1) / components;
    this.dispatch = [Math.ceil(threads / this.workgroupSize[0]), 1, 1];
    this.shaderKey = `vesselMaxPoolGrad_${this.vec4}`;
  }

  getUserCode(): string {
    const f = this.vec4 ? 'vec4<f32>' : 'f32';
    const u = this.vec4 ? 'vec4<u32>' : 'u32';
    const b = this.vec4 ? 'vec4<bool>' : 'bool';
    return `
      // NaN and -inf by their bits: a compiler may assume ordered comparisons and rewrite
      // !(a >= b) as a < b, which would change what NaN does.
      fn notNaN(v : ${f}) -> ${b} {
        return (bitcast<${u}>(v) & ${u}(0x7fffffffu)) <= ${u}(0x7f800000u);
      }

      fn main(index : i32) {
        if (index < uniforms.size) {
          let group = index % uniforms.groups;
          let pixel = index / uniforms.groups;
          let inH = uniforms.xShape.y;
          let inW = uniforms.xShape.z;
          let col = pixel % inW;
          let row = (pixel / inW) % inH;
          let batchPixel = (pixel / (inW * inH)) * inH * inW;
          let batchOut = (pixel / (inW * inH)) * uniforms.dyShape.y * uniforms.dyShape.z;
          let fh = uniforms.filterDims.x;
          let fw = uniforms.filterDims.y;
          let sh = uniforms.strides.x;
          let sw = uniforms.strides.y;
          let top = uniforms.pads.x;
          let left = uniforms.pads.y;

          let v = x[index];
          // cpu's running maximum starts at -inf and moves only on '>': a window of -inf and
          // NaN gives nobody its gradient.
          let eligible = notNaN(v) & (bitcast<${u}>(v) != ${u}(0xff800000u));

          // Window oh covers input rows oh*sh - top .. oh*sh - top + fh - 1 (likewise columns);
          // the windows holding this row are those with an oh in [ohFirst, ohLast].
          let rowReach = row + top - fh + 1;
          let ohFirst = select(0, (rowReach + sh - 1) / sh, rowReach > 0);
          let ohLast = min(uniforms.dyShape.y - 1, (row + top) / sh);
          let colReach = col + left - fw + 1;
          let owFirst = select(0, (colReach + sw - 1) / sw, colReach > 0);
          let owLast = min(uniforms.dyShape.z - 1, (col + left) / sw);

          var total = ${f}(0.0);
          for (var oh = ohFirst; oh <= ohLast; oh++) {
            let r0 = oh * sh - top;
            let rEnd = min(r0 + fh, inH);
            for (var ow = owFirst; ow <= owLast; ow++) {
              let c0 = ow * sw - left;
              let cEnd = min(c0 + fw, inW);
              var wins = eligible;
              for (var r = max(r0, 0); r < rEnd && any(wins); r++) {
                for (var c = max(c0, 0); c < cEnd; c++) {
                  let q = x[(batchPixel + r * inW + c) * uniforms.groups + group];
                  let ordered = notNaN(q);
                  if (r < row || (r == row && c < col)) {
                    wins = wins & !(ordered & (q >= v));
                  } else if (r != row || c != col) {
                    wins = wins & !(ordered & (q > v));
                  }
                }
              }
              // Adding +0 where the element lost changes no sum that starts at +0 (as cpu's).
              let g = dy[(batchOut + oh * uniforms.dyShape.z + ow) * uniforms.groups + group];
              total = total + select(${f}(0.0), g, wins);
            }
          }
          result[index] = total;
        }
      }
    `;
  }
}

/** The MaxPoolGrad kernel of the webgpu backend: cpu's first-maximum rule, on the GPU. */
export function maxPoolGradWebGpu(
  args: KernelArgs<MaxPoolGradInputs, WebGPUBackend, MaxPoolGradAttrs>,
): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { input: x, dy } = inputs as Record<'input' | 'dy', TensorInfo>;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`MaxPoolGrad on webgpu takes float32 tensors, not ${x.dtype}/${dy.dtype}`);
  }
  const convInfo = poolGradInfo(x.shape, attrs);
  const program = new MaxPoolGradProgram(convInfo);
  const groups = convInfo.inChannels / program.outputComponent;
  const uniforms = [
    { type: 'int32', data: [convInfo.filterHeight, convInfo.filterWidth] },
    { type: 'int32', data: [convInfo.strideHeight, convInfo.strideWidth] },
    { type: 'int32', data: [convInfo.padInfo.top, convInfo.padInfo.left] },
    { type: 'int32', data: [groups] },
  ];
  return backend.runWebGPUProgram(program, [x, dy], 'float32', uniforms);
}

/** Registers maxPoolGradWebGpu for the webgpu backend (see kernels.ts). */
export const maxPoolGradWebGpuConfig = kernelConfig(MaxPoolGrad, 'webgpu', maxPoolGradWebGpu);
