import { z } from 'zod';
import { event, request } from './define';

/** A compute backend, best first. */
export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Every backend name, best first (the ladder's order). */
export const BACKEND_NAMES = [
  'tensorflow-gpu',
  'webgpu',
  'tensorflow',
  'wasm',
  'cpu',
] as const satisfies readonly BackendName[];

/** Why a backend better than the one in use was not used. */
export interface BackendRejection {
  backend: BackendName;
  /**
   * `not-installed`, `load-failed`, `no-gpu`, `software-adapter` (WebGPU found only a CPU
   * implementation such as lavapipe or SwiftShader), `device-lost` (the GPU went away during
   * an earlier run), `skipped-by-setting`, `init-failed`.
   */
  reason:
    | 'not-installed'
    | 'load-failed'
    | 'no-gpu'
    | 'software-adapter'
    | 'device-lost'
    | 'skipped-by-setting'
    | 'init-failed';
  /** The loader's own words, for the person and for bug reports. */
  message: string;
}

/** The WebGPU adapter the webgpu rung found (in use or not), as its driver describes it. */
export interface GpuAdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (lavapipe, SwiftShader): never chosen unless forced. */
  software: boolean;
  /** The largest buffer and storage binding the adapter allows, in bytes. */
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export interface BackendReport {
  /** The backend in use, or null while it has not been chosen yet. */
  active: BackendName | null;
  /** How it was chosen: the ladder, or forced by a setting, a flag or VESSEL_BACKEND. */
  chosenBy: 'ladder' | 'setting' | 'flag' | 'env';
  /** Every backend better than the active one, with why it was not used. */
  rejected: BackendRejection[];
  /** Threads (or worker processes) that training uses. */
  threads: number;
  /** The WebGPU adapter, when the webgpu rung was probed and found one (used or not). */
  adapter?: GpuAdapterReport;
}

export interface AppInfo {
  name: string;
  version: string;
  platform: { os: string; arch: string; node: string; electron: string | null };
  /** `electron` in the desktop app, `browser` when served over WebSocket, `cli` from the command line. */
  mode: 'electron' | 'browser' | 'cli';
  backend: BackendReport;
}

export const appRequests = {
  'app.info': request<AppInfo>()(
    z.object({}).strict().default({}),
    'The app version, platform and the compute backend in use, with why each better one was not used.',
  ),
};

export interface LogEvent {
  level: 'info' | 'warn' | 'error';
  message: string;
  time: string;
}

export const appEvents = {
  'app.log': event<LogEvent>('A line from the engine for the status bar and the log panel.'),
};
