/**
 * Starts TensorFlow.js in this process on the best backend the ladder finds (backends.ts):
 * imports tfjs, tries each rung, sets the backend, registers our wasm training kernels.
 * Everyone who runs tfjs in Node calls setupCompute first; it is idempotent.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import type {
  BackendName,
  BackendRejection,
  BackendReport,
  GpuAdapterReport,
} from '../../shared/api/app';
import {
  chooseBackend,
  forcedBackendFromEnv,
  probeGpuVisible,
  probeNativeBackend,
  probeWasmFiles,
  toBackendReport,
} from './backends';
import { DAWN_LOADER, gpuDeviceLost, probeAdapter, type WebGpuLoader } from './webgpu/device';

export interface ForcedBackend {
  name: BackendName;
  by: 'setting' | 'flag' | 'env';
}

export interface ComputeOptions {
  /**
   * Threads for the wasm backend (XNNPACK's pool). Default: VESSEL_WASM_THREADS, else the
   * number of cores (at most 8, the pthread pool upstream's build starts). 1 uses the
   * single-threaded SIMD build.
   */
  wasmThreads?: number;
}

/** How the native rungs are found and loaded; tests replace them. */
export interface RungStarters {
  resolveNative(pkg: string): string;
  loadNative(pkg: string): unknown;
  /** Where the NVIDIA driver lists GPUs (see probeGpuVisible). */
  gpuDirs?: readonly string[];
  /** How the webgpu rung loads Dawn (webgpu/device.ts). */
  webgpu?: WebGpuLoader;
}

const nodeRequire = createRequire(import.meta.url);
const NODE_STARTERS: RungStarters = {
  resolveNative: (pkg) => nodeRequire.resolve(pkg),
  loadNative: (pkg) => nodeRequire(pkg),
};

const MAX_WASM_THREADS = 8;
/** The priority tfjs registers its wasm backend with. */
const WASM_PRIORITY = 2;

/** The wasm thread count from options, VESSEL_WASM_THREADS, or the machine. */
export function wasmThreadCount(
  options: ComputeOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): number {
  const requested =
    options.wasmThreads ?? (env.VESSEL_WASM_THREADS ? Number(env.VESSEL_WASM_THREADS) : NaN);
  const count = Number.isInteger(requested) && requested > 0 ? requested : os.cpus().length;
  return Math.max(1, Math.min(MAX_WASM_THREADS, count));
}

let current: { key: string; report: Promise<BackendReport> } | null = null;
let settled: BackendReport | null = null;

/** The report of the backend set up in this process, or null before setupCompute finished. */
export function currentComputeReport(): BackendReport | null {
  return settled;
}

function describe(error: unknown): string {
  return error instanceof Error
    ? error.message
    : String((error as { message?: string })?.message ?? error);
}

/**
 * Walks the ladder, sets the tfjs backend and registers our wasm kernels; returns what is in
 * use and why each better rung is not. Calling it again with the same choice returns the
 * same report; a different forced backend switches.
 */
export async function setupCompute(
  forced?: ForcedBackend,
  options: ComputeOptions = {},
  starters: RungStarters = NODE_STARTERS,
): Promise<BackendReport> {
  const effective = forced ?? forcedBackendFromEnv();
  const threads = wasmThreadCount(options);
  const key = `${effective?.name ?? 'ladder'}/${threads}/${effective?.by ?? 'ladder'}`;
  // Replaced starters (tests) always walk the ladder afresh, and so does a setup after the GPU
  // device was lost: the adapter may be gone, and the webgpu backend needs a new device.
  if (starters === NODE_STARTERS && current?.key === key && !gpuDeviceLost()) {
    return current.report;
  }
  const report = startLadder(effective, threads, starters);
  current = { key, report };
  report.then(
    (r) => {
      if (current?.report === report) settled = r;
    },
    () => {
      if (current?.report === report) current = null;
    },
  );
  return report;
}

async function startLadder(
  forced: ForcedBackend | undefined,
  threads: number,
  starters: RungStarters,
): Promise<BackendReport> {
  const tf = await import('@tensorflow/tfjs');
  const { registerCpuKernelFixes, registerWasmTrainingKernels } = await import('./kernels');
  // Whatever rung wins, cpu stays registered (tfjs falls back to it): keep it correct.
  registerCpuKernelFixes();
  let activeThreads = 1;
  let adapter: GpuAdapterReport | undefined;

  /** Makes `tfName` tfjs's backend; tfjs refusing or throwing is an init-failed `backend`. */
  const activate = async (
    backend: BackendName,
    tfName: string,
  ): Promise<BackendRejection | null> => {
    try {
      if (await tf.setBackend(tfName)) return null;
      return {
        backend,
        reason: 'init-failed',
        message: `The ${tfName} backend did not initialise.`,
      };
    } catch (error) {
      return {
        backend,
        reason: 'init-failed',
        message: `The ${tfName} backend failed: ${describe(error)}`,
      };
    }
  };

  const startNative = async (
    backend: 'tensorflow-gpu' | 'tensorflow',
  ): Promise<BackendRejection | null> => {
    if (backend === 'tensorflow-gpu') {
      const missing = probeNativeBackend(backend, () => null, starters.resolveNative);
      if (missing) return missing;
      const noGpu = probeGpuVisible(starters.gpuDirs);
      if (noGpu) return noGpu;
    }
    const rejection = probeNativeBackend(backend, starters.loadNative, starters.resolveNative);
    if (rejection) return rejection;
    const failed = await activate(backend, 'tensorflow');
    if (failed) return failed;
    activeThreads = os.cpus().length;
    return null;
  };

  const startWasm = async (): Promise<BackendRejection | null> => {
    const missing = probeWasmFiles();
    if (missing) return missing;
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (threads > 1 && tf.getBackend() !== 'wasm') {
      const { registerThreadedWasmBackend } = await import('./parallel/threaded-wasm');
      const upstream = tf.findBackendFactory('wasm');
      let started: boolean;
      try {
        registerThreadedWasmBackend(threads);
        started = await tf.setBackend('wasm');
      } catch {
        started = false;
      }
      if (!started && upstream) {
        // The threaded build would not start here: fall back to upstream's one thread.
        tf.removeBackend('wasm');
        tf.registerBackend('wasm', upstream, WASM_PRIORITY);
      }
    }
    if (tf.getBackend() !== 'wasm') {
      const failed = await activate('wasm', 'wasm');
      if (failed) return failed;
    }
    registerWasmTrainingKernels();
    activeThreads = Math.max(1, wasm.getThreadsCount());
    return null;
  };

  const startGpu = async (): Promise<BackendRejection | null> => {
    const wasLost = gpuDeviceLost();
    const { startWebGpuBackend } = await import('./webgpu/start');
    const started = await startWebGpuBackend(
      forced?.name === 'webgpu',
      starters.webgpu ?? DAWN_LOADER,
    );
    adapter = started.report;
    if (started.rejection && wasLost && started.rejection.reason === 'no-gpu') {
      return { ...started.rejection, reason: 'device-lost' };
    }
    return started.rejection;
  };

  const startCpu = async (): Promise<BackendRejection | null> => {
    const failed = await activate('cpu', 'cpu');
    if (failed) return failed;
    activeThreads = 1;
    return null;
  };

  const choice = await chooseBackend(async (backend) => {
    if (backend === 'tensorflow-gpu' || backend === 'tensorflow') return startNative(backend);
    if (backend === 'webgpu') return startGpu();
    if (backend === 'wasm') return startWasm();
    return startCpu();
  }, forced?.name);
  await tf.ready();
  return toBackendReport(choice, forced?.by ?? 'ladder', activeThreads, adapter);
}

/**
 * The report setupCompute would give, from cheap checks only (packages and files on disk, a
 * visible GPU), without importing tfjs (which alone takes a second or more): for `app.info`
 * in a process that does not run tfjs itself. Once setupCompute ran here, its real report.
 */
export async function predictBackendReport(
  forced?: ForcedBackend,
  options: ComputeOptions = {},
): Promise<BackendReport> {
  const effective = forced ?? forcedBackendFromEnv();
  if (settled && current?.key.startsWith(`${effective?.name ?? 'ladder'}/`)) return settled;
  let adapter: GpuAdapterReport | undefined;
  const choice = await chooseBackend(async (backend) => {
    if (backend === 'tensorflow-gpu' || backend === 'tensorflow') {
      const missing = probeNativeBackend(backend, () => null);
      if (missing || backend === 'tensorflow') return missing;
      return probeGpuVisible();
    }
    if (backend === 'webgpu') {
      // Asking Dawn for an adapter is cheap (no device, no tfjs); the GPU object is dropped.
      const probe = await probeAdapter(effective?.name === 'webgpu');
      adapter = probe.report;
      return 'rejection' in probe ? probe.rejection : null;
    }
    if (backend === 'wasm') return probeWasmFiles();
    return null;
  }, effective?.name);
  const threads =
    choice.active === 'wasm'
      ? wasmThreadCount(options)
      : choice.active === 'cpu' || choice.active === 'webgpu'
        ? 1
        : os.cpus().length;
  return toBackendReport(choice, effective?.by ?? 'ladder', threads, adapter);
}
