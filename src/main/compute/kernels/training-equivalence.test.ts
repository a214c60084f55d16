/**
 * End to end: Adam steps of small U-Nets and a small LadderNet give the same losses and
 * weights on wasm (with our kernels) as on the cpu backend. Upstream issue 4326 reported
 * wasm training whose losses were wildly off cpu's (16261 against 0.57 after one epoch):
 * here every step's loss is compared, and the loss must fall while fitting one batch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../model';
import { setupCompute } from '../setup';
import { winogradCalls } from '../winograd/winograd';
import { maxWeightDifference, seededWeights, trainSteps, vesselBatch } from './training-runs';

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
      const batch = vesselBatch(3, size, classes);
      const initial = await seededWeights(config);
      const steps = 4;
      const cpu = await trainSteps('cpu', config, initial, batch, steps);
      const before = winogradCalls();
      const wasm = await trainSteps('wasm', config, initial, batch, steps);
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
      const worst = maxWeightDifference(cpu, wasm);
      expect(worst).toBeLessThan(1e-5);
    });
  }
});
