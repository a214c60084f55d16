/**
 * The backend ladder, best first: tensorflow through tfjs-node-gpu (with a CUDA GPU visible),
 * webgpu through Dawn (a hardware adapter; see webgpu/device.ts), tensorflow through
 * tfjs-node, wasm with our training kernels, cpu. Every rung that is not
 * used keeps why, so the UI and `info` can tell the person.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  BACKEND_NAMES,
  type BackendName,
  type BackendRejection,
  type BackendReport,
  type GpuAdapterReport,
} from '../../shared/api/app';
import { AppError } from '../../shared/result';
import { BACKEND_ERROR_CODES } from '../../shared/api/errors';

export { BACKEND_ERROR_CODES } from '../../shared/api/errors';

export const BACKEND_LADDER: readonly BackendName[] = BACKEND_NAMES;

const NATIVE_PACKAGES: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const nodeRequire = createRequire(import.meta.url);

/** Parses VESSEL_BACKEND-style names; returns null for anything that is not a backend. */
export function parseBackendName(value: string | undefined): BackendName | null {
  if (value === undefined) return null;
  const name = value.trim().toLowerCase();
  return (BACKEND_LADDER as readonly string[]).includes(name) ? (name as BackendName) : null;
}

function isModuleNotFound(error: unknown, pkg: string): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(pkg);
}

/**
 * Checks one native rung without initialising TensorFlow: is the package there, and does its
 * binding load. Returns null when the rung is usable, or why it is not.
 */
export function probeNativeBackend(
  backend: 'tensorflow-gpu' | 'tensorflow',
  load: (pkg: string) => unknown = nodeRequire,
  resolve: (pkg: string) => string = nodeRequire.resolve,
): BackendRejection | null {
  const pkg = NATIVE_PACKAGES[backend] as string;
  try {
    resolve(pkg);
  } catch {
    return {
      backend,
      reason: 'not-installed',
      message: `${pkg} is not installed (its install downloads libtensorflow, which needs network access beyond the npm registry).`,
    };
  }
  try {
    load(pkg);
  } catch (error) {
    if (isModuleNotFound(error, pkg)) {
      return { backend, reason: 'not-installed', message: `${pkg} is not installed.` };
    }
    return {
      backend,
      reason: 'load-failed',
      message: `${pkg} failed to load: ${(error as Error).message ?? String(error)}`,
    };
  }
  return null;
}

/** Where Linux lists NVIDIA GPUs the driver sees; tfjs-node-gpu needs one of them. */
const NVIDIA_GPU_DIRS = ['/proc/driver/nvidia/gpus'];

/**
 * Whether a CUDA GPU is visible (the NVIDIA driver lists one), without loading TensorFlow:
 * tfjs-node-gpu on a machine without one runs on the CPU at best. Returns why not, or null.
 */
export function probeGpuVisible(
  dirs: readonly string[] = NVIDIA_GPU_DIRS,
): BackendRejection | null {
  for (const dir of dirs) {
    try {
      if (fs.readdirSync(dir).length > 0) return null;
    } catch {
      // not there: try the next place
    }
  }
  return {
    backend: 'tensorflow-gpu',
    reason: 'no-gpu',
    message: `No NVIDIA GPU is visible (nothing in ${dirs.join(', ')}): tfjs-node-gpu needs one, with CUDA 11.2 and cuDNN 8.1.`,
  };
}

/** The SIMD build of the wasm backend; present wherever the package installed. */
export const WASM_BINARY = 'tfjs-backend-wasm-simd.wasm';

/**
 * Checks the wasm rung without starting it: WebAssembly in this runtime and the package with
 * its binary on disk. Returns null when it should start, or why not.
 */
export function probeWasmFiles(
  resolve: (pkg: string) => string = nodeRequire.resolve,
): BackendRejection | null {
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object') {
    return { backend: 'wasm', reason: 'load-failed', message: 'This runtime has no WebAssembly.' };
  }
  let main: string;
  try {
    main = resolve('@tensorflow/tfjs-backend-wasm');
  } catch {
    return {
      backend: 'wasm',
      reason: 'not-installed',
      message: '@tensorflow/tfjs-backend-wasm is not installed: run npm ci in the app folder.',
    };
  }
  const binary = path.join(path.dirname(main), WASM_BINARY);
  if (!fs.existsSync(binary)) {
    return {
      backend: 'wasm',
      reason: 'load-failed',
      message: `${binary} is missing: reinstall @tensorflow/tfjs-backend-wasm (npm ci).`,
    };
  }
  return null;
}

/** A backend forced through the environment (VESSEL_BACKEND), or undefined; throws on a bad name. */
export function forcedBackendFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): { name: BackendName; by: 'env' } | undefined {
  const value = env.VESSEL_BACKEND;
  if (value === undefined || value.trim() === '') return undefined;
  const name = parseBackendName(value);
  if (name === null) {
    throw new AppError(
      BACKEND_ERROR_CODES.BAD_BACKEND_NAME,
      `VESSEL_BACKEND must be one of ${BACKEND_LADDER.join(', ')}; got "${value}".`,
    );
  }
  return { name, by: 'env' };
}

export interface LadderChoice {
  active: BackendName;
  rejected: BackendRejection[];
}

/**
 * Walks the ladder from the top. `probe` answers for each rung (null = usable); a forced
 * backend skips the rungs above it with `skipped-by-setting`.
 */
export async function chooseBackend(
  probe: (backend: BackendName) => Promise<BackendRejection | null>,
  forced?: BackendName,
): Promise<LadderChoice> {
  const rejected: BackendRejection[] = [];
  for (const backend of BACKEND_LADDER) {
    if (forced !== undefined && backend !== forced) {
      if (BACKEND_LADDER.indexOf(backend) < BACKEND_LADDER.indexOf(forced)) {
        rejected.push({
          backend,
          reason: 'skipped-by-setting',
          message: `Not tried: the backend was forced to ${forced}.`,
        });
      }
      continue;
    }
    const rejection = await probe(backend);
    if (rejection === null) return { active: backend, rejected };
    rejected.push(rejection);
    if (forced !== undefined) break;
  }
  const last = rejected[rejected.length - 1];
  throw new AppError(
    BACKEND_ERROR_CODES.NO_BACKEND,
    `No compute backend could start${forced ? ` (forced: ${forced}; drop --backend or VESSEL_BACKEND to let the ladder choose)` : ''}: ${last?.message ?? 'unknown reason'}`,
    { rejected },
  );
}

/** The report `app.info` shows, from a ladder choice. */
export function toBackendReport(
  choice: LadderChoice,
  chosenBy: BackendReport['chosenBy'],
  threads: number,
  adapter?: GpuAdapterReport,
): BackendReport {
  const report: BackendReport = {
    active: choice.active,
    chosenBy,
    rejected: choice.rejected,
    threads,
  };
  if (adapter) report.adapter = adapter;
  return report;
}
