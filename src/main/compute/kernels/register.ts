import {
  getKernel,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';

/** What tfjs passes one of our kernel functions: its inputs, backend and attributes, typed. */
export interface KernelArgs<Inputs, Backend, Attrs> {
  inputs: Inputs;
  backend: Backend;
  attrs: Attrs;
}

/**
 * The KernelConfig that registers `kernelFunc` for `kernelName` on `backendName`. Our kernel
 * functions take their own kernel's typed arguments; tfjs's KernelFunc takes any kernel's.
 */
export function kernelConfig<Inputs, Backend, Attrs>(
  kernelName: string,
  backendName: string,
  kernelFunc: (args: KernelArgs<Inputs, Backend, Attrs>) => TensorInfo,
): KernelConfig {
  return { kernelName, backendName, kernelFunc: kernelFunc as unknown as KernelFunc };
}

/** Registers each kernel in front of its backend's own (idempotent); returns the kernel names. */
export function registerKernelsReplacing(configs: readonly KernelConfig[]): string[] {
  for (const config of configs) {
    const current = getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) unregisterKernel(config.kernelName, config.backendName);
    registerKernel(config);
  }
  return configs.map((c) => c.kernelName);
}
