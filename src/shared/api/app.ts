import { z } from 'zod';
import { event, request } from './define';

/** A compute backend, best first. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Why a backend better than the one in use was not used. */
export interface BackendRejection {
  backend: BackendName;
  /** `not-installed`, `load-failed`, `no-gpu`, `skipped-by-setting`, `init-failed`. */
  reason: 'not-installed' | 'load-failed' | 'no-gpu' | 'skipped-by-setting' | 'init-failed';
  /** The loader's own words, for the person and for bug reports. */
  message: string;
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
