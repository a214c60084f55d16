/**
 * Test support for the webgpu rung. Tests run it on whatever adapter Dawn finds, a software one
 * (Mesa's lavapipe, which .ci/run installs) included. Where none is found they skip, printing
 * why, unless VESSEL_REQUIRE_WEBGPU=1 (CI sets it) turns that into a failure, so a broken
 * driver install cannot pass as skipped tests.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { GpuAdapterReport } from '../../../shared/api/app';
import { setupCompute } from '../setup';
import { gpuFault } from './device';
import type { KernelCall, Values } from './op-bounds';

export type GpuForTests = { ok: true; adapter: GpuAdapterReport } | { ok: false; reason: string };

let started: Promise<GpuForTests> | null = null;

/** Starts tfjs on webgpu once per test file (forced, so software adapters count). */
export function startGpuForTests(): Promise<GpuForTests> {
  started ??= (async (): Promise<GpuForTests> => {
    try {
      const report = await setupCompute({ name: 'webgpu', by: 'flag' });
      if (report.active !== 'webgpu' || !report.adapter) throw new Error('webgpu did not start');
      return { ok: true, adapter: report.adapter };
    } catch (error) {
      const reason = `no WebGPU adapter here (${(error as Error).message}); install Mesa 25's lavapipe (see .ci/run)`;
      if (process.env.VESSEL_REQUIRE_WEBGPU === '1') {
        throw new Error(`VESSEL_REQUIRE_WEBGPU=1 but ${reason}`, { cause: error });
      }
      console.warn(`skipping webgpu tests: ${reason}`);
      return { ok: false, reason };
    }
  })();
  return started;
}

/** What startGpuForTests gave, read once the file's beforeAll has run. */
export interface GpuForTestsHolder {
  readonly current: GpuForTests;
}

/**
 * Registers, for the calling test file, starting webgpu before its tests and checking after each
 * test that the device reported no fault: a shader the driver refuses reads back as zeros, so the
 * device's error is the real failure. Tests skip with `current.reason` where `current.ok` is false.
 */
export function useGpuForTests(): GpuForTestsHolder {
  const holder: { current: GpuForTests } = { current: { ok: false, reason: 'not started' } };
  beforeAll(async () => {
    holder.current = await startGpuForTests();
  });
  afterEach(() => {
    expect(gpuFault()).toBeNull();
  });
  return holder;
}

/** A test that `config` is the kernel tfjs runs for `kernelName` on webgpu. */
export function itIsRegisteredForWebGpu(
  gpu: GpuForTestsHolder,
  kernelName: string,
  config: tf.KernelConfig,
): void {
  it('is the kernel registered for webgpu', (ctx) => {
    if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
    expect(tf.getKernel(kernelName, 'webgpu')?.kernelFunc).toBe(config.kernelFunc);
  });
}

/**
 * Runs `fn` with `backend` active and returns its (awaited) result, then goes back to webgpu.
 * Tensors must not cross backends here: reading webgpu data synchronously is impossible in
 * Node, so each side builds its own tensors from plain arrays.
 */
export async function onBackend<T>(
  backend: 'cpu' | 'webgpu' | 'wasm',
  fn: () => Promise<T>,
): Promise<T> {
  if (tf.getBackend() !== backend) await tf.setBackend(backend);
  try {
    return await fn();
  } finally {
    if (tf.getBackend() !== 'webgpu') await tf.setBackend('webgpu');
  }
}

/** Runs one kernel call on the current backend, reads its outputs and disposes every tensor. */
export async function runKernelCall(call: KernelCall): Promise<Values[]> {
  const inputs: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(call.inputs)) {
    inputs[name] = tf.tensor(t.values, t.shape, t.dtype);
  }
  // A list kernel (Concat) reads its inputs as an array, as tf.concat passes them.
  const given = call.list ? (Object.values(inputs) as unknown as tf.NamedTensorMap) : inputs;
  const out = tf.engine().runKernel(call.kernelName, given, call.attrs) as tf.Tensor | tf.Tensor[];
  const outputs = Array.isArray(out) ? out : [out];
  const values: Values[] = [];
  for (const t of outputs) values.push((await t.data()) as Values);
  tf.dispose([...outputs, ...Object.values(inputs)]);
  return values;
}

/**
 * Runs `run` once to warm up (caches, pipelines), then three times more, and expects the same
 * number of tensors and of webgpu data ids (GPU buffers) after as after the first.
 */
export async function expectNoLeaksAcross(run: () => Promise<void>): Promise<void> {
  const backend = tf.backend() as WebGPUBackend;
  await run();
  const tensors = tf.memory().numTensors;
  const buffers = backend.numDataIds();
  for (let i = 0; i < 3; i++) await run();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(backend.numDataIds()).toBe(buffers);
}
