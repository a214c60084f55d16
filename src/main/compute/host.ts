/**
 * ComputeHost owns the one long-lived compute process where TensorFlow.js runs (see
 * ../shared/DESIGN.md: a busy main process freezes every window, and tfjs is fragile in worker
 * threads). It sends typed requests with ids, routes progress events back to their caller,
 * cancels by message, and turns a crash into rejected requests plus a `crash` event, never a hang.
 *
 * How the process is started is a small factory, so the Electron shell can plug in
 * `utilityProcess.fork` while the CLI, browser mode and tests use `child_process.fork`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, COMMON_ERROR_CODES, type ErrorInfo, type Result } from '../../shared/result';
import {
  COMPUTE_ERROR_CODES,
  isWorkerMessage,
  type ComputeInput,
  type ComputeMethod,
  type ComputeOutput,
  type ComputeProgress,
  type HostMessage,
  type WorkerMessage,
} from './protocol';

/** A started compute process, whatever started it. */
export interface ComputeProcess {
  /** The OS process id once known (used for crash reports and tests). */
  readonly pid: number | undefined;
  /** Sends one message (structured clone: typed arrays allowed). */
  send(message: HostMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has ended, for whatever reason. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Ends the process now. */
  kill(): void;
}

/** Starts a compute process running worker.ts (or its built .js). */
export type ComputeProcessFactory = () => ComputeProcess;

const here = path.dirname(fileURLToPath(import.meta.url));

/** The worker entry beside this file: worker.js when built, worker.ts (through tsx) in a checkout. */
export function defaultWorkerPath(): string {
  const built = path.join(here, 'worker.js');
  return existsSync(built) ? built : path.join(here, 'worker.ts');
}

export interface ForkOptions {
  /** Module to run; defaults to defaultWorkerPath(). */
  modulePath?: string;
  /** Extra environment for the child. */
  env?: NodeJS.ProcessEnv;
  /**
   * Where the child's stdout goes. `stderr` (default) keeps the parent's stdout clean, so the
   * CLI's --json promise (exactly one object on stdout) holds whatever tfjs prints.
   */
  stdout?: 'stderr' | 'inherit' | 'ignore';
}

/**
 * Lines the compute process prints that say nothing to a user: Dawn (the WebGPU rung) reports on
 * every adapter request that it lowered two limits of Mesa's lavapipe and other drivers that
 * advertise a million dynamic buffers. `info` still names the adapter.
 */
export const COMPUTE_NOISE: readonly RegExp[] = [
  /^Warning: maxDynamic(?:Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/,
];

/** Copies a child's output to `to` line by line, leaving out the lines in COMPUTE_NOISE. */
export function forwardWithoutNoise(
  from: NodeJS.ReadableStream,
  to: { write(text: string): unknown },
): void {
  let pending = '';
  const emit = (line: string) => {
    if (!COMPUTE_NOISE.some((re) => re.test(line.replace(/\r$/, '')))) to.write(`${line}\n`);
  };
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      emit(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  });
  from.on('end', () => {
    if (pending !== '') to.write(pending);
    pending = '';
  });
}

/** The plain-Node factory: child_process.fork, with tsx as loader when the entry is TypeScript. */
export function forkComputeProcess(options: ForkOptions = {}): ComputeProcessFactory {
  return () => {
    const modulePath = options.modulePath ?? defaultWorkerPath();
    const execArgv = modulePath.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const stdout = options.stdout ?? 'stderr';
    const child: ChildProcess = fork(modulePath, [], {
      execArgv,
      env: { ...process.env, ...options.env },
      serialization: 'advanced',
      // Output meant for the parent's stderr passes through the noise filter (see below).
      stdio: ['ignore', stdout === 'stderr' ? 'pipe' : stdout, 'pipe', 'ipc'],
    });
    if (child.stdout) forwardWithoutNoise(child.stdout, process.stderr);
    if (child.stderr) forwardWithoutNoise(child.stderr, process.stderr);
    let exited = false;
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (!exited && child.connected) child.send(message);
      },
      onMessage(listener) {
        child.on('message', listener);
      },
      onExit(listener) {
        // 'error' covers a fork that never started; 'exit' everything else. Report once.
        const done = (code: number | null, signal: string | null) => {
          if (exited) return;
          exited = true;
          listener(code, signal);
        };
        child.on('exit', (code, signal) => done(code, signal));
        child.on('error', () => {
          if (child.exitCode === null && child.pid === undefined) done(null, null);
        });
      },
      kill() {
        if (!exited) child.kill('SIGKILL');
      },
    };
  };
}

/** What the host tells its listeners. */
export interface ComputeHostEvents {
  /** The process is up and answering (after a start or a restart). */
  ready: { pid: number | undefined; restarts: number };
  /** The process ended while the host was not being disposed: pending requests were rejected. */
  crash: {
    pid: number | undefined;
    code: number | null;
    signal: string | null;
    pending: ComputeMethod[];
    error: ErrorInfo;
  };
  /** The process ended (crash or dispose). */
  exit: { pid: number | undefined; code: number | null; signal: string | null };
  /** A line the worker logged. */
  log: { level: 'info' | 'warn' | 'error'; message: string };
}

export interface ComputeHostOptions {
  /** Starts the process; defaults to forkComputeProcess(). */
  factory?: ComputeProcessFactory;
  /** Start a new process right after a crash (default true); the next request starts one anyway. */
  restartOnCrash?: boolean;
  /** How long the process may take to say `ready` (default 60 s: tfjs and tsx load slowly on a busy machine). */
  startTimeoutMs?: number;
}

export interface RequestOptions<P> {
  onProgress?: (payload: P) => void;
  /** Aborting sends a cancel message; the worker decides what cancelling means for the method. */
  signal?: AbortSignal;
}

/** A request in flight: its id, its result, and how to cancel it. */
export interface ComputeCall<T> {
  readonly id: number;
  readonly result: Promise<T>;
  cancel(): void;
}

interface Pending {
  method: ComputeMethod;
  resolve(value: unknown): void;
  reject(error: AppError): void;
  onProgress?: (payload: unknown) => void;
}

interface Running {
  process: ComputeProcess;
  ready: Promise<void>;
}

/** The engine's side of the compute process. One per engine; dispose() ends the process. */
export class ComputeHost {
  private readonly factory: ComputeProcessFactory;
  private readonly restartOnCrash: boolean;
  private readonly startTimeoutMs: number;
  private readonly emitter = new EventEmitter();
  private readonly pending = new Map<number, Pending>();
  private running: Running | null = null;
  private nextId = 1;
  private restarts = 0;
  private disposed = false;
  /** Processes the host itself is ending (restart): their exit is not a crash. */
  private readonly ending = new WeakSet<ComputeProcess>();

  constructor(options: ComputeHostOptions = {}) {
    this.factory = options.factory ?? forkComputeProcess();
    this.restartOnCrash = options.restartOnCrash ?? true;
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
  }

  /** Subscribes to a host event; returns the function that unsubscribes. */
  on<E extends keyof ComputeHostEvents>(
    name: E,
    listener: (payload: ComputeHostEvents[E]) => void,
  ): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  /** The running process id, or undefined when none runs. */
  get pid(): number | undefined {
    return this.running?.process.pid;
  }

  /** Requests not yet answered. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Starts the process if none runs and waits until it answers. */
  async start(): Promise<void> {
    await this.ensureRunning().ready;
  }

  /** Sends one request; resolves with its result or rejects with an AppError carrying the worker's code. */
  request<M extends ComputeMethod>(
    method: M,
    input: ComputeInput<M>,
    options: RequestOptions<ComputeProgress<M>> = {},
  ): Promise<ComputeOutput<M>> {
    const call = this.call(method, input, options);
    return call.result;
  }

  /** Like request(), but hands back the id and a cancel function at once. */
  call<M extends ComputeMethod>(
    method: M,
    input: ComputeInput<M>,
    options: RequestOptions<ComputeProgress<M>> = {},
  ): ComputeCall<ComputeOutput<M>> {
    const id = this.nextId++;
    if (this.disposed) {
      return {
        id,
        result: Promise.reject(
          new AppError(
            COMPUTE_ERROR_CODES.DISPOSED,
            `The compute process was shut down; ${method} was not sent.`,
          ),
        ),
        cancel: () => {},
      };
    }
    const running = this.ensureRunning();
    let sent = false;
    let cancelledBeforeSend = false;
    const cancel = () => {
      if (!this.pending.has(id)) return;
      if (sent) running.process.send({ kind: 'cancel', id });
      else cancelledBeforeSend = true;
    };
    const result = new Promise<ComputeOutput<M>>((resolve, reject) => {
      this.pending.set(id, {
        method,
        resolve: resolve as (value: unknown) => void,
        reject,
        onProgress: options.onProgress as ((payload: unknown) => void) | undefined,
      });
      running.ready.then(
        () => {
          if (!this.pending.has(id)) return;
          if (cancelledBeforeSend) {
            this.settle(id, {
              ok: false,
              error: {
                code: COMMON_ERROR_CODES.CANCELLED,
                message: `${method} was cancelled before it started.`,
              },
            });
            return;
          }
          sent = true;
          running.process.send({ kind: 'request', id, method, input });
        },
        (error: unknown) => {
          if (!this.pending.has(id)) return;
          this.pending.delete(id);
          reject(
            error instanceof AppError
              ? error
              : new AppError(COMPUTE_ERROR_CODES.START_FAILED, String(error)),
          );
        },
      );
    });
    if (options.signal) {
      if (options.signal.aborted) cancel();
      else options.signal.addEventListener('abort', cancel, { once: true });
      const signal = options.signal;
      void result.then(
        () => signal.removeEventListener('abort', cancel),
        () => signal.removeEventListener('abort', cancel),
      );
    }
    return { id, result, cancel };
  }

  /** Ends the running process (pending requests are rejected as a crash) and starts a new one. */
  async restart(): Promise<void> {
    const running = this.running;
    if (running) {
      this.ending.add(running.process);
      await new Promise<void>((resolve) => {
        this.emitter.once('exit', () => resolve());
        running.process.kill();
      });
    }
    await this.start();
  }

  /** Kills the process and rejects every pending request; the host cannot be used afterwards. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const running = this.running;
    this.rejectAll(
      () =>
        new AppError(
          COMPUTE_ERROR_CODES.DISPOSED,
          'The compute process was shut down before the request finished.',
        ),
    );
    if (!running) return;
    await new Promise<void>((resolve) => {
      this.emitter.once('exit', () => resolve());
      running.process.kill();
    });
  }

  private ensureRunning(): Running {
    if (this.running) return this.running;
    const child = this.factory();
    let markReady: () => void = () => {};
    let markFailed: (error: AppError) => void = () => {};
    let isReady = false;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    // A rejection nobody awaits (no request pending at a failed start) must not crash the host.
    ready.catch(() => {});
    const timer = setTimeout(() => {
      markFailed(
        new AppError(
          COMPUTE_ERROR_CODES.START_FAILED,
          `The compute process did not start within ${Math.round(this.startTimeoutMs / 1000)} s. The machine may be overloaded; try again.`,
        ),
      );
      child.kill();
    }, this.startTimeoutMs);
    timer.unref?.();
    const running: Running = { process: child, ready };
    this.running = running;

    child.onMessage((message) => {
      if (!isWorkerMessage(message)) {
        this.emitter.emit('log', {
          level: 'warn',
          message: `Ignored a malformed message from the compute process: ${safeDescribe(message)}`,
        });
        return;
      }
      this.handleMessage(message, () => {
        clearTimeout(timer);
        isReady = true;
        markReady();
        this.emitter.emit('ready', { pid: child.pid, restarts: this.restarts });
      });
    });
    child.onExit((code, signal) => {
      clearTimeout(timer);
      if (this.running === running) this.running = null;
      const pid = child.pid;
      this.emitter.emit('exit', { pid, code, signal });
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      if (!isReady) {
        // Nothing was sent yet: the requests waiting for this start fail with why it failed.
        const error = new AppError(
          COMPUTE_ERROR_CODES.START_FAILED,
          `The compute process ${how} before it was ready; its own error output is above. Check that the app is installed completely.`,
        );
        markFailed(error);
        if (!this.disposed) this.rejectAll(() => error);
        return;
      }
      if (this.disposed) return;
      if (this.ending.has(child)) {
        this.rejectAll(
          () =>
            new AppError(
              COMMON_ERROR_CODES.CANCELLED,
              'The compute process was restarted before the request finished; run it again.',
            ),
        );
        return;
      }
      const pending = [...this.pending.values()].map((p) => p.method);
      const error = new AppError(
        COMPUTE_ERROR_CODES.CRASHED,
        `The compute process ${how}${pending.length > 0 ? ` while running ${[...new Set(pending)].join(', ')}` : ''}. ` +
          `${this.restartOnCrash ? 'It is being restarted; run' : 'Run'} the task again. If it keeps happening, the machine may be out of memory: use smaller batches or patches.`,
        { code, signal, pid },
      );
      this.rejectAll(() => error);
      this.emitter.emit('crash', { pid, code, signal, pending, error: error.toInfo() });
      if (this.restartOnCrash) {
        this.restarts += 1;
        // The new process announces itself through `ready`; a failed restart leaves the next request to try.
        this.ensureRunning().ready.catch(() => {});
      }
    });
    return running;
  }

  private handleMessage(message: WorkerMessage, onReady: () => void): void {
    switch (message.kind) {
      case 'ready':
        onReady();
        return;
      case 'log':
        this.emitter.emit('log', { level: message.level, message: message.message });
        return;
      case 'progress':
        this.pending.get(message.id)?.onProgress?.(message.payload);
        return;
      case 'response':
        this.settle(message.id, message.result);
        return;
    }
  }

  private settle(id: number, result: Result<unknown>): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    if (result.ok) entry.resolve(result.value);
    else entry.reject(new AppError(result.error.code, result.error.message, result.error.details));
  }

  private rejectAll(makeError: () => AppError): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(makeError());
  }
}

function safeDescribe(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 200);
  } catch {
    return String(value);
  }
}
