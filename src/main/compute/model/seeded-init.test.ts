import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { modelPreset } from '../../../shared/model-config';
import { buildModel } from './build';
import { fanIn, initSchemeFor, seedInitialWeights } from './seeded-init';

describe('seedInitialWeights', () => {
  it('gives the same weights for the same seed and others for another seed', () => {
    const a = buildModel(modelPreset('bench-unet'));
    const b = buildModel(modelPreset('bench-unet'));
    seedInitialWeights(a, 3);
    seedInitialWeights(b, 3);
    const wa = a.getWeights().map((w) => w.dataSync());
    const wb = b.getWeights().map((w) => w.dataSync());
    expect(wa.every((w, i) => w.every((v, j) => v === wb[i]![j]))).toBe(true);
    seedInitialWeights(b, 4);
    expect(b.getWeights()[0]!.dataSync()[0]).not.toBe(wa[0]![0]);
    a.dispose();
    b.dispose();
  });

  it('draws kernels with He std sqrt(2 / fan-in) and zero biases', () => {
    const model = buildModel(modelPreset('bench-unet'));
    seedInitialWeights(model, 1);
    for (const weight of model.weights) {
      const values = Float32Array.from(weight.read().dataSync());
      if (weight.name.endsWith('bias')) {
        expect(values.every((v) => v === 0)).toBe(true);
      } else if (weight.name.endsWith('kernel') && values.length > 5000) {
        const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
        expect(std).toBeCloseTo(Math.sqrt(2 / fanIn(weight.shape as number[])), 2);
      }
    }
    model.dispose();
  });

  it("draws LadderNet's kernels and biases as PyTorch's defaults: uniform in +-1/sqrt(fan-in)", () => {
    const config = modelPreset('laddernet');
    expect(initSchemeFor(config)).toBe('torch-default');
    expect(initSchemeFor(modelPreset('bench-unet'))).toBe('he');
    const model = buildModel(config);
    seedInitialWeights(model, 1, initSchemeFor(config));
    let kernelFanIn = 0;
    let checkedBiases = 0;
    for (const weight of model.weights) {
      const values = Float32Array.from(weight.read().dataSync());
      const bound = 1 / Math.sqrt(kernelFanIn);
      if (weight.name.endsWith('kernel')) {
        kernelFanIn = fanIn(weight.shape as number[]);
        const b = 1 / Math.sqrt(kernelFanIn);
        expect(values.every((v) => Math.abs(v) <= b)).toBe(true);
        if (values.length > 5000) {
          // A uniform draw in +-b has std b / sqrt(3).
          const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
          expect(std).toBeCloseTo(b / Math.sqrt(3), 2);
        }
      } else if (weight.name.endsWith('bias')) {
        expect(values.every((v) => Math.abs(v) <= bound)).toBe(true);
        expect(values.some((v) => v !== 0)).toBe(true);
        checkedBiases++;
      }
    }
    expect(checkedBiases).toBeGreaterThan(20);
    model.dispose();
  });

  it('starts the bundled LadderNet with moderate outputs, so BCE training does not saturate', () => {
    // With He kernels this network's first outputs saturated (infinite logits on this input) and
    // a loss of 5 on the first batch; the run stayed at validation AUC 0.5 through its first
    // 500-step epoch.
    const config = modelPreset('laddernet');
    const model = buildModel(config);
    seedInitialWeights(model, 1, initSchemeFor(config));
    const logits = tf.tidy(() => {
      const x = tf.randomUniform([4, 48, 48, 1], 0, 1, 'float32', 5);
      const p = (model.predict(x) as tf.Tensor).slice([0, 0, 0, 1], [-1, -1, -1, 1]);
      return tf.log(p).sub(tf.log(tf.scalar(1).sub(p)));
    });
    const values = Float32Array.from(logits.dataSync());
    const maxAbs = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs).toBeLessThan(3);
    logits.dispose();
    model.dispose();
  });

  it('computes fan-in like tfjs-layers', () => {
    expect(fanIn([3, 3, 16, 32])).toBe(144);
    expect(fanIn([1, 1, 16, 1])).toBe(16);
    expect(fanIn([10, 4])).toBe(10);
  });
});
