/**
 * The Electron side of the compute process: ComputeHost (compute/host.ts) takes a
 * factory, and in the desktop app that factory starts worker.js as a utilityProcess, which
 * Chromium's process model owns and ends with the app. Under plain Node the host's own
 * child_process.fork factory is used.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import {
  defaultWorkerPath,
  forkComputeProcess,
  type ComputeHost,
  type ComputeProcess,
  type ComputeProcessFactory,
} from '../compute/host';

export interface UtilityComputeOptions {
  /** The built worker entry; defaults to the host's defaultWorkerPath() (out/main/worker.js). */
  modulePath?: string;
  /** Extra environment for the process. */
  env?: NodeJS.ProcessEnv;
  /** Starts the process; Electron's utilityProcess.fork unless a test gives another. */
  fork?: (modulePath: string, args: string[], options: Electron.ForkOptions) => UtilityProcess;
}

/** The desktop app's factory: one utilityProcess per start, adapted to ComputeProcess. */
export function utilityComputeProcess(options: UtilityComputeOptions = {}): ComputeProcessFactory {
  const start =
    options.fork ?? ((path, args, forkOptions) => utilityProcess.fork(path, args, forkOptions));
  return () => {
    const modulePath = options.modulePath ?? defaultWorkerPath();
    const child = start(modulePath, [], {
      serviceName: 'Vessel Studio Compute',
      env: { ...process.env, ...options.env },
      // The compute process's own output goes to main's stderr: tfjs prints its banners there.
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    let exited = false;
    const exitListeners: Array<(code: number | null, signal: string | null) => void> = [];
    const finish = (code: number | null) => {
      if (exited) return;
      exited = true;
      for (const listener of exitListeners) listener(code, null);
    };
    child.on('exit', (code) => finish(code));
    // A fatal error (out of memory, a native crash) is followed by 'exit'; it is only logged here.
    child.on('error', (type, location) => {
      console.error(`The compute process failed: ${type} at ${location}`);
    });
    const computeProcess: ComputeProcess = {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (!exited) child.postMessage(message);
      },
      onMessage(listener) {
        child.on('message', listener);
      },
      onExit(listener) {
        exitListeners.push(listener);
      },
      kill() {
        if (!exited) child.kill();
      },
    };
    return computeProcess;
  };
}

/**
 * The factory for the runtime this code runs in: utilityProcess inside Electron's main process,
 * child_process.fork under plain Node (the CLI, browser mode, tests).
 */
export function computeProcessFactoryForRuntime(modulePath?: string): ComputeProcessFactory {
  const inElectronMain =
    typeof process.versions.electron === 'string' &&
    (process as NodeJS.Process & { type?: string }).type === 'browser';
  return inElectronMain
    ? utilityComputeProcess({ modulePath })
    : forkComputeProcess(modulePath === undefined ? {} : { modulePath });
}

/**
 * Tells the person when the compute process crashed (the host restarts it): the crash must be
 * seen, never a silent hang. Returns the function that stops watching.
 */
export function reportComputeCrashes(
  host: Pick<ComputeHost, 'on'>,
  show: (title: string, message: string) => void,
): () => void {
  return host.on('crash', (crash) => {
    show('The compute process stopped', crash.error.message);
  });
}
