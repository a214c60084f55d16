/** Forks crash-test-child.ts under tsx and collects what it reports, for the lock and durability tests. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage } from './crash-test-child';

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-test-child.ts');

export interface CrashTestChild {
  process: ChildProcess;
  messages: ChildMessage[];
  /** Resolves with the first message of the given type (rejects if the child exits first). */
  next(type: ChildMessage['type']): Promise<ChildMessage>;
  /** Resolves once the child has acknowledged `count` committed writes. */
  acknowledged(count: number): Promise<void>;
  /** Lets the loaded child open the project. */
  go(): void;
  /** SIGKILL, then wait until the process is gone. */
  kill(): Promise<void>;
}

/**
 * Starts the child in `hold`, `save` or `create` mode on a project file (`seed` is the dataset
 * folder for `create`). A `deferred` child loads its code and then waits for `go()` before it
 * opens the project.
 */
export function startCrashTestChild(
  mode: 'hold' | 'save' | 'create',
  file: string,
  seed: number | string = 1,
  deferred = false,
): CrashTestChild {
  const child = fork(childScript, [mode, file, String(seed)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const messages: ChildMessage[] = [];
  const waiters: {
    type: string;
    resolve: (m: ChildMessage) => void;
    reject: (e: Error) => void;
  }[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (raw) => {
    const message = raw as ChildMessage;
    messages.push(message);
    if (message.type === 'loaded' && !deferred) child.send({ type: 'go' });
    for (const w of waiters.splice(0)) {
      if (w.type === message.type || message.type === 'error') w.resolve(message);
      else waiters.push(w);
    }
  });
  child.once('exit', (code, signal) => {
    for (const w of waiters.splice(0))
      w.reject(new Error(`child exited (${code ?? signal}) before sending ${w.type}`));
  });
  return {
    process: child,
    messages,
    next(type) {
      const seen = messages.find((m) => m.type === type || m.type === 'error');
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => waiters.push({ type, resolve, reject }));
    },
    async acknowledged(count) {
      const writes = (): number =>
        messages.filter((m) => m.type === 'revision' || m.type === 'model').length;
      while (writes() < count) {
        await new Promise<void>((resolve, reject) => {
          const onMessage = (): void => {
            child.off('exit', onExit);
            resolve();
          };
          const onExit = (): void => {
            child.off('message', onMessage);
            reject(new Error(`child exited after ${writes()} of ${count} writes`));
          };
          child.once('message', onMessage);
          child.once('exit', onExit);
        });
      }
    },
    go() {
      child.send({ type: 'go' });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
