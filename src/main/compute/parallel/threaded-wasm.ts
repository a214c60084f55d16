/**
 * Upstream's multi-threaded wasm build (XNNPACK on a pthreadpool) under Node. tfjs only
 * loads it where it detects cross-origin isolation in a browser; in Node it reports
 * WASM_HAS_MULTITHREAD_SUPPORT false and runs one thread. The Emscripten build itself
 * supports Node (its pthreads are worker_threads), so we start it ourselves with real file
 * paths instead of the Blob URLs tfjs passes (Node's Worker refuses blob: URLs), and
 * register it as the `wasm` backend in place of the single-threaded one.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { registerBackend, removeBackend } from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const nodeRequire = createRequire(import.meta.url);

/** The priority tfjs gives its own wasm backend registration. */
const WASM_PRIORITY = 2;

interface EmscriptenModule {
  cwrap(
    name: string,
    returnType: string | null,
    argTypes: string[],
  ): (...args: number[]) => unknown;
  tfjs?: Record<string, unknown>;
}

type ThreadedFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

/** The folder holding upstream's Emscripten outputs (js, worker and .wasm files). */
export function wasmOutDir(): string {
  return path.join(
    path.dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
    'wasm-out',
  );
}

/**
 * Writes the pthread worker script to a file Node can start (once per content), returns its
 * path. The package ships it as a JS string meant for a Blob; its `\n` escapes must survive.
 */
function writeWorkerScript(dir: string): string {
  const { wasmWorkerContents } = nodeRequire(
    path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as {
    wasmWorkerContents: string;
  };
  const contents = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `vessel-wasm-pthread-${hash}.cjs`);
  if (!fs.existsSync(file)) {
    // Write then rename: several compute processes may start at once.
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, contents);
    fs.renameSync(partial, file);
  }
  return file;
}

/**
 * Registers the threaded build as the `wasm` backend with `threads` threads (the caller then
 * calls tf.setBackend('wasm')). Upstream caps its pool at half the logical cores, assuming
 * two hyper-threads per core; on a 2-vCPU machine that is one thread, so while the module
 * initialises we report the core count doubled and let `threads` set the real size.
 */
export function registerThreadedWasmBackend(threads: number): void {
  const dir = wasmOutDir();
  const factory = nodeRequire(
    path.join(dir, 'tfjs-backend-wasm-threaded-simd.js'),
  ) as ThreadedFactory;
  const workerScript = writeWorkerScript(dir);
  const wasmBinary = path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm');
  const mainScript = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  setThreadsCount(threads);
  removeBackend('wasm');
  registerBackend(
    'wasm',
    async () => {
      const realCpus = os.cpus;
      const doubled: typeof os.cpus = () => {
        const cpus = realCpus();
        return [...cpus, ...cpus];
      };
      let module: EmscriptenModule;
      (os as { cpus: typeof os.cpus }).cpus = doubled;
      try {
        module = await factory({
          locateFile: (file: string, prefix: string) => {
            if (file.endsWith('.worker.js')) return workerScript;
            if (file.endsWith('.wasm')) return wasmBinary;
            return prefix + file;
          },
          mainScriptUrlOrBlob: mainScript,
        });
      } finally {
        (os as { cpus: typeof os.cpus }).cpus = realCpus;
      }
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      return new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
    },
    WASM_PRIORITY,
  );
}
