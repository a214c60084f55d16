/**
 * End to end: Adam steps of small U-Nets and a small LadderNet give the same losses and
 * weights on wasm (with our kernels) as on the cpu backend. Upstream issue 4326 reported
 * wasm training whose losses were wildly off cpu's (16261 against 0.57 after one epoch):
 * here every step's loss is compared, and the loss must fall while fitting one batch.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type ModelConfig } from '../../engine/model';
import { seedInitialWeights } from '../../engine/model/seeded-init';
import { setupCompute } from '../setup';
import { seededUniform } from './seeded-uniform';
import { winogradCalls } from '../winograd/winograd';

const LEARNING_RATE = 1e-3;

interface Run {
  losses: number[];
  weights: Float32Array[];
}

/** Builds `config` on `backend` with the given initial weights and takes `steps` Adam steps. */
async function train(
  backend: string,
  config: ModelConfig,
  initial: Float32Array[],
  batch: {
    x: Float32Array;
    y: Float32Array;
    shape: [number, number, number, number];
    classes: number;
  },
  steps: number,
): Promise<Run> {
  await tf.setBackend(backend);
  const model = buildModel(config);
  const weights = model.getWeights();
  model.setWeights(weights.map((w, i) => tf.tensor(initial[i]!, w.shape)));
  const [n, h, w] = batch.shape;
  const x = tf.tensor4d(batch.x, batch.shape);
  const vessel = tf.tensor4d(batch.y, [n, h, w, 1]);
  const y = batch.classes === 2 ? tf.concat([tf.sub(1, vessel), vessel], -1) : vessel;
  model.compile({
    optimizer: tf.train.adam(LEARNING_RATE),
    loss: batch.classes === 2 ? 'categoricalCrossentropy' : 'binaryCrossentropy',
  });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await model.trainOnBatch(x, y)) as number);
  const trained = model.getWeights().map((t) => t.dataSync() as Float32Array);
  tf.dispose([x, vessel, y]);
  model.dispose();
  return { losses, weights: trained.map((v) => v.slice()) };
}

/**
 * He-initialised weights from seed 1, drawn once on cpu, shared by both runs. Seeded, so the
 * test is the same every time: with tfjs-layers' unseeded draws the worst LadderNet weight
 * difference ranged from 2.6e-7 to 1.8e-5 over 8 draws (seeds 1 to 5: 3.3e-7 to 6.5e-6),
 * because Adam divides by the gradient's size, which turns a rounding-level difference in a
 * weight whose gradient is near zero (below Adam's epsilon, 1e-7) into a larger step difference.
 */
async function initialWeights(config: ModelConfig): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  const model = buildModel(config);
  seedInitialWeights(model, 1);
  const values = model.getWeights().map((t) => (t.dataSync() as Float32Array).slice());
  model.dispose();
  return values;
}

const unetConfig = (overrides: Partial<ModelConfig>): ModelConfig =>
  ({
    arch: 'unet',
    depth: 2,
    baseWidth: 4,
    padding: 'same',
    block: 'plain',
    skip: 'concat',
    upsampling: 'nearest',
    dropout: 0,
    blockDropout: 0,
    batchNorm: false,
    output: 'sigmoid',
    inputChannels: 1,
    preprocessing: null,
    ...overrides,
  }) as ModelConfig;

const ladderConfig = (filters: number): ModelConfig => ({
  arch: 'laddernet',
  layers: 2,
  filters,
  blockDropout: 0,
  batchNorm: false,
  output: 'softmax',
  inputChannels: 1,
  preprocessing: null,
});

const CONFIGS: { label: string; config: ModelConfig; size: number; classes: number }[] = [
  {
    label: 'U-Net (pooling, nearest upsampling, concat)',
    config: unetConfig({}),
    size: 8,
    classes: 1,
  },
  {
    label: 'U-Net (transposed-conv upsampling, add skips)',
    config: unetConfig({ upsampling: 'transpose', skip: 'add' }),
    size: 8,
    classes: 1,
  },
  {
    label: 'LadderNet (stride-2 convs, transposed convs, shared residual blocks)',
    config: ladderConfig(4),
    size: 8,
    classes: 2,
  },
  {
    // 8 filters: all its 3x3 stride-1 convolutions and their input gradients take our
    // Winograd path (with 4 filters only the second level's do, see MIN_WINOGRAD_CHANNELS).
    label: 'LadderNet with 8 filters (Winograd convolutions)',
    config: ladderConfig(8),
    size: 8,
    classes: 2,
  },
];

beforeAll(async () => {
  const report = await setupCompute({ name: 'wasm', by: 'setting' }, { wasmThreads: 1 });
  expect(report.active).toBe('wasm');
});

describe('training on wasm matches cpu', () => {
  for (const { label, config, size, classes } of CONFIGS) {
    it(label, async () => {
      const shape: [number, number, number, number] = [3, size, size, 1];
      const count = 3 * size * size;
      const x = seededUniform(count, 3, 0, 1);
      // Vessel-like labels: a bright pixel is a vessel more often than not.
      const noise = seededUniform(count, 5, 0, 1);
      const y = x.map((v, i) => (v + 0.5 * noise[i]! > 0.9 ? 1 : 0));
      const batch = { x, y: Float32Array.from(y), shape, classes };
      const initial = await initialWeights(config);
      const steps = 4;
      const cpu = await train('cpu', config, initial, batch, steps);
      const before = winogradCalls();
      const wasm = await train('wasm', config, initial, batch, steps);
      // Every config has levels of at least MIN_WINOGRAD_CHANNELS channels: our Winograd
      // convolution is part of what is compared.
      expect(winogradCalls(), 'Winograd convolutions ran').toBeGreaterThan(before);

      // Losses: the same float32 computation in another summation order agrees to ~1e-6
      // relative; a wrong gradient kernel changes them from the second step on.
      for (let i = 0; i < steps; i++) {
        expect(Math.abs(wasm.losses[i]! - cpu.losses[i]!), `loss of step ${i}`).toBeLessThan(
          1e-4 * Math.abs(cpu.losses[i]!),
        );
      }
      expect(wasm.losses[steps - 1]!).toBeLessThan(wasm.losses[0]!);

      // Weights: Adam moves each weight by about the learning rate per step whatever the
      // gradient's size, so a weight whose gradient differs (a wrong kernel) is off by ~1e-3.
      // Rounding-level gradient differences move it by far less: we allow 1e-5, a hundredth
      // of one step.
      let worst = 0;
      for (let t = 0; t < cpu.weights.length; t++) {
        const a = cpu.weights[t]!;
        const b = wasm.weights[t]!;
        expect(b.length).toBe(a.length);
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      }
      expect(worst).toBeLessThan(1e-5);
    });
  }
});
