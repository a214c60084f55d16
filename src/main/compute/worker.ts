/**
 * The compute process entry. It runs under child_process.fork (CLI, browser mode, tests) or as
 * an Electron utilityProcess (the desktop app); both give it a parent port. It answers each
 * request exactly once with a Result, streams progress for it, and stops it on a cancel message.
 * Heavy modules (tfjs, training) are imported on first use, so the process is ready at once.
 */
import { AppError, COMMON_ERROR_CODES, toErrorInfo, type Result } from '../../shared/result';
import {
  COMPUTE_ERROR_CODES,
  COMPUTE_METHODS,
  isHostMessage,
  type ComputeInput,
  type ComputeMethod,
  type ComputeOutput,
  type ComputeProgress,
  type WorkerMessage,
} from './protocol';

/** What a method implementation gets besides its input. */
export interface WorkerRequestContext<P> {
  /** Aborted when the host sends cancel for this request. */
  signal: AbortSignal;
  progress(payload: P): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

type MethodImplementations = {
  [M in ComputeMethod]: (
    input: ComputeInput<M>,
    ctx: WorkerRequestContext<ComputeProgress<M>>,
  ) => Promise<ComputeOutput<M>>;
};

const startedAt = Date.now();

const implementations: MethodImplementations = {
  'compute.ping': async (input) => ({
    pid: process.pid,
    node: process.versions.node,
    echo: input.echo ?? '',
    uptimeSeconds: (Date.now() - startedAt) / 1000,
  }),
  'compute.setup': async (input) => {
    const { setupCompute } = await import('./setup');
    return setupCompute(input.backend ? { name: input.backend, by: 'flag' } : undefined);
  },
  'train.run': async (input, ctx) => {
    const { runTrainJob } = await import('./train/run-job');
    return runTrainJob(input, ctx);
  },
  'predict.dataset': async (input, ctx) => {
    const { predictDataset } = await import('./predict-dataset');
    return predictDataset(input, ctx);
  },
  'predict.image': async (input, ctx) => {
    const { predictImage } = await import('./predict-image');
    return predictImage(input, ctx);
  },
};

interface ParentPort {
  post(message: WorkerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** The channel to the host: Electron's parentPort in a utilityProcess, the fork IPC channel otherwise. */
function connectToHost(): ParentPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      post: (message) => electronPort.postMessage(message),
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data)),
    };
  }
  if (typeof process.send === 'function') {
    // The host going away (its process died) must not leave an orphan burning CPU.
    process.on('disconnect', () => process.exit(0));
    return {
      post: (message) => {
        if (process.connected) process.send?.(message);
      },
      onMessage: (listener) => process.on('message', listener),
    };
  }
  throw new Error(
    'worker.ts is the compute process entry: start it through ComputeHost, not directly.',
  );
}

/** The part of Electron's utilityProcess parentPort this file uses (no electron import here). */
interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function serve(port: ParentPort): void {
  const running = new Map<number, AbortController>();

  const run = async (id: number, method: string, input: unknown): Promise<Result<unknown>> => {
    if (!(COMPUTE_METHODS as readonly string[]).includes(method)) {
      return {
        ok: false,
        error: {
          code: COMPUTE_ERROR_CODES.UNKNOWN_METHOD,
          message: `The compute process does not know "${method}": the app and its compute process come from different builds. Reinstall the app.`,
        },
      };
    }
    const controller = new AbortController();
    running.set(id, controller);
    const ctx: WorkerRequestContext<unknown> = {
      signal: controller.signal,
      progress: (payload) => port.post({ kind: 'progress', id, payload }),
      log: (level, message) => port.post({ kind: 'log', level, message }),
    };
    try {
      const implementation = implementations[method as ComputeMethod] as (
        input: unknown,
        ctx: WorkerRequestContext<unknown>,
      ) => Promise<unknown>;
      return { ok: true, value: await implementation(input, ctx) };
    } catch (error) {
      if (controller.signal.aborted && !(error instanceof AppError)) {
        return {
          ok: false,
          error: { code: COMMON_ERROR_CODES.CANCELLED, message: `${method} was cancelled.` },
        };
      }
      return { ok: false, error: toErrorInfo(error) };
    } finally {
      running.delete(id);
    }
  };

  port.onMessage((message) => {
    if (!isHostMessage(message)) {
      port.post({
        kind: 'log',
        level: 'warn',
        message: 'The compute process ignored a malformed message.',
      });
      return;
    }
    if (message.kind === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    void run(message.id, message.method, message.input).then((result) => {
      try {
        port.post({ kind: 'response', id: message.id, result });
      } catch (error) {
        // A value structured clone cannot carry: still answer, with why.
        port.post({
          kind: 'response',
          id: message.id,
          result: {
            ok: false,
            error: {
              code: COMMON_ERROR_CODES.INTERNAL,
              message: `Could not send the result of ${message.method}: ${(error as Error).message}`,
            },
          },
        });
      }
    });
  });
  port.post({ kind: 'ready', pid: process.pid });
}

// Ctrl+C in a terminal signals the whole process group, this process included: the host turns
// it into a cancel message (keeping the best checkpoint), so the signal itself is ignored here.
process.on('SIGINT', () => {});

serve(connectToHost());
