/**
 * Helper threads for the Winograd convolution under tfjs's threaded wasm backend: each is a
 * worker_thread holding its own instance of the module on the backend's shared memory, so it
 * computes its share of the tiles in place. The calling thread hands out work through a small
 * SharedArrayBuffer and blocks in Atomics.wait until every helper is done (the compute process
 * runs in Node, where the main thread may wait).
 *
 * The worker's code is inline (no file to locate inside app.asar or a bundle).
 */
import { Worker } from 'node:worker_threads';
import type { Helpers } from './winograd';

/** The module functions a helper can run, by index. */
export const HELPER_KERNELS = ['winograd_conv', 'filter_grad'] as const;
export type HelperKernel = (typeof HELPER_KERNELS)[number];

/** Int32 slots of one helper's control block. */
const SLOT = {
  /** Raised by the caller for each job. */
  job: 0,
  /** Set by the helper to the job it finished (or -1 after a failure). */
  done: 1,
  /** Index into HELPER_KERNELS. */
  kernel: 2,
  count: 3,
  /** The call's integer arguments (byte offsets and sizes). */
  args: 4,
} as const;
const MAX_ARGS = 24;
const SLOTS = SLOT.args + MAX_ARGS;
/** A share takes milliseconds; a helper silent this long has died (it failed to start). */
const HELPER_TIMEOUT_MS = 120_000;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, stackTop, kernels } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
exports.__stack_pointer.value = stackTop;
const state = new Int32Array(control);
let last = 0;
for (;;) {
  Atomics.wait(state, ${SLOT.job}, last);
  last = Atomics.load(state, ${SLOT.job});
  let result = last;
  try {
    const args = Array.from(state.subarray(${SLOT.args}, ${SLOT.args} + state[${SLOT.count}]));
    exports[kernels[state[${SLOT.kernel}]]](...args);
  } catch (error) {
    result = -1;
  }
  Atomics.store(state, ${SLOT.done}, result);
  Atomics.notify(state, ${SLOT.done});
}
`;

interface Helper {
  worker: Worker;
  state: Int32Array;
  job: number;
  running: boolean;
}

/** `count` helper threads on `memory`, helper i with its stack ending at `stackTops[i]`. */
export class WinogradPool implements Helpers {
  private readonly helpers: Helper[];

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, stackTops: number[]) {
    this.helpers = stackTops.map((stackTop) => {
      const control = new SharedArrayBuffer(SLOTS * 4);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, control, stackTop, kernels: HELPER_KERNELS },
      });
      // Helpers sleep in Atomics.wait between jobs; they must not keep the process alive.
      worker.unref();
      return { worker, state: new Int32Array(control), job: 0, running: false };
    });
  }

  get count(): number {
    return this.helpers.length;
  }

  start(i: number, kernel: HelperKernel, args: readonly number[]): void {
    if (args.length > MAX_ARGS) throw new Error(`${kernel}: more than ${MAX_ARGS} arguments`);
    const helper = this.helpers[i]!;
    const { state } = helper;
    state[SLOT.kernel] = HELPER_KERNELS.indexOf(kernel);
    state[SLOT.count] = args.length;
    state.set(args, SLOT.args);
    helper.job += 1;
    helper.running = true;
    Atomics.store(state, SLOT.job, helper.job);
    Atomics.notify(state, SLOT.job);
  }

  wait(): void {
    let failed = false;
    const deadline = Date.now() + HELPER_TIMEOUT_MS;
    for (const helper of this.helpers) {
      if (!helper.running) continue;
      const { state } = helper;
      for (;;) {
        const done = Atomics.load(state, SLOT.done);
        if (done === helper.job) break;
        if (done === -1) {
          failed = true;
          break;
        }
        if (Date.now() > deadline) {
          failed = true;
          break;
        }
        Atomics.wait(state, SLOT.done, done, 1000);
      }
      Atomics.store(state, SLOT.done, 0);
      helper.running = false;
    }
    if (failed)
      throw new Error(
        'A Winograd helper thread failed or stopped answering: set VESSEL_WINOGRAD=0 to use XNNPACK alone.',
      );
  }

  /** Stops the helper threads. */
  async terminate(): Promise<void> {
    await Promise.all(this.helpers.map((helper) => helper.worker.terminate()));
  }
}
