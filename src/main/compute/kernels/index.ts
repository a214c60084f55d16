/**
 * Our wasm training kernels. Upstream's wasm backend has no Conv2DBackpropFilter (tfjs issue
 * 8474) and a scalar-loop Conv2DBackpropInput; both are replaced here by compositions of its
 * own XNNPACK convolution. Training a U-Net and a LadderNet-like net (strided convolutions,
 * transposed convolutions, max pooling, nearest upsampling, concatenation, additions) with
 * tf.layers on wasm used no other kernel that wasm lacks. ResizeNearestNeighborGrad is ours on
 * both wasm and cpu: cpu's is wrong for batches of more than one image.
 */
import { type KernelConfig } from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasmConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputWasmConfig } from './conv2d-backprop-input';
import { resizeNearestGradCpuConfig, resizeNearestGradWasmConfig } from './resize-nearest-grad';
import { registerWinogradKernels } from '../winograd/kernels';
import { registerKernelsReplacing as registerReplacing } from './register';

export { conv2dBackpropFilterWasm } from './conv2d-backprop-filter';
export {
  conv2dBackpropInputWasm,
  planPhaseAxis,
  combinedPhaseFilter,
} from './conv2d-backprop-input';

/** Every kernel we register for the wasm backend, replacing upstream's where it has one. */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterWasmConfig,
  conv2dBackpropInputWasmConfig,
  resizeNearestGradWasmConfig,
];

/** Fixes for the cpu backend's own kernels (the last rung of the ladder must train right too). */
export const CPU_KERNEL_FIXES: readonly KernelConfig[] = [resizeNearestGradCpuConfig];

/**
 * Registers our wasm training kernels and puts our WebAssembly module (../winograd) in front of
 * the kernels it speeds up: Conv2D, FusedConv2D, MaxPoolGrad, Concat, SplitV, Sum and
 * ResizeNearestNeighborGrad (idempotent); returns the kernel names.
 */
export function registerWasmTrainingKernels(): string[] {
  return [...registerReplacing(WASM_TRAINING_KERNELS), ...registerWinogradKernels()];
}

/** Registers our fixes of cpu kernels (idempotent); returns the kernel names. */
export function registerCpuKernelFixes(): string[] {
  return registerReplacing(CPU_KERNEL_FIXES);
}
