import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';

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
