/**
 * Our wasm training kernels. Upstream's wasm backend has no Conv2DBackpropFilter (tfjs issue
 * 8474) and a scalar-loop Conv2DBackpropInput; both are replaced here by compositions of its
 * own XNNPACK convolution. Training a U-Net and a LadderNet-like net (strided convolutions,
 * transposed convolutions, max pooling, nearest upsampling, concatenation, additions) with
 * tf.layers on wasm used no other kernel that wasm lacks.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasmConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputWasmConfig } from './conv2d-backprop-input';

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
];

/** Registers our wasm training kernels (idempotent); returns the kernel names. */
export function registerWasmTrainingKernels(): string[] {
  for (const config of WASM_TRAINING_KERNELS) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  return WASM_TRAINING_KERNELS.map((c) => c.kernelName);
}
