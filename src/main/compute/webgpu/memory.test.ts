/**
 * No leak on webgpu: the training loop (with one step in flight, see train/loop.ts) and
 * whole-image inference keep tf.memory() flat, tensors and bytes, over 100 steps and 100
 * predictions. A GPU run lasts hours; a tensor lost per step would exhaust the GPU's memory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modelPreset, type ModelConfig } from '../../../shared/model-config';
import { buildModel } from '../model/build';
import { seedInitialWeights } from '../model/seeded-init';
import { predictProbabilities } from '../infer';
import { generateVesselSet, TINY_UNET } from '../train/fixtures';
import { trainModel } from '../train/loop';
import { trainOptionsSchema } from '../train/options';
import { gpuFault } from './device';
import { startGpuForTests, type GpuForTests } from './test-gpu';

/** What must stay flat: tensors alive and the bytes they hold. */
function usage(): { numTensors: number; numBytes: number } {
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes };
}

let gpu: GpuForTests = { ok: false, reason: 'not started' };
let dir: string;

beforeAll(async () => {
  gpu = await startGpuForTests();
  dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-webgpu-memory-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(gpuFault()).toBeNull();
});

describe('memory on webgpu', () => {
  it('stays flat over 100 training steps of the training loop', async (ctx) => {
    if (!gpu.ok) return ctx.skip(gpu.reason);
    const before = usage();
    const model = buildModel(TINY_UNET);
    seedInitialWeights(model, 3);
    const during: { numTensors: number; numBytes: number }[] = [];
    try {
      const summary = await trainModel({
        model,
        config: TINY_UNET,
        images: generateVesselSet(3, 32),
        options: trainOptionsSchema.parse({
          seed: 3,
          epochs: 1,
          stepsPerEpoch: 100,
          batchSize: 2,
          patchSize: 16,
          validationFraction: 0.34,
          validationPatches: 4,
          loss: { kind: 'weighted-bce' },
          earlyStopping: null,
        }),
        outDir: path.join(dir, 'train'),
        dataSource: 'generated',
        backend: 'webgpu',
        onProgress: (p) => {
          if (p.phase === 'batch') during.push(usage());
        },
      });
      expect(summary.history).toHaveLength(1);
    } finally {
      model.dispose();
    }
    expect(during).toHaveLength(100);
    // A step's progress is reported while the next step is queued, its loss (one float32
    // scalar) on its way back or already read: the one tensor allowed above the figures of the
    // last step, after which nothing is in flight. A leak of one tensor a step would show 99.
    const settled = during[99]!;
    for (const [k, now] of during.entries()) {
      const extra = now.numTensors - settled.numTensors;
      expect([0, 1], `tensors after step ${k + 1}`).toContain(extra);
      expect(now.numBytes - settled.numBytes, `bytes after step ${k + 1}`).toBe(4 * extra);
    }
    // With the model disposed, everything the run made is gone.
    expect(usage()).toEqual(before);
  }, 120_000);

  it.for([
    [
      'a same-padding U-Net (the fast forward pass)',
      { ...modelPreset('bench-unet'), depth: 2, baseWidth: 4 } as ModelConfig,
    ],
    [
      'LadderNet (model.predict)',
      { ...modelPreset('laddernet'), layers: 2, filters: 4 } as ModelConfig,
    ],
  ] as const)(
    'stays flat over 100 predictions of %s',
    { timeout: 120_000 },
    async ([, config], ctx) => {
      if (!gpu.ok) return ctx.skip(gpu.reason);
      const model = buildModel(config);
      seedInitialWeights(model, 5);
      // Small, so 100 predictions take seconds on lavapipe: one tile of 40x36 with the margin.
      const input = {
        width: 24,
        height: 20,
        data: Float32Array.from({ length: 24 * 20 }, (_, i) => Math.sin(i / 7) ** 2),
      };
      const reference = usage();
      try {
        for (let k = 1; k <= 100; k++) {
          // Every tenth with flips (four passes and their reversals), the rest without.
          const flips = k % 10 === 0;
          const out = await predictProbabilities(model, input, { config, flips, margin: 8 });
          expect(out.length).toBe(24 * 20);
          expect(usage(), `after prediction ${k}`).toEqual(reference);
        }
      } finally {
        model.dispose();
      }
    },
  );
});
