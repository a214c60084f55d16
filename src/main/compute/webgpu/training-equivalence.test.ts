/**
 * End to end on webgpu (lavapipe here and in CI): Adam steps of bench-unet, unet-shared-residual
 * and LadderNet, cut to a size lavapipe runs in seconds, give the same losses and weights as
 * on the cpu backend, from the same seeded weights on the same batch. Everything upstream's
 * webgpu kernels and ours (webgpu/kernels.ts) do in training is in the comparison: forward,
 * every gradient and Adam's update, as model.fit runs them. The wasm twin of this test is
 * ../kernels/training-equivalence.test.ts; both share ../kernels/training-runs.ts.
 */
import { describe, expect, it } from 'vitest';
import { modelPreset, type ModelConfig } from '../../../shared/model-config';
import {
  maxWeightDifference,
  seededWeights,
  trainSteps,
  vesselBatch,
} from '../kernels/training-runs';
import { onBackend, useGpuForTests } from './test-gpu';

/** The presets at two levels and width 4, without dropout (a random mask per backend). */
const CONFIGS: { name: string; config: ModelConfig; classes: number }[] = [
  {
    name: 'bench-unet',
    config: { ...modelPreset('bench-unet'), depth: 2, baseWidth: 4, dropout: 0 } as ModelConfig,
    classes: 1,
  },
  {
    name: 'unet-shared-residual',
    config: {
      ...modelPreset('unet-shared-residual'),
      depth: 2,
      baseWidth: 4,
      dropout: 0,
      blockDropout: 0,
    } as ModelConfig,
    classes: 1,
  },
  {
    name: 'LadderNet',
    config: { ...modelPreset('laddernet'), layers: 2, filters: 4, blockDropout: 0 } as ModelConfig,
    classes: 2,
  },
];

const STEPS = 3;
const PATCH = 16;

const gpu = useGpuForTests();

describe('training on webgpu matches cpu', () => {
  for (const { name, config, classes } of CONFIGS) {
    it(name, async (ctx) => {
      if (!gpu.current.ok) return ctx.skip(gpu.current.reason);
      const batch = vesselBatch(3, PATCH, classes);
      const initial = await onBackend('cpu', () => seededWeights(config));
      const cpu = await onBackend('cpu', () => trainSteps('cpu', config, initial, batch, STEPS));
      const webgpu = await trainSteps('webgpu', config, initial, batch, STEPS);

      // Tolerances, as for wasm against cpu (the same reasoning holds): both backends compute
      // in float32 and differ only in summation order and in WGSL's exp and log (a few ulps),
      // so a loss, a mean of per-pixel terms, agrees to ~1e-7 relative (seen: at most 1.1e-7).
      // 1e-4 leaves three orders of magnitude for rounding, while a wrong gradient kernel
      // changes the next step's loss by about what one step changes it (~1e-2 here).
      for (let i = 0; i < STEPS; i++) {
        expect(Math.abs(webgpu.losses[i]! - cpu.losses[i]!), `loss of step ${i}`).toBeLessThan(
          1e-4 * Math.abs(cpu.losses[i]!),
        );
      }
      expect(webgpu.losses[STEPS - 1]!).toBeLessThan(webgpu.losses[0]!);

      // Weights: Adam moves each weight by about the learning rate (1e-3) per step whatever the
      // gradient's size, so a weight whose gradient is wrong ends ~1e-3 off. Rounding-level
      // gradient differences move it by far less (seen: at most 4.8e-7 here, 2.6e-6 for
      // LadderNet on 8x8 patches, where more gradients sit near Adam's epsilon): we allow
      // 1e-5, a hundredth of one step.
      expect(maxWeightDifference(cpu, webgpu)).toBeLessThan(1e-5);
    });
  }
});
