/**
 * Our WGSL kernels for the webgpu backend, registered in front of upstream's where the profile
 * of a training step or an inference showed upstream's to be slow, or where upstream's results
 * differ from cpu's and wasm's by more than rounding (MaxPoolGrad's tie rule). Each is checked
 * against the cpu backend (webgpu/*.test.ts) like the wasm module's kernels.
 */
import type { KernelConfig } from '@tensorflow/tfjs';
import { registerKernelsReplacing } from '../kernels/register';
import { conv2dBackpropFilterWebGpuConfig } from './conv2d-backprop-filter';
import { maxPoolGradWebGpuConfig } from './max-pool-grad';

/** Every kernel we register for the webgpu backend, replacing upstream's. */
export const WEBGPU_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterWebGpuConfig,
  maxPoolGradWebGpuConfig,
];

/** Registers our webgpu kernels (idempotent); returns their names. */
export function registerWebGpuKernels(): string[] {
  return registerKernelsReplacing(WEBGPU_KERNELS);
}
