/**
 * A GPU lost in the middle of training (driver reset, GPU unplugged): the run ends with
 * COMPUTE_GPU_DEVICE_LOST at its next step, keeping the best model and the checkpoint of its
 * last finished epoch, and the next setup walks the ladder again and lands on wasm. The device
 * is destroyed for real (Dawn on lavapipe), so this file cannot get a working webgpu back: it
 * holds this test alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { buildModel } from '../model/build';
import { loadModelDir } from '../model/storage';
import { predictProbabilities } from '../infer';
import { setupCompute, type RungStarters } from '../setup';
import { checkpointDirFor, loadCheckpoint } from '../train/checkpoint';
import { smallGreenUnet, tinyTrainJob } from '../train/fixtures';
import type { TrainProgress } from '../train/job';
import { runTrainJob } from '../train/run-job';
import type { WorkerRequestContext } from '../worker';
import { GPU_ERROR_CODES, gpuDeviceLost } from './device';
import { startGpuForTests, type GpuForTests } from './test-gpu';

let gpu: GpuForTests = { ok: false, reason: 'not started' };
let dir: string;
const savedBackend = process.env.VESSEL_BACKEND;

beforeAll(async () => {
  gpu = await startGpuForTests();
  dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-device-loss-'));
});

afterAll(async () => {
  if (savedBackend === undefined) delete process.env.VESSEL_BACKEND;
  else process.env.VESSEL_BACKEND = savedBackend;
  await rm(dir, { recursive: true, force: true });
});

/** The ladder after the loss: no native packages, and a Dawn that finds no adapter any more. */
const afterLoss: RungStarters = {
  resolveNative: () => {
    throw new Error('not installed here');
  },
  loadNative: () => ({}),
  webgpu: {
    resolve: () => '/opt/fake/webgpu/index.js',
    load: async () => ({ globals: {}, create: () => ({ requestAdapter: async () => null }) }),
  },
};

describe('a GPU device lost during training', () => {
  it('ends the run (and a prediction) coded, keeps the checkpoint, and sends the next setup down the ladder', async (ctx) => {
    if (!gpu.ok) return ctx.skip(gpu.reason);
    const outDir = path.join(dir, 'run');
    const phases: string[] = [];
    const context: WorkerRequestContext<TrainProgress> = {
      signal: new AbortController().signal,
      progress: (p) => {
        phases.push(`${p.phase} ${p.epoch}.${p.batch}`);
        // Reported once epoch 1's model and checkpoint are written: the GPU goes away.
        if (p.phase === 'epoch' && p.epoch === 1) {
          (tf.backend() as WebGPUBackend).device.destroy();
        }
      },
      log: () => {},
    };
    const job = tinyTrainJob(outDir, { backend: 'webgpu' });
    const error = await runTrainJob(
      { ...job, options: { ...job.options, epochs: 3, stepsPerEpoch: 3 } },
      context,
    ).then(
      () => null,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(GPU_ERROR_CODES.DEVICE_LOST);
    expect((error as AppError).message).toContain(checkpointDirFor(outDir));
    expect((error as AppError).details).toMatchObject({ epoch: 2 });
    // Nothing of epoch 2 counted: its first step is where the loss is met.
    expect(phases.filter((p) => p.startsWith('batch 2.'))).toEqual([]);
    expect(gpuDeviceLost()).toBe(true);

    // A prediction on the lost device ends the same way, not with a driver's bare AbortError.
    const config = smallGreenUnet();
    const model = buildModel(config);
    const prediction = predictProbabilities(
      model,
      { width: 16, height: 16, data: new Float32Array(256).fill(0.5) },
      { config },
    ).finally(() => model.dispose());
    await expect(prediction).rejects.toMatchObject({ code: GPU_ERROR_CODES.DEVICE_LOST });

    // The next setup does not trust the cached report: it walks the ladder, and with the
    // adapter gone webgpu is rejected as lost and wasm runs.
    delete process.env.VESSEL_BACKEND;
    const report = await setupCompute(undefined, { wasmThreads: 1 }, afterLoss);
    expect(report.active).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.rejected.find((r) => r.backend === 'webgpu')).toMatchObject({
      reason: 'device-lost',
    });

    // What epoch 1 wrote is intact and loads (on wasm now).
    const checkpoint = await loadCheckpoint(checkpointDirFor(outDir));
    try {
      expect(checkpoint.state.epochsDone).toBe(1);
      expect(checkpoint.state.history).toHaveLength(1);
    } finally {
      checkpoint.model.dispose();
      tf.dispose(checkpoint.optimizerWeights.map((w) => w.tensor));
    }
    const best = await loadModelDir(outDir);
    try {
      expect(best.meta.trainingLog).toHaveLength(1);
      const values = await Promise.all(best.model.getWeights().map((w) => w.data()));
      expect(values.every((v) => v.every(Number.isFinite))).toBe(true);
      expect(values.some((v) => v.some((x) => x !== 0))).toBe(true);
    } finally {
      best.model.dispose();
    }
  }, 120_000);
});
