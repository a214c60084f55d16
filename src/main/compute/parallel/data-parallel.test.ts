import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/result';
import type { BackendName } from '../../../shared/api/app';
import { SeededRandom } from '../../engine/dataset/random';
import { buildModel } from '../model/build';
import { seedInitialWeights } from '../model/seeded-init';
import { COMPUTE_ERROR_CODES } from '../protocol';
import { setupCompute } from '../setup';
import { generateVesselSet, TINY_UNET } from '../train/fixtures';
import { trainOptionsSchema } from '../train/options';
import { trainFresh } from '../train/train-fresh';
import { gradientWorkerCount } from '../train/run-job';
import { GradientWorkerPool } from './gradient-pool';
import {
  combineShards,
  readAllWeights,
  shardGradients,
  shardRanges,
  sliceBatch,
  writeAllWeights,
  type ShardBatch,
  type ShardResult,
} from './shard-gradients';

let dir: string;
let backend: BackendName;
beforeAll(async () => {
  const report = await setupCompute();
  backend = report.active!;
  dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-parallel-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A random batch whose loss weights vary by sample, so shards carry different weight sums. */
function randomBatch(n: number, size: number, seed: number): ShardBatch {
  const random = new SeededRandom(seed, 5);
  const pixels = n * size * size;
  const x = Float32Array.from({ length: pixels }, () => random.uniform(0, 1));
  const y = Float32Array.from({ length: pixels }, () => (random.uniform(0, 1) < 0.2 ? 1 : 0));
  const weight = Float32Array.from({ length: pixels }, (_, i) =>
    Math.floor(i / (size * size)) === 0 ? 0 : random.uniform(0.5, 3),
  );
  return { x, y, weight, shape: [n, size, size, 1] };
}

function maxAbs(values: Float32Array): number {
  return values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('shard arithmetic', () => {
  it('splits a batch into even contiguous ranges, never more than its samples', () => {
    expect(shardRanges(16, 2)).toEqual([
      [0, 8],
      [8, 16],
    ]);
    expect(shardRanges(5, 2)).toEqual([
      [0, 3],
      [3, 5],
    ]);
    expect(shardRanges(2, 4)).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('combines shard gradients into exactly the whole batch gradient (weighted BCE)', async () => {
    const model = buildModel(TINY_UNET);
    seedInitialWeights(model, 3);
    try {
      const batch = randomBatch(6, 16, 1);
      const whole = await shardGradients(model, batch, 'weighted-bce');
      // Uneven shards with different weight sums (sample 0 weighs nothing): a plain mean would be wrong.
      const ranges = [
        [0, 4],
        [4, 6],
      ] as const;
      const shards: ShardResult[] = [];
      for (const [a, b] of ranges)
        shards.push(await shardGradients(model, sliceBatch(batch, a, b), 'bce'));
      expect(shards[0]!.weightSum).not.toBeCloseTo(shards[1]!.weightSum, 0);
      const combined = combineShards(
        shards,
        ranges.map(([a, b]) => b - a),
      );
      // float32 sums in a different order: relative error of a few ulps of the largest gradient.
      expect(maxDifference(combined.gradients, whole.gradients)).toBeLessThan(
        1e-5 * maxAbs(whole.gradients),
      );
      expect(combined.loss).toBeCloseTo(whole.loss, 5);
      const naiveMean = whole.gradients.map(
        (_, i) => (shards[0]!.gradients[i]! + shards[1]!.gradients[i]!) / 2,
      );
      expect(maxDifference(naiveMean, whole.gradients)).toBeGreaterThan(
        1e-3 * maxAbs(whole.gradients),
      );
    } finally {
      model.dispose();
    }
  });

  it('moves all weights between twins and refuses a transfer of the wrong size', async () => {
    const a = buildModel(TINY_UNET);
    const b = buildModel(TINY_UNET);
    seedInitialWeights(a, 1);
    seedInitialWeights(b, 2);
    try {
      writeAllWeights(b, await readAllWeights(a));
      expect(maxDifference(await readAllWeights(b), await readAllWeights(a))).toBe(0);
      expect(() => writeAllWeights(b, new Float32Array(10))).toThrow(/mismatch/);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('gradient worker count', () => {
  const facts = { backend: 'wasm', lossKind: 'bce' as const, batchSize: 16, cores: 2, env: {} };

  it('uses one worker per core on wasm and cpu, one on native backends and for Dice', () => {
    expect(gradientWorkerCount('auto', facts)).toBe(2);
    expect(gradientWorkerCount(undefined, { ...facts, backend: 'cpu', cores: 4 })).toBe(4);
    expect(gradientWorkerCount('auto', { ...facts, backend: 'tensorflow' })).toBe(1);
    expect(gradientWorkerCount('auto', { ...facts, lossKind: 'bce-dice' })).toBe(1);
    expect(gradientWorkerCount('auto', { ...facts, batchSize: 1 })).toBe(1);
  });

  it('takes VESSEL_TRAIN_WORKERS for auto, and refuses what cannot work', () => {
    expect(gradientWorkerCount('auto', { ...facts, env: { VESSEL_TRAIN_WORKERS: '1' } })).toBe(1);
    expect(gradientWorkerCount(3, { ...facts, env: { VESSEL_TRAIN_WORKERS: '1' } })).toBe(3);
    expect(() =>
      gradientWorkerCount('auto', { ...facts, env: { VESSEL_TRAIN_WORKERS: 'two' } }),
    ).toThrow(/VESSEL_TRAIN_WORKERS/);
    expect(() => gradientWorkerCount(2, { ...facts, lossKind: 'dice' })).toThrow(/does not split/);
    expect(() => gradientWorkerCount(4, { ...facts, batchSize: 2 })).toThrow(/at least 4 samples/);
    expect(() => gradientWorkerCount(0, facts)).toThrow(/at least 1/);
  });

  it('uses one on webgpu whatever VESSEL_TRAIN_WORKERS says, and refuses more by number', () => {
    const gpu = { ...facts, backend: 'webgpu', cores: 16 };
    expect(gradientWorkerCount('auto', gpu)).toBe(1);
    expect(gradientWorkerCount(undefined, { ...gpu, env: { VESSEL_TRAIN_WORKERS: '4' } })).toBe(1);
    expect(gradientWorkerCount(1, gpu)).toBe(1);
    expect(() => gradientWorkerCount(2, gpu)).toThrow(/whole batch on the GPU/);
  });
});

describe('gradient worker pool', () => {
  it('gives the same gradient as one thread computing the whole batch', async () => {
    const model = buildModel(TINY_UNET);
    seedInitialWeights(model, 4);
    const pool = await GradientWorkerPool.start({
      workers: 2,
      config: TINY_UNET,
      lossKind: 'weighted-bce',
      backend,
    });
    try {
      expect(pool.workers).toBe(2);
      const batch = randomBatch(5, 16, 2);
      const whole = await shardGradients(model, batch, 'weighted-bce');
      const pooled = await pool.step(await readAllWeights(model), batch);
      expect(maxDifference(pooled.gradients, whole.gradients)).toBeLessThan(
        1e-5 * maxAbs(whole.gradients),
      );
      expect(pooled.loss).toBeCloseTo(whole.loss, 5);
    } finally {
      await pool.dispose();
      model.dispose();
    }
  }, 60_000);

  it('trains to the same weights as the single-thread loop', async () => {
    const images = generateVesselSet(4, 32);
    const options = trainOptionsSchema.parse({
      seed: 5,
      epochs: 2,
      stepsPerEpoch: 3,
      batchSize: 4,
      patchSize: 16,
      validationFraction: 0.25,
      validationPatches: 8,
      learningRate: 0.01,
      loss: { kind: 'weighted-bce' },
      earlyStopping: null,
    });
    const runOnce = async (name: string, pool?: GradientWorkerPool) => {
      let weights: Float32Array = new Float32Array(0);
      const summary = await trainFresh(
        9,
        {
          config: TINY_UNET,
          images,
          options,
          outDir: path.join(dir, name),
          backend,
          ...(pool ? { gradientPool: pool } : {}),
        },
        async (model) => {
          weights = await readAllWeights(model);
        },
      );
      return { summary, weights };
    };
    const single = await runOnce('single');
    const tensorsBefore = tf.memory().numTensors;
    const pool = await GradientWorkerPool.start({
      workers: 2,
      config: TINY_UNET,
      lossKind: 'weighted-bce',
      backend,
    });
    let parallel: Awaited<ReturnType<typeof runOnce>>;
    try {
      parallel = await runOnce('parallel', pool);
    } finally {
      await pool.dispose();
    }
    expect(single.summary.workers).toBe(1);
    expect(parallel.summary.workers).toBe(2);
    // Six Adam steps (lr 0.01) from the same weights on the same batches: rounding differences only.
    expect(maxDifference(parallel.weights, single.weights)).toBeLessThan(1e-4);
    parallel.summary.history.forEach((record, i) => {
      expect(record.loss).toBeCloseTo(single.summary.history[i]!.loss, 4);
    });
    // The pooled steps' gradient tensors are all disposed.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 120_000);

  it('reports a worker that dies, naming it and what to do', async () => {
    const crashing = path.join(dir, 'crashing-worker.mjs');
    await writeFile(crashing, 'process.exit(3);\n');
    const failure = await GradientWorkerPool.start({
      workers: 2,
      config: TINY_UNET,
      lossKind: 'bce',
      backend,
      modulePath: crashing,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe(COMPUTE_ERROR_CODES.GRADIENT_WORKER_FAILED);
    expect((failure as AppError).message).toMatch(/exited with code 3.*--workers 1/);
  });
});
