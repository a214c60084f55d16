/**
 * setupCompute for real on this machine: tfjs-node(-gpu) are absent (their install downloads
 * libtensorflow) and WebGPU finds no hardware adapter (at most lavapipe, a software one), so the
 * ladder lands on wasm with our kernels and the threaded build.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ladderOutcome } from '../../../test/support/backend-ladder';
import { BACKEND_ERROR_CODES } from './backends';
import {
  currentComputeReport,
  predictBackendReport,
  setupCompute,
  wasmThreadCount,
  type RungStarters,
} from './setup';

const savedEnv = process.env.VESSEL_BACKEND;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.VESSEL_BACKEND;
  else process.env.VESSEL_BACKEND = savedEnv;
});

describe('setupCompute', () => {
  it('predicts the ladder cheaply before tfjs starts', async () => {
    delete process.env.VESSEL_BACKEND;
    expect(currentComputeReport()).toBeNull();
    const predicted = await predictBackendReport();
    expect(predicted.active).toBe('wasm');
    expect(predicted.threads).toBe(wasmThreadCount());
  });

  it('walks the ladder to wasm with both native packages not installed, with the threaded build', async () => {
    delete process.env.VESSEL_BACKEND;
    const report = await setupCompute();
    expect(ladderOutcome(report)).toEqual({
      active: 'wasm',
      rejected: [
        'tensorflow-gpu: not-installed',
        expect.stringMatching(/^webgpu: (software-adapter|no-gpu)$/),
        'tensorflow: not-installed',
      ],
    });
    expect(tf.getBackend()).toBe('wasm');
    expect(report.chosenBy).toBe('ladder');
    expect(report.rejected[2]!.message).toContain('@tensorflow/tfjs-node');
    // As many XNNPACK threads as cores (at most 8): the threaded build runs under Node.
    expect(report.threads).toBe(wasmThreadCount());
    expect(await setupCompute()).toBe(report);
    expect(currentComputeReport()).toBe(report);
    expect(await predictBackendReport()).toBe(report);
  });

  it('trains a strided convolution on the threaded build like cpu', async () => {
    await setupCompute();
    const x = tf.randomUniform([4, 11, 11, 3], -1, 1, 'float32', 1);
    const w = tf.randomUniform([3, 3, 3, 5], -1, 1, 'float32', 2);
    const grads = () =>
      tf.tidy(() => {
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))),
        )([x, w]);
        return tf.concat([dx!.flatten(), dw!.flatten()]).dataSync() as Float32Array;
      });
    await tf.setBackend('wasm');
    const wasm = grads();
    await tf.setBackend('cpu');
    const cpu = grads();
    await tf.setBackend('wasm');
    const scale = Math.max(...cpu.map(Math.abs));
    // Sums of at most 4*6*6 = 144 float32 products, chained twice: far inside 1e-4 relative.
    for (let i = 0; i < cpu.length; i++)
      expect(Math.abs(wasm[i]! - cpu[i]!)).toBeLessThan(1e-4 * scale);
  });

  it('obeys VESSEL_BACKEND', async () => {
    process.env.VESSEL_BACKEND = 'cpu';
    const report = await setupCompute();
    expect(report).toMatchObject({ active: 'cpu', chosenBy: 'env', threads: 1 });
    expect(tf.getBackend()).toBe('cpu');
    expect(report.rejected.map((r) => r.reason)).toEqual([
      'skipped-by-setting',
      'skipped-by-setting',
      'skipped-by-setting',
      'skipped-by-setting',
    ]);
  });

  it('obeys a setting or flag over the ladder, and switches back', async () => {
    const forced = await setupCompute({ name: 'cpu', by: 'flag' });
    expect(forced).toMatchObject({ active: 'cpu', chosenBy: 'flag' });
    const wasm = await setupCompute({ name: 'wasm', by: 'setting' });
    expect(wasm).toMatchObject({ active: 'wasm', chosenBy: 'setting' });
    expect(wasm.rejected.map((r) => r.reason)).toEqual([
      'skipped-by-setting',
      'skipped-by-setting',
      'skipped-by-setting',
    ]);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('refuses a forced native backend that is not installed, saying why', async () => {
    await expect(setupCompute({ name: 'tensorflow', by: 'flag' })).rejects.toMatchObject({
      code: BACKEND_ERROR_CODES.NO_BACKEND,
      message: expect.stringContaining('@tensorflow/tfjs-node is not installed'),
    });
  });

  it('reports a native package that loads but registers no backend as init-failed, and a GPU build without a GPU as no-gpu', async () => {
    const starters: RungStarters = {
      resolveNative: (pkg) => `/opt/fake/${pkg}/index.js`,
      loadNative: () => ({}),
      gpuDirs: ['/nonexistent/nvidia/gpus'],
      webgpu: fakeDawn(null),
    };
    const report = await setupCompute({ name: 'wasm', by: 'setting' }, {}, starters);
    expect(report.active).toBe('wasm');
    const ladder = await setupCompute(undefined, {}, starters);
    expect(ladderOutcome(ladder)).toEqual({
      active: 'wasm',
      rejected: ['tensorflow-gpu: no-gpu', 'webgpu: no-gpu', 'tensorflow: init-failed'],
    });
  });

  it('refuses a software WebGPU adapter on the ladder, naming it, and reports a missing package', async () => {
    const software = await setupCompute(
      undefined,
      {},
      {
        resolveNative: () => {
          throw new Error('absent');
        },
        loadNative: () => ({}),
        webgpu: fakeDawn({
          vendor: 'google',
          device: 'SwiftShader Device (Subzero)',
          isFallbackAdapter: true,
        }),
      },
    );
    expect(software.active).toBe('wasm');
    expect(software.rejected.find((r) => r.backend === 'webgpu')).toMatchObject({
      reason: 'software-adapter',
      message: expect.stringContaining('SwiftShader'),
    });
    expect(software.adapter).toMatchObject({ vendor: 'google', software: true });
    const missing = await setupCompute(
      undefined,
      {},
      {
        resolveNative: () => {
          throw new Error('absent');
        },
        loadNative: () => ({}),
        webgpu: {
          resolve: () => {
            throw new Error('absent');
          },
          load: () => Promise.reject(new Error('unreachable')),
        },
      },
    );
    expect(missing.rejected.find((r) => r.backend === 'webgpu')?.reason).toBe('not-installed');
    expect(missing.adapter).toBeUndefined();
  });
});

/** A Dawn that finds the given adapter (or none), for the ladder's webgpu rung. */
function fakeDawn(info: Record<string, unknown> | null): RungStarters['webgpu'] {
  return {
    resolve: () => '/opt/fake/webgpu/index.js',
    load: async () => ({
      globals: {},
      create: () => ({
        requestAdapter: async () =>
          info && {
            info,
            features: new Set<string>(),
            limits: { maxBufferSize: 1 << 28, maxStorageBufferBindingSize: 1 << 27 },
            requestDevice: () => Promise.reject(new Error('a fake adapter has no device')),
          },
      }),
    }),
  };
}

describe('wasmThreadCount', () => {
  it('takes the option, then VESSEL_WASM_THREADS, then the cores, within 1..8', () => {
    expect(wasmThreadCount({ wasmThreads: 3 }, {})).toBe(3);
    expect(wasmThreadCount({}, { VESSEL_WASM_THREADS: '1' })).toBe(1);
    expect(wasmThreadCount({}, { VESSEL_WASM_THREADS: 'many' })).toBe(
      Math.min(8, os.cpus().length),
    );
    expect(wasmThreadCount({ wasmThreads: 64 }, {})).toBe(8);
  });
});
