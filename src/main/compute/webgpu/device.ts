/**
 * The webgpu rung: Dawn's Node bindings (the `webgpu` package, prebuilt dawn.node inside it)
 * give this process a navigator.gpu, on which @tensorflow/tfjs-backend-webgpu runs on any
 * Vulkan, Metal or D3D12 GPU without CUDA. This file finds and classifies the adapter, starts
 * tfjs' webgpu backend on it, and watches the device: a lost device or an out-of-memory error
 * is remembered, so the run that meets it ends with a coded error (see assertGpuHealthy) and
 * the next setup walks the ladder again.
 */
import { createRequire } from 'node:module';
import type { BackendRejection, GpuAdapterReport } from '../../../shared/api/app';
import { AppError } from '../../../shared/result';
import { GPU_ERROR_CODES } from '../../../shared/api/errors';

export { GPU_ERROR_CODES } from '../../../shared/api/errors';

const nodeRequire = createRequire(import.meta.url);

/** The parts of the WebGPU API this file uses (the DOM's types are not in the node build). */
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
export interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
  features: { has(name: string): boolean };
  limits: Record<string, number>;
  requestDevice(descriptor?: unknown): Promise<GpuDeviceLike>;
}
export interface GpuDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  addEventListener?(type: 'uncapturederror', listener: (event: { error: unknown }) => void): void;
  onuncapturederror?: ((event: { error: unknown }) => void) | null;
  destroy(): void;
}
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

/** How the rung loads Dawn; tests replace it. */
export interface WebGpuLoader {
  /** Throws when the package is not installed. */
  resolve(): string;
  /** Dawn's module: create(flags) gives a GPU, globals the WebGPU classes tfjs expects. */
  load(): Promise<{ create(flags: string[]): GpuLike; globals: Record<string, unknown> }>;
}

export const DAWN_LOADER: WebGpuLoader = {
  resolve: () => nodeRequire.resolve('webgpu'),
  load: async () => (await import('webgpu')) as never,
};

/** Vendors and device names of CPU implementations of WebGPU. */
const SOFTWARE_DEVICES = /llvmpipe|lavapipe|swiftshader|softpipe|warp|microsoft basic render/i;

/** The report of an adapter, software or not (isFallbackAdapter, or a CPU device's name). */
export function describeAdapter(adapter: GpuAdapterLike): GpuAdapterReport {
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const architecture = info.architecture ?? '';
  const software =
    info.isFallbackAdapter === true ||
    adapter.isFallbackAdapter === true ||
    architecture.toLowerCase() === 'software' ||
    SOFTWARE_DEVICES.test(`${device} ${description}`);
  return {
    vendor,
    architecture,
    device,
    description,
    software,
    maxBufferSize: adapter.limits.maxBufferSize ?? 0,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize ?? 0,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What probing found: the adapter (with its report), or why the rung cannot run. */
export type AdapterProbe =
  | {
      adapter: GpuAdapterLike;
      report: GpuAdapterReport;
      gpu: GpuLike;
      globals: Record<string, unknown>;
    }
  | { rejection: BackendRejection; report?: GpuAdapterReport };

let dawn: { create(flags: string[]): GpuLike; globals: Record<string, unknown> } | null = null;

/**
 * Loads Dawn and asks for a high-performance adapter. A software adapter is refused unless
 * `allowSoftware` (a forced backend): it is slower than our wasm kernels on the same CPU.
 */
export async function probeAdapter(
  allowSoftware: boolean,
  loader: WebGpuLoader = DAWN_LOADER,
): Promise<AdapterProbe> {
  try {
    loader.resolve();
  } catch {
    return {
      rejection: {
        backend: 'webgpu',
        reason: 'not-installed',
        message:
          'The webgpu package (Dawn for Node) is not installed: run npm ci in the app folder.',
      },
    };
  }
  let module: { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    module = loader === DAWN_LOADER && dawn ? dawn : await loader.load();
    if (loader === DAWN_LOADER) dawn = module;
  } catch (error) {
    return {
      rejection: {
        backend: 'webgpu',
        reason: 'load-failed',
        message: `Dawn (dawn.node from the webgpu package) failed to load: ${message(error)}`,
      },
    };
  }
  let adapter: GpuAdapterLike | null;
  let gpu: GpuLike;
  try {
    gpu = module.create([]);
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return {
      rejection: {
        backend: 'webgpu',
        reason: 'no-gpu',
        message: `WebGPU could not look for a GPU: ${message(error)}`,
      },
    };
  }
  if (!adapter) {
    return {
      rejection: {
        backend: 'webgpu',
        reason: 'no-gpu',
        message:
          'WebGPU found no GPU: no Vulkan, Metal or D3D12 driver answered. On Linux install the Vulkan loader (libvulkan1) and your GPU vendor’s Vulkan driver (mesa-vulkan-drivers for AMD and Intel, the NVIDIA driver for NVIDIA).',
      },
    };
  }
  const report = describeAdapter(adapter);
  if (report.software && !allowSoftware) {
    return {
      report,
      rejection: {
        backend: 'webgpu',
        reason: 'software-adapter',
        message: `WebGPU found only a software adapter (${report.vendor} ${report.device}), which runs on the CPU more slowly than wasm; force it with --backend webgpu to use it anyway.`,
      },
    };
  }
  return { adapter, report, gpu, globals: module.globals };
}

/** A fault the device reported; the run in progress ends on it (assertGpuHealthy). */
export interface GpuFault {
  code: (typeof GPU_ERROR_CODES)[keyof typeof GPU_ERROR_CODES];
  message: string;
}

let fault: GpuFault | null = null;
let lost = false;
/** The device in use: a replaced device's late loss (tfjs destroys it on removeBackend) is no fault. */
let watched: GpuDeviceLike | null = null;

/** The first fault since the device started (or since clearGpuFault), or null. */
export function gpuFault(): GpuFault | null {
  return fault;
}

/** Whether the device in use was lost: the next setup must walk the ladder again. */
export function gpuDeviceLost(): boolean {
  return lost;
}

/** Forgets a fault that a run has reported (a lost device stays lost). */
export function clearGpuFault(): void {
  if (!lost) fault = null;
}

/** Throws the fault the device reported, as a coded AppError; a no-op while healthy. */
export function assertGpuHealthy(): void {
  if (fault) throw new AppError(fault.code, fault.message);
}

/** Turns a WebGPU error event's error into a fault. */
export function faultFromError(error: unknown): GpuFault {
  const name = (error as { constructor?: { name?: string } })?.constructor?.name ?? '';
  const text = (error as { message?: string })?.message ?? String(error);
  if (name === 'GPUOutOfMemoryError' || /out of memory|OOM/i.test(text)) {
    return {
      code: GPU_ERROR_CODES.OUT_OF_MEMORY,
      message: `The GPU ran out of memory (${text || 'no detail from the driver'}). Lower the batch size or the tile size, or close other programs that use the GPU.`,
    };
  }
  return {
    code: GPU_ERROR_CODES.GPU_ERROR,
    message: `The GPU driver refused work: ${text}. Run again with --backend wasm and report this.`,
  };
}

/** Watches a device: a loss or an uncaptured error becomes the fault the run ends on. */
export function watchDevice(device: GpuDeviceLike): void {
  watched = device;
  lost = false;
  fault = null;
  void device.lost.then((info) => {
    if (watched !== device) return;
    lost = true;
    fault = {
      code: GPU_ERROR_CODES.DEVICE_LOST,
      message: `The GPU device was lost (${info?.reason ?? 'unknown'}${info?.message ? `: ${info.message}` : ''}). What was running stopped (a training run keeps its checkpoints). The next run uses the GPU again if it is back, else wasm.`,
    };
  });
  const onError = (event: { error: unknown }) => {
    if (watched === device && !fault) fault = faultFromError(event.error);
  };
  if (typeof device.addEventListener === 'function') {
    device.addEventListener('uncapturederror', onError);
  } else {
    device.onuncapturederror = onError;
  }
}

/** The WebGPU limits tfjs' webgpu backend asks for, raised to what the adapter allows. */
const REQUIRED_LIMITS = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
] as const;

/** The device descriptor tfjs' own factory would use for this adapter. */
export function deviceDescriptor(adapter: GpuAdapterLike): {
  requiredFeatures: string[];
  requiredLimits: Record<string, number>;
} {
  const requiredFeatures = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  const requiredLimits: Record<string, number> = {};
  for (const name of REQUIRED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  return { requiredFeatures, requiredLimits };
}
