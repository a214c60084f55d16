/**
 * Our Winograd F(2x2, 3x3) convolution (native/winograd/winograd.c, built to WebAssembly SIMD by
 * scripts/build-wasm-kernels.sh), run beside the tfjs wasm backend on the backend's own memory:
 * tensors are read and written where they lie, with no copies. 3x3 stride-1 convolutions are
 * most of a U-Net's work; this computes them with 16 multiply-adds per 2x2 outputs and channel
 * pair where XNNPACK's direct convolution needs 36.
 *
 * The module also computes the filter gradient of 3x3 stride-1 convolutions, directly (each
 * entry a plain sum of its own products; see filter_grad in winograd.c for why not by Winograd).
 *
 * One instance per backend. With the threaded backend, the convolution is split by tiles between
 * this thread and helper worker threads that instantiate the same module on the same shared
 * memory (see `./pool`).
 */
import v8 from 'node:v8';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { HelperKernel } from './pool';
import {
  WINOGRAD_WASM_SHARED,
  WINOGRAD_WASM_SHARED_RELAXED,
  WINOGRAD_WASM_SINGLE,
  WINOGRAD_WASM_SINGLE_RELAXED,
} from './wasm-binary';

/** Bytes of stack each instance gets (its largest frame is a few hundred bytes). */
export const STACK_BYTES = 64 * 1024;

/**
 * The leading arguments of the module's two convolutions: the NHWC input x (a pointer) of
 * n x h x w x c and the padding above and left of it.
 */
type PaddedInputArgs = [
  x: number,
  n: number,
  h: number,
  w: number,
  c: number,
  padTop: number,
  padLeft: number,
];

export interface WinogradExports {
  winograd_filter(g: number, u: number, c: number, k: number, kp: number): void;
  winograd_scratch_floats(c: number, kp: number): number;
  winograd_conv(
    ...args: [
      ...input: PaddedInputArgs,
      oh: number,
      ow: number,
      u: number,
      k: number,
      kp: number,
      bias: number,
      relu: number,
      y: number,
      scratch: number,
      begin: number,
      end: number,
    ]
  ): void;
  filter_grad_scratch_floats(cp: number, kp: number): number;
  filter_grad(
    ...args: [
      ...input: PaddedInputArgs,
      dy: number,
      oh: number,
      ow: number,
      k: number,
      cp: number,
      kp: number,
      dg: number,
      scratch: number,
      tapBegin: number,
      tapEnd: number,
    ]
  ): void;
  max_pool_grad_2x2(
    x: number,
    dy: number,
    dx: number,
    n: number,
    h: number,
    w: number,
    c: number,
  ): void;
  copy_rows(
    src: number,
    srcStride: number,
    dst: number,
    dstStride: number,
    rows: number,
    width: number,
  ): void;
  sum_rows(x: number, rows: number, c: number, out: number): void;
  upsample2x_grad(dy: number, dx: number, n: number, h: number, w: number, c: number): void;
  __stack_pointer: WebAssembly.Global;
}

interface EmscriptenHeap {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
}

/** The WebAssembly.Memory of a tfjs wasm backend (threaded builds import it, others export it). */
export function backendMemory(backend: BackendWasm): WebAssembly.Memory {
  const heap = backend.wasm as unknown as EmscriptenHeap;
  const memory = heap.wasmMemory ?? heap.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error('The tfjs wasm backend exposes no WebAssembly.Memory: its build is unknown.');
  }
  return memory;
}

const BINARIES = {
  plain: { single: WINOGRAD_WASM_SINGLE, shared: WINOGRAD_WASM_SHARED },
  relaxed: { single: WINOGRAD_WASM_SINGLE_RELAXED, shared: WINOGRAD_WASM_SHARED_RELAXED },
} as const;

export type SimdLevel = keyof typeof BINARIES;

let level: SimdLevel | undefined;

/**
 * Whether this runtime runs our relaxed-SIMD build (fused multiply-add): Electron's V8 does by
 * default; Node 20's needs --experimental-wasm-relaxed-simd, which we set (V8 reads it when a
 * module is compiled). VESSEL_RELAXED_SIMD=0 keeps the plain SIMD build.
 */
export function simdLevel(env: NodeJS.ProcessEnv = process.env): SimdLevel {
  if (level) return level;
  const relaxed = Buffer.from(BINARIES.relaxed.single, 'base64');
  if (env.VESSEL_RELAXED_SIMD === '0') {
    level = 'plain';
  } else if (WebAssembly.validate(relaxed)) {
    level = 'relaxed';
  } else {
    try {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // An embedder that forbids flags: the plain build.
    }
    level = WebAssembly.validate(relaxed) ? 'relaxed' : 'plain';
  }
  return level;
}

const modules = new Map<string, WebAssembly.Module>();

/** The compiled module for a shared or a plain memory (compiled once per process). */
export function winogradModule(shared: boolean, simd: SimdLevel = simdLevel()): WebAssembly.Module {
  const key = `${simd}/${shared}`;
  let module = modules.get(key);
  if (!module) {
    const base64 = BINARIES[simd][shared ? 'shared' : 'single'];
    module = new WebAssembly.Module(Buffer.from(base64, 'base64'));
    modules.set(key, module);
  }
  return module;
}

/** Whether the memory is a SharedArrayBuffer-backed (threaded build) memory. */
export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** An instance on `memory` whose stack is the `STACK_BYTES` block starting at `stackBase`. */
export function instantiate(
  memory: WebAssembly.Memory,
  stackBase: number,
  simd: SimdLevel = simdLevel(),
): WinogradExports {
  const instance = new WebAssembly.Instance(winogradModule(isShared(memory), simd), {
    env: { memory },
  });
  const exports = instance.exports as unknown as WinogradExports;
  // The stack grows down from the block's end, 16-byte aligned.
  exports.__stack_pointer.value = (stackBase + STACK_BYTES) & ~15;
  return exports;
}

/** Rounds a channel count up to whole SIMD vectors. */
export function paddedChannels(k: number): number {
  return (k + 3) & ~3;
}

/** Helpers that run a share of each call on other threads (see ./pool). */
export interface Helpers {
  readonly count: number;
  /** Starts helper i on `kernel(...args)`; `wait()` returns when every started one is done. */
  start(i: number, kernel: HelperKernel, args: readonly number[]): void;
  wait(): void;
}

/** Splits [0, total) into `parts` contiguous shares; share i as [begin, end). */
function share(total: number, parts: number, i: number): [number, number] {
  const size = Math.ceil(total / parts);
  return [Math.min(total, size * i), Math.min(total, size * (i + 1))];
}

export interface WinogradConvArgs {
  x: TensorInfo;
  filter: TensorInfo;
  bias?: TensorInfo;
  relu: boolean;
  padTop: number;
  padLeft: number;
  outHeight: number;
  outWidth: number;
}

let calls = 0;

/**
 * How many Winograd convolutions and direct filter gradients ran on the module in this thread
 * (tests check the routing).
 */
export function winogradCalls(): number {
  return calls;
}

/** The convolution bound to one tfjs wasm backend. */
export class WinogradConv {
  private readonly exports: WinogradExports;
  private readonly heap: EmscriptenHeap;
  private readonly stack: number;
  private helpers: Helpers | undefined;

  constructor(
    private readonly backend: BackendWasm,
    readonly simd: SimdLevel = simdLevel(),
  ) {
    this.heap = backend.wasm as unknown as EmscriptenHeap;
    this.stack = this.heap._malloc(STACK_BYTES);
    this.exports = instantiate(backendMemory(backend), this.stack, simd);
  }

  /** Lets `helpers` compute a share of every later convolution. */
  useHelpers(helpers: Helpers | undefined): void {
    this.helpers = helpers;
  }

  /** The module's exports (for kernels that run one function on backend tensors). */
  get functions(): WinogradExports {
    return this.exports;
  }

  /** The heap offset of a backend tensor's values. */
  offset(info: TensorInfo): number {
    const data = this.backend.dataIdMap.get(info.dataId);
    if (!data) throw new Error('Winograd convolution: a tensor is not on the wasm backend.');
    return data.memoryOffset;
  }

  /**
   * Runs `kernel` over [0, total) split in contiguous shares: this thread the first, each helper
   * one of the rest; `argsFor(thread, begin, end)` gives a share's arguments.
   */
  private split(
    total: number,
    kernel: HelperKernel,
    argsFor: (thread: number, begin: number, end: number) => number[],
  ): void {
    const helpers = this.helpers;
    const threads = 1 + (helpers?.count ?? 0);
    for (let i = 1; i < threads; i++) {
      const [begin, end] = share(total, threads, i);
      if (begin < end) helpers!.start(i - 1, kernel, argsFor(i, begin, end));
    }
    try {
      const [begin, end] = share(total, threads, 0);
      const run = this.exports[kernel] as (...args: number[]) => void;
      run(...argsFor(0, begin, end));
    } finally {
      if (threads > 1) helpers!.wait();
    }
  }

  /** NHWC 3x3 stride-1 convolution (with bias and ReLU when given) as a new backend tensor. */
  conv(args: WinogradConvArgs): TensorInfo {
    const [n, h, w, c] = args.x.shape as [number, number, number, number];
    const [fh, fw, fin, fout] = args.filter.shape as [number, number, number, number];
    if (fh !== 3 || fw !== 3) throw new Error('Winograd convolution: the filter must be 3x3.');
    const k = fout;
    if (fin !== c) {
      throw new Error(
        `Winograd convolution: the filter reads ${fin} channels, the input has ${c}.`,
      );
    }
    const kp = paddedChannels(k);
    calls += 1;
    const out = this.backend.makeOutput([n, args.outHeight, args.outWidth, k], 'float32');
    const tiles = n * Math.ceil(args.outHeight / 2) * Math.ceil(args.outWidth / 2);
    if (tiles === 0) return out;
    const threads = 1 + (this.helpers?.count ?? 0);
    const scratchFloats = this.exports.winograd_scratch_floats(c, kp);
    const u = this.heap._malloc(16 * c * kp * 4);
    const scratch = this.heap._malloc(scratchFloats * 4 * threads);
    try {
      this.exports.winograd_filter(this.offset(args.filter), u, c, k, kp);
      const x = this.offset(args.x);
      const bias = args.bias ? this.offset(args.bias) : 0;
      const y = this.offset(out);
      const { padTop, padLeft, outHeight, outWidth } = args;
      const relu = args.relu ? 1 : 0;
      // Thread i computes tiles [begin, end) with its own scratch block.
      this.split(tiles, 'winograd_conv', (i, begin, end) => [
        ...[x, n, h, w, c, padTop, padLeft, outHeight, outWidth, u, k, kp, bias, relu, y],
        ...[scratch + i * scratchFloats * 4, begin, end],
      ]);
    } finally {
      this.heap._free(u);
      this.heap._free(scratch);
    }
    return out;
  }

  /**
   * The filter gradient [3, 3, C, K] of the 3x3 stride-1 convolution of x with output gradient
   * dy (the output pixel (r, s) read input rows from r - padTop), summed directly.
   */
  filterGrad(args: { x: TensorInfo; dy: TensorInfo; padTop: number; padLeft: number }): TensorInfo {
    const [n, h, w, c] = args.x.shape as [number, number, number, number];
    const [, oh, ow, k] = args.dy.shape as [number, number, number, number];
    const cp = paddedChannels(c);
    const kp = paddedChannels(k);
    calls += 1;
    const out = this.backend.makeOutput([3, 3, c, k], 'float32');
    const scratchBytes = this.exports.filter_grad_scratch_floats(cp, kp) * 4;
    const threads = 1 + (this.helpers?.count ?? 0);
    const scratch = this.heap._malloc(scratchBytes * threads);
    try {
      const x = this.offset(args.x);
      const dy = this.offset(args.dy);
      const dg = this.offset(out);
      const { padTop, padLeft } = args;
      // Thread i computes taps [begin, end) of the nine, with its own accumulators.
      this.split(9, 'filter_grad', (i, begin, end) => [
        ...[x, n, h, w, c, padTop, padLeft, dy, oh, ow, k, cp, kp, dg],
        ...[scratch + i * scratchBytes, begin, end],
      ]);
    } finally {
      this.heap._free(scratch);
    }
    return out;
  }
}
