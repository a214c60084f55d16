/**
 * Starts tfjs' webgpu backend on the adapter probeAdapter found, with a device we create and
 * watch (device.ts), and registers our WGSL kernels in front of upstream's.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendRejection, GpuAdapterReport } from '../../../shared/api/app';
import { deviceDescriptor, probeAdapter, watchDevice, type WebGpuLoader } from './device';

/** Below wasm's 2 and cpu's 1: tfjs never picks webgpu by itself; only the ladder does. */
const WEBGPU_PRIORITY = 0;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Probes the adapter (a software one only when `allowSoftware`), then registers and sets the
 * webgpu backend. Returns the adapter's report and, when the rung cannot run, why.
 */
export async function startWebGpuBackend(
  allowSoftware: boolean,
  loader: WebGpuLoader,
): Promise<{ rejection: BackendRejection | null; report?: GpuAdapterReport }> {
  const probe = await probeAdapter(allowSoftware, loader);
  if ('rejection' in probe) return probe;
  const { adapter, report, gpu, globals } = probe;
  try {
    // tfjs-backend-webgpu reads navigator.gpu and the WebGPU classes (GPUBufferUsage, ...) from
    // globalThis, and registers itself on import only when navigator.gpu exists.
    Object.assign(globalThis, globals);
    const scope = globalThis as { navigator?: { gpu?: unknown } };
    if (scope.navigator === undefined) {
      Object.defineProperty(globalThis, 'navigator', {
        value: {},
        configurable: true,
        writable: true,
      });
    }
    (scope.navigator as { gpu?: unknown }).gpu = gpu;
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    const { registerWebGpuKernels } = await import('./kernels');
    // Replace upstream's factory (which asks for its own adapter) with one on ours, so the
    // adapter we classified is the one that runs, and every device is watched.
    if (tf.getBackend() === 'webgpu') await tf.setBackend('cpu');
    tf.removeBackend('webgpu');
    tf.registerBackend(
      'webgpu',
      async () => {
        const device = await adapter.requestDevice(deviceDescriptor(adapter));
        watchDevice(device);
        return new WebGPUBackend(
          device as unknown as ConstructorParameters<typeof WebGPUBackend>[0],
          adapter.info as never,
        );
      },
      WEBGPU_PRIORITY,
    );
    if (!(await tf.setBackend('webgpu'))) {
      return {
        report,
        rejection: {
          backend: 'webgpu',
          reason: 'init-failed',
          message: `The webgpu backend did not initialise on ${report.vendor} ${report.device}.`,
        },
      };
    }
    registerWebGpuKernels();
    return { rejection: null, report };
  } catch (error) {
    return {
      report,
      rejection: {
        backend: 'webgpu',
        reason: 'init-failed',
        message: `The webgpu backend failed on ${report.vendor} ${report.device}: ${describe(error)}`,
      },
    };
  }
}
