/** What every engine area shares: how the engine was started, its event bus and its services. */
import type { BackendName, BackendReport } from '../../shared/api/app';
import type { ComputeHost, ComputeProcessFactory } from '../compute/host';
import type { EngineEvents } from './events';

export interface EngineOptions {
  /** Which front end started the engine. */
  mode: 'electron' | 'browser' | 'cli';
  appVersion: string;
  /** Electron's version inside the desktop app, null elsewhere. */
  electronVersion: string | null;
  /** Folder of files shipped with the app (models, icons): `resources/` in a checkout. */
  resourcesDir: string;
  /** A backend forced by a setting, a flag or VESSEL_BACKEND; undefined lets the ladder choose. */
  forcedBackend?: { name: BackendName; by: 'setting' | 'flag' | 'env' };
  /** Starts the compute process: Electron's utilityProcess in the app, a fork elsewhere (the default). */
  computeFactory?: ComputeProcessFactory;
}

export interface EngineContext {
  readonly options: EngineOptions;
  readonly events: EngineEvents;
  /** The compute backend report, probed once and cached. */
  backendReport(): Promise<BackendReport>;
  /** The one long-lived compute process (TensorFlow.js), started on first use. */
  compute(): ComputeHost;
}
